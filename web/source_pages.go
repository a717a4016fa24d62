package web

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/orchard-oer/orchard/catalog"
	"github.com/orchard-oer/orchard/harvester"
	"github.com/orchard-oer/orchard/locale"
	"github.com/orchard-oer/orchard/probe"
	"github.com/orchard-oer/orchard/workers"
)

// The staff pages for sources: the overview, a source's page with its form, and the form's
// actions (save, probe, run, cancel).

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
	// Steps is the first-steps checklist, shown until every step is done.
	Steps []step
}

// step is one item of the first-steps checklist. Label, Hint and Action are message ids; Count
// and Name fill in the hint and the action.
type step struct {
	Label, Hint, URL, Action string
	Done                     bool
	Count                    int
	Name                     string
}

// firstSteps lists what a new catalog needs: a source, a run of it, and a decision about every
// record whose license Orchard could not settle. It is nil once all are done.
func (s *Server) firstSteps(ctx context.Context, st []workers.SourceStatus) ([]step, error) {
	ran := slices.ContainsFunc(st, func(ss workers.SourceStatus) bool {
		return ss.Last != nil && ss.Last.Status == workers.StatusSucceeded
	})
	req := catalog.SearchRequest{PerPage: 1, Filter: catalog.Filter{
		Statuses: []catalog.Status{catalog.StatusUnknown, catalog.StatusConflict}}}
	req.Normalize()
	res, err := s.index.Search(ctx, req)
	if err != nil {
		return nil, err
	}
	steps := []step{
		{Label: "steps.add", Hint: "steps.add.hint", URL: "/admin/sources/new", Action: "steps.add.action", Done: len(st) > 0},
		{Label: "steps.run", Hint: "steps.run.hint", URL: "/admin/", Action: "steps.run.action", Done: ran},
		{Label: "steps.settle", Hint: "steps.settle.hint", URL: "/admin/curation", Action: "steps.settle.action", Done: ran && res.Total == 0},
	}
	if ran && res.Total > 0 {
		steps[2].Hint, steps[2].Count = "steps.settle.waiting", res.Total
	}
	if len(st) == 1 {
		steps[1].URL, steps[1].Action, steps[1].Name = "/admin/sources/"+st[0].Source.Name, "steps.run.open", st[0].Source.Name
	}
	for _, p := range steps {
		if !p.Done {
			return steps, nil
		}
	}
	return nil, nil
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
	if v.Steps, err = s.firstSteps(ctx, st); err != nil {
		s.fail(w, r, statusOf(err), err)
		return
	}
	if dl, err := s.workers.DeadLetters(ctx); err == nil {
		v.Dead = len(dl)
	}
	for _, ss := range st {
		mix, err := s.licenseMix(ctx, ss.Source.Name)
		if err != nil {
			s.fail(w, r, statusOf(err), err)
			return
		}
		v.Rows = append(v.Rows, sourceRow{SourceStatus: ss, Records: stats.BySource[ss.Source.Name], Mix: stackedBar(s.localizer(r), mix, s.localizer(r).T("chart.mix_of", "Source", ss.Source.Name))})
	}
	all, err := s.licenseMix(ctx, "")
	if err != nil {
		s.fail(w, r, statusOf(err), err)
		return
	}
	v.Catalog = barChart(s.localizer(r), all, s.localizer(r).T("sources.chart"))
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

// sourceForm holds the settings the source form shows; saving it changes those and keeps the
// others. Revision is the one the page showed, so that saving refuses to undo a change made
// since.
type sourceForm struct {
	Name, Type, URL, Prefixes, Sets, Schedule, TimeZone, Mode, URLs, PathPrefix string
	Title, Description                                                          string
	FullEvery                                                                   string // a duration; validated by readSourceForm
	MaxPages, MaxDepth                                                          int
	Paused                                                                      bool
	Revision                                                                    uint64
}

func formOf(src workers.Source) sourceForm {
	return sourceForm{
		Name: src.Name, Type: src.Type, URL: src.URL, Prefixes: strings.Join(src.MetadataPrefixes, " "),
		Sets: strings.Join(src.Sets, " "), Schedule: src.Schedule, TimeZone: src.TimeZone, Mode: src.Mode,
		URLs: strings.Join(src.URLs, "\n"), PathPrefix: src.PathPrefix, MaxPages: src.MaxPages,
		MaxDepth: src.MaxDepth, Paused: src.Paused, Revision: src.Revision,
		Title: src.Title, Description: src.Description, FullEvery: durationString(src.FullEvery),
	}
}

// applyTo sets the form's settings on src.
func (f sourceForm) applyTo(src *workers.Source) {
	src.Type, src.URL = f.Type, strings.TrimSpace(f.URL)
	src.MetadataPrefixes, src.Sets = strings.Fields(f.Prefixes), strings.Fields(f.Sets)
	src.Mode, src.URLs, src.PathPrefix = f.Mode, strings.Fields(f.URLs), strings.TrimSpace(f.PathPrefix)
	src.MaxPages, src.MaxDepth = f.MaxPages, f.MaxDepth
	src.Schedule, src.TimeZone, src.Paused = strings.TrimSpace(f.Schedule), strings.TrimSpace(f.TimeZone), f.Paused
	src.Title, src.Description = strings.TrimSpace(f.Title), strings.TrimSpace(f.Description)
	src.FullEvery, _ = parseDuration("full_every", strings.TrimSpace(f.FullEvery)) // readSourceForm refused a bad one
}

func readSourceForm(r *http.Request) (sourceForm, error) {
	f := sourceForm{
		Name: r.PostFormValue("name"), Type: r.PostFormValue("type"), URL: r.PostFormValue("url"),
		Prefixes: r.PostFormValue("prefixes"), Sets: r.PostFormValue("sets"), Schedule: r.PostFormValue("schedule"),
		TimeZone: r.PostFormValue("time_zone"), Mode: r.PostFormValue("mode"), URLs: r.PostFormValue("urls"),
		PathPrefix: r.PostFormValue("path_prefix"), Paused: r.PostFormValue("paused") != "",
		Title: r.PostFormValue("title"), Description: r.PostFormValue("description"),
		FullEvery: r.PostFormValue("full_every"),
	}
	if _, err := parseDuration("full_every", strings.TrimSpace(f.FullEvery)); err != nil {
		return f, err
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
	if v := r.PostFormValue("revision"); v != "" {
		if f.Revision, err = strconv.ParseUint(v, 10, 64); err != nil {
			return f, &ParamError{"revision", "must be a revision number"}
		}
	}
	return f, nil
}

type sourceFormView struct {
	New   bool
	Form  sourceForm
	Probe *probe.Report
	// Detected is the line saying what the URL was found to be.
	Detected string
	Error    string
	Status   *workers.SourceStatus
	Runs     []workers.Run
	Chart    chart
	Mix      chart
	// Sweep is the run whose sweep waits for a librarian, if any.
	Sweep *workers.Run
}

func (s *Server) sourceFormPage(w http.ResponseWriter, r *http.Request) {
	s.render(w, r, http.StatusOK, "source", sourceFormView{New: true})
}

// errEditedMeanwhile is shown when a source changed after its form was loaded.
var errEditedMeanwhile = errors.New("someone changed this source since this page was loaded; reload the page to see their changes")

// sourceFormPost saves the add or edit form, or probes the URL or detects its type first when
// asked to. A type left on "detect" is detected on saving; a new source's given type is checked.
func (s *Server) sourceFormPost(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("name")
	isNew := name == ""
	f, err := readSourceForm(r)
	v := sourceFormView{New: isNew, Form: f}
	if !isNew {
		v.Form.Name = name
		f.Name = name
		s.sourceDetail(r.Context(), s.localizer(r), name, &v)
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
	if r.PostFormValue("action") == "detect" {
		v.Form.Type, v.Form.Mode = "", ""
		f = v.Form
	}
	d, err := s.detectSource(r.Context(), isNew, &f.Type, &f.Mode, &f.URL)
	if err != nil {
		status, err := probeError(err)
		v.Error = err.Error()
		s.render(w, r, status, "source", v)
		return
	}
	v.Detected = detectedLine(d)
	if r.PostFormValue("action") == "detect" {
		v.Form = f
		s.render(w, r, http.StatusOK, "source", v)
		return
	}
	if isNew {
		src := workers.Source{Source: harvester.Source{Name: strings.TrimSpace(f.Name)}}
		f.applyTo(&src)
		_, err = s.workers.Sources().Add(r.Context(), src)
		name = src.Name
	} else {
		_, err = s.workers.Sources().Edit(r.Context(), name, f.Revision, func(src *workers.Source) error {
			f.applyTo(src)
			return nil
		})
		if f.Revision != 0 && errors.Is(err, workers.ErrConflict) {
			v.Error = errEditedMeanwhile.Error()
			s.render(w, r, http.StatusConflict, "source", v)
			return
		}
	}
	if err != nil {
		v.Error = err.Error()
		s.render(w, r, statusOf(err), "source", v)
		return
	}
	http.Redirect(w, r, "/admin/sources/"+name, http.StatusSeeOther)
}

func (s *Server) sourcePage(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("name")
	src, err := s.workers.Sources().Get(r.Context(), name)
	if err != nil {
		s.fail(w, r, statusOf(err), err)
		return
	}
	v := sourceFormView{Form: formOf(src)}
	s.sourceDetail(r.Context(), s.localizer(r), name, &v)
	s.render(w, r, http.StatusOK, "source", v)
}

// sourceDetail fills the status, run history and charts of an existing source.
func (s *Server) sourceDetail(ctx context.Context, l *locale.Localizer, name string, v *sourceFormView) {
	if st, err := s.workers.Status(ctx); err == nil {
		if i := slices.IndexFunc(st, func(ss workers.SourceStatus) bool { return ss.Source.Name == name }); i >= 0 {
			v.Status = &st[i]
		}
	}
	if runs, err := s.workers.History(ctx, name, 30); err == nil {
		v.Runs = runs
		v.Chart = runsChart(l, runs)
	}
	if run, err := s.workers.WaitingSweep(ctx, name); err == nil {
		v.Sweep = &run
	}
	if mix, err := s.licenseMix(ctx, name); err == nil {
		v.Mix = barChart(l, mix, l.T("chart.licenses_of", "Source", name))
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
