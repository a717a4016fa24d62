package web

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/orchard-oer/orchard/catalog"
	"github.com/orchard-oer/orchard/curation"
	"github.com/orchard-oer/orchard/normalizer/license"
)

// change edits the decision about id and applies it to the indexed record at once.
func (s *Server) change(ctx context.Context, id string, edit func(*curation.Decision) error) (catalog.Record, error) {
	rec, err := s.index.Get(ctx, id)
	if err != nil {
		return catalog.Record{}, fmt.Errorf("record %s: %w", id, err)
	}
	d, err := s.overrides.Change(ctx, id, edit)
	if err != nil {
		return catalog.Record{}, err
	}
	if err := curation.Apply(&rec, d); err != nil {
		return catalog.Record{}, err
	}
	rec.Indexed = catalog.Stamp(time.Now()) // harvesters of /oai see the decision as a change
	if err := s.index.Upsert(ctx, []catalog.Record{rec}); err != nil {
		return catalog.Record{}, fmt.Errorf("update record %s: %w", id, err)
	}
	return rec, nil
}

// overrideBody is the body of PUT /api/admin/overrides/{id}.
type overrideBody struct {
	License string `json:"license"`
	Note    string `json:"note"`
}

func (s *Server) setLicense(ctx context.Context, v *viewer, id string, body overrideBody) (catalog.Record, error) {
	t, ok := license.Lookup(strings.TrimSpace(body.License))
	if !ok {
		return catalog.Record{}, &ParamError{"license", fmt.Sprintf("unknown license id %q", body.License)}
	}
	if len(body.Note) > maxNote {
		return catalog.Record{}, &ParamError{"note", fmt.Sprintf("must be at most %d bytes", maxNote)}
	}
	ov := catalog.Override{ID: t.ID, Note: strings.TrimSpace(body.Note), By: cmp.Or(v.Name, string(v.Role)), At: time.Now().UTC().Format(time.RFC3339)}
	return s.change(ctx, id, func(d *curation.Decision) error { d.License = &ov; return nil })
}

func (s *Server) apiOverrideGet(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	if err := checkRecordID(id); err != nil {
		writeError(w, http.StatusBadRequest, err)
		return
	}
	d, ok, err := s.overrides.Get(r.Context(), id)
	if err != nil {
		writeError(w, statusOf(err), err)
		return
	}
	if !ok {
		writeError(w, http.StatusNotFound, fmt.Errorf("no decision about record %s", id))
		return
	}
	writeJSON(w, http.StatusOK, d)
}

func (s *Server) apiOverridePut(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	if err := checkRecordID(id); err != nil {
		writeError(w, http.StatusBadRequest, err)
		return
	}
	var body overrideBody
	if err := decodeBody(r, &body); err != nil {
		writeError(w, statusOf(err), err)
		return
	}
	rec, err := s.setLicense(r.Context(), viewerOf(r), id, body)
	if err != nil {
		writeError(w, statusOf(err), err)
		return
	}
	writeJSON(w, http.StatusOK, rec)
}

func (s *Server) apiOverrideDelete(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	if err := checkRecordID(id); err != nil {
		writeError(w, http.StatusBadRequest, err)
		return
	}
	rec, err := s.change(r.Context(), id, func(d *curation.Decision) error { d.License = nil; return nil })
	if err != nil {
		writeError(w, statusOf(err), err)
		return
	}
	writeJSON(w, http.StatusOK, rec)
}

// apiHide hides a record from learners; {"hidden": false} shows it again.
func (s *Server) apiHide(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	if err := checkRecordID(id); err != nil {
		writeError(w, http.StatusBadRequest, err)
		return
	}
	body := struct {
		Hidden *bool `json:"hidden"`
	}{}
	if r.ContentLength != 0 {
		if err := decodeBody(r, &body); err != nil {
			writeError(w, statusOf(err), err)
			return
		}
	}
	hide := body.Hidden == nil || *body.Hidden
	rec, err := s.change(r.Context(), id, func(d *curation.Decision) error { d.Hidden = hide; return nil })
	if err != nil {
		writeError(w, statusOf(err), err)
		return
	}
	writeJSON(w, http.StatusOK, rec)
}

