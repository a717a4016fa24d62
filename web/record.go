package web

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"strings"

	"github.com/orchard-oer/orchard/amb"
	"github.com/orchard-oer/orchard/catalog"
	"github.com/orchard-oer/orchard/curation"
	"github.com/orchard-oer/orchard/normalizer"
	"github.com/orchard-oer/orchard/normalizer/license"
	"github.com/orchard-oer/orchard/workers"
)

// attribution is a record's credit line in the three forms learners paste.
type attribution struct {
	Text     string `json:"text"`
	HTML     string `json:"html"`
	Markdown string `json:"markdown"`
}

// attributionOf writes the credit line in a language, the creators joined with its word for
// "and"; the API and the exports keep English.
func attributionOf(rec *catalog.Record, lang, and string) attribution {
	w := license.Work{Title: rec.Title, Author: joinNames(rec.Creators, and), SourceURL: rec.URL}
	t := normalizer.Tool(rec.License)
	return attribution{
		Text:     license.AttributeIn(w, t, license.FormatText, lang),
		HTML:     license.AttributeIn(w, t, license.FormatHTML, lang),
		Markdown: license.AttributeIn(w, t, license.FormatMarkdown, lang),
	}
}

// joinNames writes "A", "A and B" or "A, B and C".
func joinNames(names []string, and string) string {
	switch len(names) {
	case 0:
		return ""
	case 1:
		return names[0]
	}
	return strings.Join(names[:len(names)-1], ", ") + " " + and + " " + names[len(names)-1]
}

// getVisible reads a record learners may see: hidden records are only for staff.
func (s *Server) getVisible(ctx context.Context, v *viewer, id string) (catalog.Record, error) {
	if err := checkRecordID(id); err != nil {
		return catalog.Record{}, err
	}
	rec, err := s.index.Get(ctx, id)
	if err == nil && rec.Withheld() && !v.Staff() {
		err = catalog.ErrNotFound
	}
	return rec, err
}

// getVisibleParam is getVisible for a record named by a request parameter other than the path's
// {id}: a malformed id is reported against that parameter.
func (s *Server) getVisibleParam(ctx context.Context, v *viewer, param, id string) (catalog.Record, error) {
	rec, err := s.getVisible(ctx, v, id)
	var pe *ParamError
	if errors.As(err, &pe) {
		err = &ParamError{param, pe.Reason}
	}
	return rec, err
}

func (s *Server) apiRecord(w http.ResponseWriter, r *http.Request) {
	rec, err := s.getVisible(r.Context(), viewerOf(r), r.PathValue("id"))
	if isMergedEntryMiss(err) && s.redirectMerged(w, r, r.PathValue("id"), "/api/records/", "") {
		return
	}
	if err != nil {
		writeError(w, statusOf(err), err)
		return
	}
	writeJSON(w, http.StatusOK, rec)
}

// licenseInfo is what a learner needs to reuse a record: the license in plain words and the
// attribution.
type licenseInfo struct {
	ID          string      `json:"id"`
	Label       string      `json:"label,omitempty"`
	URL         string      `json:"url,omitempty"`
	Status      string      `json:"status"`
	Explanation explanation `json:"explanation"`
	Attribution attribution `json:"attribution"`
}

func licenseInfoOf(rec *catalog.Record) licenseInfo {
	return licenseInfo{
		ID: rec.License.ID, Label: rec.License.Label, URL: rec.License.URL, Status: string(rec.License.Status()),
		Explanation: explain(rec.License), Attribution: attributionOf(rec, "en", "and"),
	}
}

func (s *Server) apiRecordLicense(w http.ResponseWriter, r *http.Request) {
	rec, err := s.getVisible(r.Context(), viewerOf(r), r.PathValue("id"))
	if isMergedEntryMiss(err) && s.redirectMerged(w, r, r.PathValue("id"), "/api/records/", "/license") {
		return
	}
	if err != nil {
		writeError(w, statusOf(err), err)
		return
	}
	writeJSON(w, http.StatusOK, licenseInfoOf(&rec))
}

// remixResult answers "may I combine these?".
type remixResult struct {
	Licenses []string `json:"licenses"` // the licenses asked about
	license.Compat
}

// apiRemix checks whether works under the given licenses (license=ID, repeated) or records
// (record=ID, repeated) may be combined into an adaptation.
func (s *Server) apiRemix(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	ids := list(q, "license")
	for _, rid := range list(q, "record") {
		rec, err := s.getVisibleParam(r.Context(), viewerOf(r), "record", rid)
		if err != nil {
			writeError(w, statusOf(err), err)
			return
		}
		ids = append(ids, cmpOrUnknown(rec.License.ID))
	}
	if len(ids) < 2 {
		writeError(w, http.StatusBadRequest, &ParamError{"license", "give at least two licenses or records"})
		return
	}
	writeJSON(w, http.StatusOK, remixCheck(ids))
}

