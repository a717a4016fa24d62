package web

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/orchard-oer/orchard/catalog"
	"github.com/orchard-oer/orchard/harvester"
	"github.com/orchard-oer/orchard/probe"
	"github.com/orchard-oer/orchard/workers"
)

// --- sources API ---

func (s *Server) apiStatus(w http.ResponseWriter, r *http.Request) {
	st, err := s.workers.Status(r.Context())
	if err != nil {
		writeError(w, statusOf(err), err)
		return
	}
	stats, err := s.index.Stats(r.Context())
	if err != nil {
		writeError(w, statusOf(err), err)
		return
	}
	dead, err := s.workers.DeadLetters(r.Context())
	if err != nil {
		writeError(w, statusOf(err), err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"sources": nonNil(st), "catalog": stats, "dead_letters": len(dead)})
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

func (s *Server) apiSources(w http.ResponseWriter, r *http.Request) {
	srcs, err := s.workers.Sources().List(r.Context())
	if err != nil {
		writeError(w, statusOf(err), err)
		return
	}
	writeJSON(w, http.StatusOK, nonNil(srcs))
}

func (s *Server) apiSourceAdd(w http.ResponseWriter, r *http.Request) {
	var src workers.Source
	if err := decodeBody(r, &src); err != nil {
		writeError(w, http.StatusBadRequest, err)
		return
	}
	out, err := s.workers.Sources().Add(r.Context(), src)
	if err != nil {
		writeError(w, statusOf(err), err)
		return
	}
	writeJSON(w, http.StatusCreated, out)
}

func (s *Server) apiSourceGet(w http.ResponseWriter, r *http.Request) {
	src, err := s.workers.Sources().Get(r.Context(), r.PathValue("name"))
	if err != nil {
		writeError(w, statusOf(err), err)
		return
	}
	writeJSON(w, http.StatusOK, src)
}

// apiSourcePut replaces a source. An If-Match header with the revision from a GET's ETag makes
// the update refuse (409) when someone else changed the source in between.
func (s *Server) apiSourcePut(w http.ResponseWriter, r *http.Request) {
	var src workers.Source
	if err := decodeBody(r, &src); err != nil {
		writeError(w, http.StatusBadRequest, err)
		return
	}
	name := r.PathValue("name")
	if src.Name == "" {
		src.Name = name
	}
	if src.Name != name {
		writeError(w, http.StatusBadRequest, &ParamError{"name", "must match the name in the path"})
		return
	}
	out, err := s.updateSource(r.Context(), src, r.Header.Get("If-Match"))
	if err != nil {
		writeError(w, statusOf(err), err)
		return
	}
	writeJSON(w, http.StatusOK, out)
}

func (s *Server) updateSource(ctx context.Context, src workers.Source, ifMatch string) (workers.Source, error) {
	cur, err := s.workers.Sources().Get(ctx, src.Name)
	if err != nil {
		return workers.Source{}, err
	}
	src.Revision = cur.Revision
	if ifMatch = strings.Trim(ifMatch, `"`); ifMatch != "" {
		rev, err := strconv.ParseUint(ifMatch, 10, 64)
		if err != nil {
			return workers.Source{}, &ParamError{"If-Match", "must be a revision number"}
		}
		src.Revision = rev
	}
	return s.workers.Sources().Update(ctx, src)
}

func (s *Server) apiSourceDelete(w http.ResponseWriter, r *http.Request) {
	if err := s.workers.Sources().Remove(r.Context(), r.PathValue("name")); err != nil {
		writeError(w, statusOf(err), err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (s *Server) apiSourceRun(w http.ResponseWriter, r *http.Request) {
	full, err := boolParam(r.URL.Query(), "full")
	if err != nil {
		writeError(w, http.StatusBadRequest, err)
		return
	}
	id, err := s.workers.RunNow(r.Context(), r.PathValue("name"), full != nil && *full)
	if err != nil {
		writeError(w, statusOf(err), err)
		return
	}
	writeJSON(w, http.StatusAccepted, map[string]string{"run_id": id})
}

func (s *Server) apiSourceCancel(w http.ResponseWriter, r *http.Request) {
	if err := s.workers.Cancel(r.Context(), r.PathValue("name")); err != nil {
		writeError(w, statusOf(err), err)
		return
	}
	writeJSON(w, http.StatusAccepted, map[string]string{"status": "cancelling"})
}

// --- runs API ---

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
	writeJSON(w, http.StatusOK, nonNil(runs))
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
	writeJSON(w, http.StatusOK, run)
}

func (s *Server) apiDeadLetters(w http.ResponseWriter, r *http.Request) {
	dl, err := s.workers.DeadLetters(r.Context())
	if err != nil {
		writeError(w, statusOf(err), err)
		return
	}
	writeJSON(w, http.StatusOK, nonNil(dl))
}

// sseHeartbeat keeps proxies from closing a quiet progress stream.
const sseHeartbeat = 15 * time.Second

// sourceProgress streams a source's progress as server-sent events: first the latest run,
// then every update the workers publish, until the client leaves.
func (s *Server) sourceProgress(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("name")
	ctx := r.Context()
	if _, err := s.workers.Sources().Get(ctx, name); err != nil {
		s.fail(w, r, statusOf(err), err)
		return
	}
	flusher, ok := w.(http.Flusher)
	if !ok {
		s.fail(w, r, http.StatusInternalServerError, errors.New("streaming unsupported"))
		return
	}
	updates, err := s.workers.WatchProgress(ctx, name)
	if err != nil {
		s.fail(w, r, statusOf(err), err)
		return
	}
	w.Header().Set("Content-Type", "text/event-stream")
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("X-Accel-Buffering", "no")
	w.WriteHeader(http.StatusOK)
	send := func(p workers.Progress) bool {
		b, err := json.Marshal(p)
		if err != nil {
			return false
		}
		if _, err := fmt.Fprintf(w, "event: progress\ndata: %s\n\n", b); err != nil {
			return false
		}
		flusher.Flush()
		return true
	}
	if runs, err := s.workers.History(ctx, name, 1); err == nil && len(runs) > 0 {
		send(progressOfRun(runs[0]))
	} else {
		_, _ = fmt.Fprint(w, ": no runs yet\n\n")
		flusher.Flush()
	}
	tick := time.NewTicker(sseHeartbeat)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-s.stopping:
			return
		case p, ok := <-updates:
			if !ok || !send(p) {
				return
			}
		case <-tick.C:
			if _, err := fmt.Fprint(w, ": keep-alive\n\n"); err != nil {
				return
			}
			flusher.Flush()
		}
	}
}

func progressOfRun(run workers.Run) workers.Progress {
	at := run.Ended
	if at.IsZero() {
		at = cmpTime(run.Started, run.Queued)
	}
	return workers.Progress{
		RunID: run.ID, Source: run.Source, Status: run.Status, Pages: run.Pages, Records: run.Records,
		Upserted: run.Upserted, Deleted: run.Deleted, Expected: run.Expected, At: at,
	}
}

func cmpTime(a, b time.Time) time.Time {
	if a.IsZero() {
		return b
	}
	return a
}

// --- pages ---

type sourceRow struct {
	workers.SourceStatus
	Records int
	Mix     chart
}

type sourcesView struct {
	Rows    []sourceRow
	Total   int
	Catalog chart
	Dead    int
}

func (s *Server) sourcesPage(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	st, err := s.workers.Status(ctx)
	if err != nil {
		s.fail(w, r, statusOf(err), err)
		return
	}
	stats, err := s.index.Stats(ctx)
	if err != nil {
		s.fail(w, r, statusOf(err), err)
		return
	}
	v := sourcesView{Total: stats.Records}
	if dl, err := s.workers.DeadLetters(ctx); err == nil {
		v.Dead = len(dl)
	}
	for _, ss := range st {
		mix, err := s.licenseMix(ctx, ss.Source.Name)
		if err != nil {
			s.fail(w, r, statusOf(err), err)
			return
		}
		v.Rows = append(v.Rows, sourceRow{SourceStatus: ss, Records: stats.BySource[ss.Source.Name], Mix: stackedBar(mix, "License mix of "+ss.Source.Name)})
	}
	all, err := s.licenseMix(ctx, "")
	if err != nil {
		s.fail(w, r, statusOf(err), err)
		return
	}
	v.Catalog = barChart(all, "Licenses across the catalog")
	s.render(w, r, http.StatusOK, "sources", v)
}

// licenseMix counts records per license (unknown as "unknown"), of one source or the catalog,
// hidden and closed ones included.
func (s *Server) licenseMix(ctx context.Context, source string) ([]bar, error) {
	req := catalog.SearchRequest{Facets: []string{catalog.FacetLicense}, PerPage: 1,
		Filter: catalog.Filter{WithHidden: true}}
	if source != "" {
		req.Filter.Sources = []string{source}
	}
	req.Normalize()
	res, err := s.index.Search(ctx, req)
	if err != nil {
		return nil, err
	}
	return licenseBars(res.Facets[catalog.FacetLicense], res.Total), nil
}

type sourceForm struct {
	Name, Type, URL, Prefixes, Sets, Schedule, TimeZone, Mode, URLs, PathPrefix string
	MaxPages, MaxDepth                                                          int
	Paused                                                                      bool
}

func formOf(src workers.Source) sourceForm {
	return sourceForm{
		Name: src.Name, Type: src.Type, URL: src.URL, Prefixes: strings.Join(src.MetadataPrefixes, " "),
		Sets: strings.Join(src.Sets, " "), Schedule: src.Schedule, TimeZone: src.TimeZone, Mode: src.Mode,
		URLs: strings.Join(src.URLs, "\n"), PathPrefix: src.PathPrefix, MaxPages: src.MaxPages,
		MaxDepth: src.MaxDepth, Paused: src.Paused,
	}
}

func (f sourceForm) source() (workers.Source, error) {
	src := workers.Source{
		Source: harvester.Source{
			Name: strings.TrimSpace(f.Name), Type: f.Type, URL: strings.TrimSpace(f.URL),
			MetadataPrefixes: strings.Fields(f.Prefixes), Sets: strings.Fields(f.Sets),
			Mode: f.Mode, URLs: strings.Fields(f.URLs), PathPrefix: strings.TrimSpace(f.PathPrefix),
			MaxPages: f.MaxPages, MaxDepth: f.MaxDepth,
		},
		Schedule: strings.TrimSpace(f.Schedule), TimeZone: strings.TrimSpace(f.TimeZone), Paused: f.Paused,
	}
	return src, src.Validate()
}

func readSourceForm(r *http.Request) (sourceForm, error) {
	f := sourceForm{
		Name: r.PostFormValue("name"), Type: r.PostFormValue("type"), URL: r.PostFormValue("url"),
		Prefixes: r.PostFormValue("prefixes"), Sets: r.PostFormValue("sets"), Schedule: r.PostFormValue("schedule"),
		TimeZone: r.PostFormValue("time_zone"), Mode: r.PostFormValue("mode"), URLs: r.PostFormValue("urls"),
		PathPrefix: r.PostFormValue("path_prefix"), Paused: r.PostFormValue("paused") != "",
	}
	var err error
	for _, n := range []struct {
		name string
		to   *int
	}{{"max_pages", &f.MaxPages}, {"max_depth", &f.MaxDepth}} {
		if *n.to, err = intParam(r.PostForm, n.name, 0, 1000000); err != nil {
			return f, err
		}
	}
	return f, nil
}

type sourceFormView struct {
	New    bool
	Form   sourceForm
	Probe  *probe.Report
	Error  string
	Status *workers.SourceStatus
	Runs   []workers.Run
	Chart  chart
	Mix    chart
}

func (s *Server) sourceFormPage(w http.ResponseWriter, r *http.Request) {
	s.render(w, r, http.StatusOK, "source", sourceFormView{New: true, Form: sourceForm{Type: harvester.TypeOAIPMH}})
}

// sourceFormPost saves the add or edit form, or probes the URL first when asked to.
func (s *Server) sourceFormPost(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("name")
	isNew := name == ""
	f, err := readSourceForm(r)
	v := sourceFormView{New: isNew, Form: f}
	if !isNew {
		v.Form.Name = name
		f.Name = name
		s.sourceDetail(r.Context(), name, &v)
	}
	if err != nil {
		v.Error = err.Error()
		s.render(w, r, http.StatusBadRequest, "source", v)
		return
	}
	if r.PostFormValue("action") == "probe" {
		if s.probe == nil {
			v.Error = "Probing is not available on this server."
		} else if rep, err := s.probe(r.Context(), f.Type, strings.TrimSpace(f.URL)); err != nil {
			v.Error = "Probe failed: " + err.Error()
		} else {
			v.Probe = &rep
		}
		s.render(w, r, http.StatusOK, "source", v)
		return
	}
	src, err := f.source()
	if err == nil {
		if isNew {
			_, err = s.workers.Sources().Add(r.Context(), src)
		} else {
			_, err = s.updateSource(r.Context(), src, "")
		}
	}
	if err != nil {
		v.Error = err.Error()
		s.render(w, r, statusOf(err), "source", v)
		return
	}
	http.Redirect(w, r, "/admin/sources/"+src.Name, http.StatusSeeOther)
}

func (s *Server) sourcePage(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("name")
	src, err := s.workers.Sources().Get(r.Context(), name)
	if err != nil {
		s.fail(w, r, statusOf(err), err)
		return
	}
	v := sourceFormView{Form: formOf(src)}
	s.sourceDetail(r.Context(), name, &v)
	s.render(w, r, http.StatusOK, "source", v)
}

// sourceDetail fills the status, run history and charts of an existing source.
func (s *Server) sourceDetail(ctx context.Context, name string, v *sourceFormView) {
	if st, err := s.workers.Status(ctx); err == nil {
		if i := slices.IndexFunc(st, func(ss workers.SourceStatus) bool { return ss.Source.Name == name }); i >= 0 {
			v.Status = &st[i]
		}
	}
	if runs, err := s.workers.History(ctx, name, 30); err == nil {
		v.Runs = runs
		v.Chart = runsChart(runs)
	}
	if mix, err := s.licenseMix(ctx, name); err == nil {
		v.Mix = barChart(mix, "Licenses of "+name)
	}
}

func (s *Server) sourceRunPost(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("name")
	var err error
	switch r.PostFormValue("action") {
	case "cancel":
		err = s.workers.Cancel(r.Context(), name)
	default:
		_, err = s.workers.RunNow(r.Context(), name, r.PostFormValue("full") != "")
	}
	if err != nil && !errors.Is(err, workers.ErrPending) && !errors.Is(err, workers.ErrIdle) {
		s.fail(w, r, statusOf(err), err)
		return
	}
	http.Redirect(w, r, "/admin/sources/"+name+"#progress", http.StatusSeeOther)
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
	s.render(w, r, http.StatusOK, "runs", runsView{Runs: runs, Dead: dead, Chart: runsChart(runs)})
}

func (s *Server) runPage(w http.ResponseWriter, r *http.Request) {
	run, err := s.workers.Run(r.Context(), r.PathValue("id"))
	if err != nil {
		s.fail(w, r, statusOf(err), err)
		return
	}
	s.render(w, r, http.StatusOK, "run", run)
}