// curationRequest is the queue: unknown and conflicting licenses, hidden records included,
// narrowed by whatever else the query asks.
func curationRequest(q url.Values) (catalog.SearchRequest, url.Values, error) {
	q2 := url.Values{}
	for k, v := range q {
		q2[k] = v
	}
	if q2.Get("status") == "" {
		q2.Set("status", "unknown,conflict")
	}
	q2.Set("open", "any")
	req, err := ParseSearch(q2)
	if err != nil {
		return req, q2, err
	}
	req.Filter.WithHidden = true
	return req, q2, nil
}

func (s *Server) apiCuration(w http.ResponseWriter, r *http.Request) {
	s.searchJSON(w, r, func(q url.Values) (catalog.SearchRequest, error) {
		req, _, err := curationRequest(q)
		return req, err
	})
}

type curationView struct {
	searchView
	Decisions map[string]curation.Decision
	Licenses  []license.Tool
	Message   string
}

func (s *Server) curationPage(w http.ResponseWriter, r *http.Request) {
	req, q, err := curationRequest(r.URL.Query())
	if err != nil {
		s.fail(w, r, http.StatusBadRequest, err)
		return
	}
	req.Facets = shownFacets
	res, err := s.runSearch(r.Context(), req)
	if err != nil {
		s.fail(w, r, statusOf(err), err)
		return
	}
	v := curationView{searchView: buildSearchView("/admin/curation", s.lang(r), q, req, res), Decisions: map[string]curation.Decision{},
		Licenses: license.All(), Message: r.URL.Query().Get("done")}
	for _, h := range res.Hits {
		if d, ok, err := s.overrides.Get(r.Context(), h.ID); err == nil && ok {
			v.Decisions[h.ID] = d
		}
	}
	s.render(w, r, http.StatusOK, "curation", v)
}

// curationPost handles the queue's forms: set a license, take an override back, hide or show.
func (s *Server) curationPost(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	if err := checkRecordID(id); err != nil {
		s.fail(w, r, http.StatusBadRequest, err)
		return
	}
	var err error
	switch r.PostFormValue("action") {
	case "license":
		in := curateInput{License: strings.TrimSpace(r.PostFormValue("license")), Note: r.PostFormValue("note")}
		lic := cmp.Or(in.License, r.PostFormValue("license_pick"))
		var ids []string
		if ids, err = licenseIDs([]string{lic}); err == nil && lic != "" {
			_, err = s.setLicense(r.Context(), viewerOf(r), id, overrideBody{License: ids[0], Note: in.Note})
		}
		if lic == "" || errors.As(err, new(*ParamError)) {
			in.Error = "Pick a license, or type its id (CC-BY-NC-4.0) or label (CC BY-NC 4.0)."
			if lic != "" {
				in.Error = fmt.Sprintf("%q is not a license Orchard knows. Type its id (CC-BY-NC-4.0) or label (CC BY-NC 4.0), or pick one.", lic)
			}
			s.showRecord(w, r, http.StatusBadRequest, &in)
			return
		}
	case "clear":
		_, err = s.change(r.Context(), id, func(d *curation.Decision) error { d.License = nil; return nil })
	case "hide", "show":
		hide := r.PostFormValue("action") == "hide"
		_, err = s.change(r.Context(), id, func(d *curation.Decision) error { d.Hidden = hide; return nil })
	default:
		err = &ParamError{"action", "must be license, clear, hide or show"}
	}
	if err != nil {
		s.fail(w, r, statusOf(err), err)
		return
	}
	back := safeNext(r.PostFormValue("back"))
	if !strings.HasPrefix(back, "/admin/curation") && !strings.HasPrefix(back, "/records/") {
		back = "/admin/curation"
	}
	http.Redirect(w, r, back, http.StatusSeeOther)
}
