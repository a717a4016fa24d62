// Package workers is the only part of Orchard that speaks NATS. It keeps the source registry,
// queues and runs harvest jobs, schedules them, records runs and their progress, and stores
// small documents for the web layer.
//
// Connection and modes:
//
//	sys, err := workers.Open(ctx, workers.Config{Dir: dataDir}, log)        // embedded NATS
//	sys, err := workers.Open(ctx, workers.Config{URL: url, Replicas: 3}, log) // a cluster
//	defer sys.Close()
//	go sys.RunWorkers(ctx, pipeline, n) // omit in an API-only process
//	go sys.RunScheduler(ctx)            // safe in any number of processes
//
// Everything in one process runs all three; `orchard worker` opens an external URL and runs
// only RunWorkers; an API-only process runs neither. The embedded server is in-process only
// unless Config.Listen gives a loopback address for other processes.
//
// API:
//
//	Open(ctx, Config, *slog.Logger) (*System, error); (*System).Close() error
//	(*System).Sources() *Registry: Add, Get, List, Update (compare-and-set on Source.Revision), Remove
//	(*System).Docs(ctx, bucket) (*Docs, error): Get, Put, Create, Update, Delete, List of JSON documents
//	(*System).RunNow(ctx, source, full) (runID, error)   // ErrPending if one is queued or running
//	(*System).Cancel(ctx, source) error                  // ErrIdle if none
//	(*System).Status(ctx) ([]SourceStatus, error)        // active run, last run, next due time
//	(*System).History(ctx, source, limit) ([]Run, error) // newest first
//	(*System).Run(ctx, id) (Run, error)
//	(*System).DeadLetters(ctx) ([]DeadLetter, error)
//	(*System).WatchProgress(ctx, source) (<-chan Progress, error)
//	(*System).RunWorkers(ctx, Pipeline, n) error // blocks; drains on ctx done
//	(*System).RunScheduler(ctx) error            // blocks until ctx done
//	(*System).Backup(ctx, w) / Restore(ctx, r) (BackupStats, error) // every bucket as versioned JSON lines
//
// Jobs live on the work-queue stream ORCHARD_JOBS, subject orchard.jobs.<source>, at most one
// per source. A worker pulls a job only when it is free, heartbeats it, and after every page
// sends the records to the index; once the index has confirmed them and every earlier page's
// (an index that is a catalog.AsyncWriter confirms later, so several pages are in flight), it
// stores the page's checkpoint with compare-and-set; a job redelivered elsewhere resumes from
// there. Transient failures are retried with
// exponential backoff; permanent ones end the run; a job that fails every delivery is moved to
// the ORCHARD_DEAD stream. Progress events go to orchard.progress.<source>.
package workers
