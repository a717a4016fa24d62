package web

import (
	"cmp"
	"context"
	"net/http"
	"slices"

	"github.com/orchard-oer/orchard/workers"
)

// Runs: the staff JSON API and pages for harvest runs and dead-lettered jobs.

func (s *Server) apiRuns(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	limit, err := intParam(q, "limit", 1, 1000)
	if err != nil {
		writeError(w, http.StatusBadRequest, err)
		return
	}
	runs, err := s.runs(r.Context(), q.Get("source"), cmp.Or(limit, 50))
	if err != nil {
		writeError(w, statusOf(err), err)
		return
	}
	writeJSON(w, http.StatusOK, runsOf(runs))
}

// runs lists the newest runs of one source, or of all sources.
func (s *Server) runs(ctx context.Context, source string, limit int) ([]workers.Run, error) {
	if source != "" {
		return s.workers.History(ctx, source, limit)
	}
	srcs, err := s.workers.Sources().List(ctx)
	if err != nil {
		return nil, err
	}
	var all []workers.Run
	for _, src := range srcs {
		runs, err := s.workers.History(ctx, src.Name, limit)
		if err != nil {
			return nil, err
		}
		all = append(all, runs...)
	}
	slices.SortFunc(all, func(a, b workers.Run) int { return b.Queued.Compare(a.Queued) })
	if len(all) > limit {
		all = all[:limit]
	}
	return all, nil
}

func (s *Server) apiRun(w http.ResponseWriter, r *http.Request) {
	run, err := s.workers.Run(r.Context(), r.PathValue("id"))
	if err != nil {
		writeError(w, statusOf(err), err)
		return
	}
	writeJSON(w, http.StatusOK, runOf(run))
}

func (s *Server) apiDeadLetters(w http.ResponseWriter, r *http.Request) {
	dl, err := s.workers.DeadLetters(r.Context())
	if err != nil {
		writeError(w, statusOf(err), err)
		return
	}
	writeJSON(w, http.StatusOK, nonNil(dl))
}

type runsView struct {
	Runs  []workers.Run
	Dead  []workers.DeadLetter
	Chart chart
}

func (s *Server) runsPage(w http.ResponseWriter, r *http.Request) {
	runs, err := s.runs(r.Context(), r.URL.Query().Get("source"), 100)
	if err != nil {
		s.fail(w, r, statusOf(err), err)
		return
	}
	dead, err := s.workers.DeadLetters(r.Context())
	if err != nil {
		s.fail(w, r, statusOf(err), err)
		return
	}
	s.render(w, r, http.StatusOK, "runs", runsView{Runs: runs, Dead: dead, Chart: runsChart(s.localizer(r), runs)})
}

func (s *Server) runPage(w http.ResponseWriter, r *http.Request) {
	run, err := s.workers.Run(r.Context(), r.PathValue("id"))
	if err != nil {
		s.fail(w, r, statusOf(err), err)
		return
	}
	s.render(w, r, http.StatusOK, "run", run)
}