func cmpOrUnknown(id string) string {
	if id == "" {
		return "unknown"
	}
	return id
}

func remixCheck(ids []string) remixResult {
	c := license.Compatible(ids...)
	if c.Licenses == nil {
		c.Licenses = []string{}
	}
	return remixResult{Licenses: ids, Compat: c}
}

type recordView struct {
	Rec        catalog.Record
	Info       licenseInfo
	JSONLD     amb.Resource
	Choices    []license.Tool // licenses to check a remix against
	With       string
	Remix      *remixResult
	InToolkit  bool
	Decision   *curation.Decision
	AllTools   []license.Tool
	Permalink  string
	Evidence   []catalog.Evidence
	StatusText string
	Check      *attributionView // the graded attribution, after a POST from the page
	Source     workers.Source   // the record's source, as far as the registry knows it
	Typed      *curateInput     // a refused curation form, as typed
	// Permission replaces the attribution and the remix check when reuse needs the rights
	// holder's permission.
	Permission *permission
}

// permission says whom to ask before reusing a work: the creators, and what the source says
// about the rights holder.
type permission struct {
	Creators string
	Notices  []string // rights statements naming a holder ("© 2020 City Museum")
	Source   string   // where the work is published
}

func permissionOf(rec *catalog.Record, and string) *permission {
	if rec.License.Status() == catalog.StatusConflict || !normalizer.Tool(rec.License).NeedsPermission() {
		return nil
	}
	p := &permission{Creators: joinNames(rec.Creators, and), Source: rec.URL}
	for _, e := range rec.License.Evidence {
		low := strings.ToLower(e.Value)
		if (strings.Contains(low, "©") || strings.Contains(low, "copyright") || strings.Contains(low, "(c)")) &&
			!slices.Contains(p.Notices, e.Value) {
			p.Notices = append(p.Notices, e.Value)
		}
	}
	return p
}

// standing says in the words of license.Openness how far a resource may be reused.

func (s *Server) recordPage(w http.ResponseWriter, r *http.Request) {
	s.showRecord(w, r, http.StatusOK, nil)
}

// showRecord renders a record's page; typed, when set, is a curation form that was refused,
// shown again as it was typed with what was wrong.
func (s *Server) showRecord(w http.ResponseWriter, r *http.Request, status int, typed *curateInput) {
	v := viewerOf(r)
	rec, err := s.getVisible(r.Context(), v, r.PathValue("id"))
	if isMergedEntryMiss(err) && s.redirectMerged(w, r, r.PathValue("id"), "/records/", "") {
		return
	}
	if err != nil {
		s.fail(w, r, statusOf(err), err)
		return
	}
	l := s.localizer(r)
	view := recordView{
		Rec: rec, Info: licenseInfoOf(&rec), JSONLD: amb.Describe(s.site(r), &rec), Choices: remixChoices(),
		Permalink: "/records/" + rec.ID, Evidence: rec.License.Evidence, StatusText: normalizer.Standing(rec.License),
		Permission: permissionOf(&rec, l.T("word.and")),
	}
	view.Info.Attribution = attributionOf(&rec, l.Code, l.T("word.and"))
	view.Source.Name = rec.Source
	if s.workers != nil {
		if src, err := s.workers.Sources().Get(r.Context(), rec.Source); err == nil {
			view.Source = src
		}
	}
	if with := strings.TrimSpace(r.URL.Query().Get("with")); with != "" {
		view.With = with
		res := remixCheck([]string{cmpOrUnknown(rec.License.ID), with})
		view.Remix = &res
	}
	if r.Method == http.MethodPost && typed == nil {
		view.Check = checkOnPage(w, r, &rec)
	}
	view.Typed = typed
	if id, _, ok := myToolkitCookie(r); ok && s.toolkits != nil {
		if t, err := s.toolkits.Get(r.Context(), id); err == nil {
			view.InToolkit = t.Has(rec.ID)
		}
	}
	if v.Staff() && s.overrides != nil {
		if d, ok, err := s.overrides.Get(r.Context(), rec.ID); err == nil && ok {
			view.Decision = &d
		}
		view.AllTools = license.All()
	}
	s.render(w, r, status, "record", view)
}

// remixChoices are the current versions of the common licenses, offered in the remix check.
func remixChoices() []license.Tool {
	var out []license.Tool
	for _, id := range []string{"CC0-1.0", "CC-PDM-1.0", "CC-BY-4.0", "CC-BY-SA-4.0", "CC-BY-NC-4.0", "CC-BY-NC-SA-4.0",
		"CC-BY-ND-4.0", "CC-BY-NC-ND-4.0", "CC-BY-3.0", "CC-BY-SA-3.0", "CC-BY-SA-2.0", "GPL-3.0-only", "MIT"} {
		if t, ok := license.Lookup(id); ok {
			out = append(out, t)
		}
	}
	return out
}
