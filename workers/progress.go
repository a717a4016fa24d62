package workers

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/nats-io/nats.go"
)

// Progress is a running harvest's progress, published after every page on
// orchard.progress.<source>.
type Progress struct {
	RunID   string    `json:"run_id"`
	Source  string    `json:"source"`
	Status  RunStatus `json:"status"`
	Pages   int       `json:"pages"`   // confirmed by the catalog
	Records int       `json:"records"` // in confirmed pages
	// PagesHarvested and RecordsHarvested include pages the catalog has yet to confirm.
	PagesHarvested   int    `json:"pages_harvested"`
	RecordsHarvested int    `json:"records_harvested"`
	Worker           string `json:"worker,omitempty"`
	Note             string `json:"note,omitempty"`
	Upserted         int    `json:"upserted"`
	Deleted          int    `json:"deleted"`
	Expected         int    `json:"expected,omitempty"`
	// Rate is records per second since the current attempt started.
	Rate float64 `json:"rate"`
	// ETA is the estimated time left, zero when the source announced no size.
	ETA time.Duration `json:"eta,omitempty"`
	At  time.Time     `json:"at"`
}

func progressOf(r Run, rate float64) Progress {
	p := Progress{
		RunID: r.ID, Source: r.Source, Status: r.Status, Pages: r.Pages, Records: r.Records,
		PagesHarvested: r.PagesHarvested, RecordsHarvested: r.RecordsHarvested, Worker: r.Worker, Note: r.Note,
		Upserted: r.Upserted, Deleted: r.Deleted, Expected: r.Expected, Rate: rate, At: time.Now().UTC(),
	}
	if rate > 0 && r.Expected > r.Records && !r.Status.Final() {
		p.ETA = time.Duration(float64(r.Expected-r.Records) / rate * float64(time.Second)).Round(time.Second)
	}
	return p
}

func (s *System) publishProgress(p Progress) {
	b, err := json.Marshal(p)
	if err == nil {
		err = s.nc.Publish(progSubject+p.Source, b)
	}
	if err != nil {
		s.log.Debug("publish progress", "source", p.Source, "err", err)
	}
}

// WatchProgress streams the progress of source's runs ("" for every source) until ctx is done,
// then closes the channel. Events are dropped rather than queued when the reader falls behind.
func (s *System) WatchProgress(ctx context.Context, source string) (<-chan Progress, error) {
	subj := progSubject + ">"
	if source != "" {
		if !nameRe.MatchString(source) {
			return nil, fmt.Errorf("watch progress: source %q: %w", source, ErrNotFound)
		}
		subj = progSubject + source
	}
	in := make(chan *nats.Msg, 64)
	sub, err := s.nc.ChanSubscribe(subj, in)
	if err != nil {
		return nil, fmt.Errorf("watch progress %s: %w", subj, err)
	}
	out := make(chan Progress, 16)
	go func() {
		defer close(out)
		defer func() { _ = sub.Unsubscribe() }()
		for {
			select {
			case <-ctx.Done():
				return
			case m := <-in:
				var p Progress
				if json.Unmarshal(m.Data, &p) != nil {
					continue
				}
				select {
				case out <- p:
				case <-ctx.Done():
					return
				default:
				}
			}
		}
	}()
	return out, nil
}
