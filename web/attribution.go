package web

import (
	"cmp"
	"errors"
	"net/http"
	"strings"

	"github.com/orchard-oer/orchard/catalog"
	grade "github.com/orchard-oer/orchard/normalizer/attribution"
)

// attributionRequest is the body of POST /api/attribution/check: the work, given by its record
// or by its facts (facts given win over the record's), and the learner's attribution.
type attributionRequest struct {
	Record  string   `json:"record"`
	Title   string   `json:"title"`
	Authors []string `json:"authors"`
	URL     string   `json:"url"`
	License string   `json:"license"`
	Adapted bool     `json:"adapted"`
	Text    string   `json:"text"`
}

// apiAttributionCheck grades an attribution and answers the same verdict as
// `orchard attribution check --json`.
func (s *Server) apiAttributionCheck(w http.ResponseWriter, r *http.Request) {
	var req attributionRequest
	if err := decodeBody(r, &req); err != nil {
		writeError(w, http.StatusBadRequest, err)
		return
	}
	want := grade.Expected{Title: req.Title, Authors: req.Authors, SourceURL: req.URL,
		License: req.License, Adapted: req.Adapted}
	if req.Record != "" {
		rec, err := s.getVisibleParam(r.Context(), viewerOf(r), "record", req.Record)
		if err != nil {
			writeError(w, statusOf(err), err)
			return
		}
		want.Title = cmp.Or(want.Title, rec.Title)
		want.SourceURL = cmp.Or(want.SourceURL, rec.URL)
		want.License = cmp.Or(want.License, rec.License.ID)
		if len(want.Authors) == 0 {
			want.Authors = rec.Creators
		}
	}
	if strings.TrimSpace(want.License) == "" {
		writeError(w, http.StatusBadRequest, &ParamError{"license", "give the work's license or its record"})
		return
	}
	res, err := grade.Check(want, req.Text)
	switch {
	case errors.Is(err, grade.ErrTooLarge):
		writeError(w, http.StatusRequestEntityTooLarge, &ParamError{"text", err.Error()})
		return
	case err != nil:
		writeError(w, http.StatusBadRequest, &ParamError{"license", err.Error()})
		return
	}
	writeJSON(w, http.StatusOK, res.Verdict())
}

// attributionView is the "Check my attribution" box of a record page after a learner sent one.
type attributionView struct {
	Text     string
	Adapted  bool
	Error    string
	Result   *grade.Result
	Elements []elementView
}

type elementView struct {
	Name, State, Problem string
}

// elementNames are the message ids of the headings the page gives the graded elements.
var elementNames = map[string]string{"title": "check.element.title", "author": "check.element.author",
	"source": "check.element.source", "license": "check.element.license", "modified": "check.element.modified"}

// maxFormBody bounds the form a record page's check sends: the attribution, URL-encoded, and
// the CSRF token.
const maxFormBody = 4*grade.MaxSize + 4096

// checkOnPage grades the attribution a learner sent from the record page of rec.
func checkOnPage(w http.ResponseWriter, r *http.Request, rec *catalog.Record) *attributionView {
	r.Body = http.MaxBytesReader(w, r.Body, maxFormBody)
	if err := r.ParseForm(); err != nil {
		return &attributionView{Error: "The attribution is too long: at most 64 KiB."}
	}
	v := &attributionView{Text: r.PostFormValue("text"), Adapted: r.PostFormValue("adapted") != ""}
	if strings.TrimSpace(v.Text) == "" {
		v.Error = "Paste your attribution first."
		return v
	}
	res, err := grade.Check(grade.Expected{Title: rec.Title, Authors: rec.Creators, SourceURL: rec.URL,
		License: rec.License.ID, Adapted: v.Adapted}, v.Text)
	switch {
	case errors.Is(err, grade.ErrTooLarge):
		v.Error = "The attribution is too long: at most 64 KiB."
		return v
	case err != nil:
		v.Error = "This record's license is not known well enough to grade an attribution against it."
		return v
	}
	v.Result = &res
	for _, el := range res.Elements() {
		v.Elements = append(v.Elements, elementView{Name: elementNames[el.Name], State: el.State(), Problem: el.Problem})
	}
	return v
}
