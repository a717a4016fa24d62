package web

import (
	"time"

	"github.com/orchard-oer/orchard/catalog"
	"github.com/orchard-oer/orchard/harvester"
	"github.com/orchard-oer/orchard/probe"
	"github.com/orchard-oer/orchard/workers"
)

// The JSON API's own types. They keep the API's shape apart from how workers stores things,
// and durations travel as Go duration strings ("5s", "1m30s").

// Source is a harvest source as the API shows and takes it.
type Source struct {
	Name string `json:"name"`
	Type string `json:"type"`
	URL  string `json:"url"`

	Title       string `json:"title,omitempty"`
	Description string `json:"description,omitempty"`

	MetadataPrefixes []string `json:"metadata_prefixes,omitempty"`
	Sets             []string `json:"sets,omitempty"`
	From             string   `json:"from,omitempty"`
	Until            string   `json:"until,omitempty"`

	Mode       string   `json:"mode,omitempty"`
	URLs       []string `json:"urls,omitempty"`
	MaxDepth   int      `json:"max_depth,omitempty"`
	MaxPages   int      `json:"max_pages,omitempty"`
	PathPrefix string   `json:"path_prefix,omitempty"`
	Pace       string   `json:"pace,omitempty"`

	Schedule string `json:"schedule,omitempty"`
	TimeZone string `json:"time_zone,omitempty"`
	Paused   bool   `json:"paused,omitempty"`
	// FullEvery is how often scheduled runs are full ones, for sources that drop records
	// unannounced; empty takes workers.full_every, negative never.
	FullEvery string `json:"full_every,omitempty"`

	// Detect asks, when adding, to check Type and Mode against what URL is; a source added
	// without a type is always detected. Only in requests.
	Detect bool `json:"detect,omitempty"`
	// Detected is what URL was found to be when a source was added. Only in answers.
	Detected *probe.Detection `json:"detected,omitempty"`

	// Set by the server; ignored in requests.
	Created  time.Time `json:"created,omitzero"`
	Updated  time.Time `json:"updated,omitzero"`
	Revision uint64    `json:"revision,omitempty"`
}

// SourceOf is src as the API shows it.
func SourceOf(src workers.Source) Source {
	return Source{
		Name: src.Name, Type: src.Type, URL: src.URL, Title: src.Title, Description: src.Description,
		MetadataPrefixes: src.MetadataPrefixes, Sets: src.Sets, From: src.From, Until: src.Until,
		Mode: src.Mode, URLs: src.URLs, MaxDepth: src.MaxDepth, MaxPages: src.MaxPages,
		PathPrefix: src.PathPrefix, Pace: durationString(src.Pace),
		Schedule: src.Schedule, TimeZone: src.TimeZone, Paused: src.Paused, FullEvery: durationString(src.FullEvery),
		Created: src.Created, Updated: src.Updated, Revision: src.Revision,
	}
}

// Settings are the source's settings for the registry, which sets times and revisions itself.
func (s Source) Settings() (workers.Source, error) {
	pace, err := parseDuration("pace", s.Pace)
	if err != nil {
		return workers.Source{}, err
	}
	fullEvery, err := parseDuration("full_every", s.FullEvery)
	if err != nil {
		return workers.Source{}, err
	}
	return workers.Source{
		Source: harvester.Source{
			Name: s.Name, Type: s.Type, URL: s.URL,
			MetadataPrefixes: s.MetadataPrefixes, Sets: s.Sets, From: s.From, Until: s.Until,
			Mode: s.Mode, URLs: s.URLs, MaxDepth: s.MaxDepth, MaxPages: s.MaxPages,
			PathPrefix: s.PathPrefix, Pace: pace,
		},
		Title: s.Title, Description: s.Description,
		Schedule: s.Schedule, TimeZone: s.TimeZone, Paused: s.Paused, FullEvery: fullEvery,
	}, nil
}

func durationString(d time.Duration) string {
	if d == 0 {
		return ""
	}
	return d.String()
}

// parseDuration reads a duration string; empty is zero.
func parseDuration(param, s string) (time.Duration, error) {
	if s == "" {
		return 0, nil
	}
	d, err := time.ParseDuration(s)
	if err != nil {
		return 0, &ParamError{param, `must be a duration such as "5s" or "1m30s"`}
	}
	return d, nil
}

