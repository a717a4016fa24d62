package web

import (
	"cmp"
	"errors"
	"net/http"
	"strings"

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
		rec, err := s.getVisible(r.Context(), viewerOf(r), req.Record)
		if err != nil {
			var pe *ParamError
			if errors.As(err, &pe) {
				err = &ParamError{"record", pe.Reason}
			}
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