// Run is one harvest of a source.
type Run struct {
	ID       string            `json:"id"`
	Source   string            `json:"source"`
	Trigger  string            `json:"trigger"`
	Full     bool              `json:"full"`
	Status   workers.RunStatus `json:"status"`
	Due      time.Time         `json:"due,omitzero"`
	Queued   time.Time         `json:"queued"`
	Started  time.Time         `json:"started,omitzero"`
	Ended    time.Time         `json:"ended,omitzero"`
	Attempts int               `json:"attempts"`
	Error    string            `json:"error,omitempty"`
	Worker   string            `json:"worker,omitempty"` // host:pid
	Note     string            `json:"note,omitempty"`

	PagesHarvested   int `json:"pages_harvested"` // pages harvested, confirmed or not
	RecordsHarvested int `json:"records_harvested"`

	Pages             int                    `json:"pages"`
	Records           int                    `json:"records"`
	Upserted          int                    `json:"upserted"`
	Deleted           int                    `json:"deleted"`
	Expected          int                    `json:"expected,omitempty"`
	Licenses          map[string]int         `json:"licenses,omitempty"`
	Unknown           int                    `json:"unknown"`
	Conflicting       int                    `json:"conflicting"`
	Quarantined       int                    `json:"quarantined"`
	QuarantineSamples []harvester.Quarantine `json:"quarantine_samples,omitempty"`
	Errors            int                    `json:"errors"`
	ErrorSamples      []string               `json:"error_samples,omitempty"`
	Sweep             *Sweep                 `json:"sweep,omitempty"`
}

func runOf(r workers.Run) Run {
	return Run{
		ID: r.ID, Source: r.Source, Trigger: r.Trigger, Full: r.Full, Status: r.Status,
		Due: r.Due, Queued: r.Queued, Started: r.Started, Ended: r.Ended, Attempts: r.Attempts, Error: r.Error,
		Worker: r.Worker, Note: r.Note, PagesHarvested: r.PagesHarvested, RecordsHarvested: r.RecordsHarvested,
		Pages: r.Pages, Records: r.Records, Upserted: r.Upserted, Deleted: r.Deleted, Expected: r.Expected,
		Licenses: r.Licenses, Unknown: r.Unknown, Conflicting: r.Conflicting, Quarantined: r.Quarantined,
		QuarantineSamples: r.QuarantineSamples, Errors: r.Errors, ErrorSamples: r.ErrorSamples,
		Sweep: sweepOf(r.Sweep),
	}
}

func runsOf(rs []workers.Run) []Run {
	out := make([]Run, len(rs))
	for i, r := range rs {
		out[i] = runOf(r)
	}
	return out
}

// SourceStatus is a source with its active run, last finished run and next due time.
type SourceStatus struct {
	Source Source    `json:"source"`
	Active *Run      `json:"active,omitempty"`
	Last   *Run      `json:"last,omitempty"`
	Next   time.Time `json:"next,omitzero"`
}

// Status is the staff overview: every source, the catalog's size, the dead-lettered jobs.
type Status struct {
	Sources     []SourceStatus `json:"sources"`
	Catalog     catalog.Stats  `json:"catalog"`
	DeadLetters int            `json:"dead_letters"`
}

func sourceStatusOf(ss workers.SourceStatus) SourceStatus {
	out := SourceStatus{Source: SourceOf(ss.Source), Next: ss.Next}
	for _, r := range []struct {
		from *workers.Run
		to   **Run
	}{{ss.Active, &out.Active}, {ss.Last, &out.Last}} {
		if r.from != nil {
			run := runOf(*r.from)
			*r.to = &run
		}
	}
	return out
}

// Progress is one update of a run's progress, as the event stream sends it.
type Progress struct {
	RunID    string            `json:"run_id"`
	Source   string            `json:"source"`
	Status   workers.RunStatus `json:"status"`
	Pages    int               `json:"pages"`
	Records  int               `json:"records"`
	Upserted int               `json:"upserted"`
	Deleted  int               `json:"deleted"`
	Expected int               `json:"expected,omitempty"`
	// PagesHarvested and RecordsHarvested include pages the catalog has yet to confirm.
	PagesHarvested   int       `json:"pages_harvested"`
	RecordsHarvested int       `json:"records_harvested"`
	Worker           string    `json:"worker,omitempty"`
	Note             string    `json:"note,omitempty"`
	Rate             float64   `json:"rate"` // records per second in the current attempt
	ETA              string    `json:"eta,omitempty"`
	At               time.Time `json:"at"`
}

func progressOf(p workers.Progress) Progress {
	return Progress{
		RunID: p.RunID, Source: p.Source, Status: p.Status, Pages: p.Pages, Records: p.Records,
		Upserted: p.Upserted, Deleted: p.Deleted, Expected: p.Expected, Rate: p.Rate,
		PagesHarvested: p.PagesHarvested, RecordsHarvested: p.RecordsHarvested, Worker: p.Worker, Note: p.Note,
		ETA: durationString(p.ETA), At: p.At,
	}
}
