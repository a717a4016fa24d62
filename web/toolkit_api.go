package web

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/orchard-oer/orchard/catalog"
	"github.com/orchard-oer/orchard/toolkit"
)

// The learners' JSON API for toolkits.

// maxNote bounds a librarian's note on a decision as it bounds a learner's note in a toolkit.
const maxNote = toolkit.MaxNote

// toolkitJSON is a toolkit as the API shows it: without the key hash.
type toolkitJSON struct {
	ID      string         `json:"id"`
	Title   string         `json:"title"`
	Created time.Time      `json:"created"`
	Updated time.Time      `json:"updated"`
	Items   []toolkit.Item `json:"items"`
	Share   string         `json:"share_url"`
	Edit    string         `json:"edit_url,omitempty"` // only when it was just created
	Key     string         `json:"key,omitempty"`      // only when it was just created
}

func toolkitJSONOf(t *toolkit.Toolkit) toolkitJSON {
	return toolkitJSON{ID: t.ID, Title: t.Title, Created: t.Created, Updated: t.Updated, Items: nonNil(t.Items), Share: "/toolkits/" + t.ID}
}

func toolkitKey(r *http.Request) string { return r.Header.Get("X-Toolkit-Key") }

func (s *Server) toolkitError(w http.ResponseWriter, r *http.Request, err error) {
	switch {
	case errors.Is(err, toolkit.ErrKey):
		s.fail(w, r, http.StatusForbidden, err)
	case errors.Is(err, toolkit.ErrFull):
		// The store's own words would say nothing more to a learner.
		s.fail(w, r, http.StatusInsufficientStorage, toolkit.ErrFull)
	default:
		s.fail(w, r, statusOf(err), err)
	}
}

func (s *Server) apiToolkitCreate(w http.ResponseWriter, r *http.Request) {
	var body struct {
		Title string `json:"title"`
		Items []struct {
			Record string `json:"record"`
			Note   string `json:"note"`
		} `json:"items"`
	}
	if r.ContentLength != 0 {
		if err := decodeBody(r, &body); err != nil {
			writeError(w, statusOf(err), err)
			return
		}
	}
	// The limits first, so that an over-long list costs no catalog lookups.
	probe := &toolkit.Toolkit{}
	for _, it := range body.Items {
		if err := probe.Put(it.Record, it.Note); err != nil {
			writeError(w, statusOf(err), err)
			return
		}
	}
	for _, it := range probe.Items {
		if err := s.recordExists(r.Context(), it.Record); err != nil {
			writeError(w, statusOf(err), err)
			return
		}
	}
	t, key, err := s.toolkits.Create(r.Context(), body.Title, probe.Items...)
	if err != nil {
		s.toolkitError(w, r, err)
		return
	}
	out := toolkitJSONOf(t)
	out.Key, out.Edit = key, "/toolkits/"+t.ID+"/"+key
	writeJSON(w, http.StatusCreated, out)
}

func (s *Server) apiToolkitGet(w http.ResponseWriter, r *http.Request) {
	t, err := s.toolkits.Get(r.Context(), r.PathValue("id"))
	s.answerToolkit(w, r, t, err)
}

// answerToolkit answers with the toolkit, or with the error that came instead.
func (s *Server) answerToolkit(w http.ResponseWriter, r *http.Request, t *toolkit.Toolkit, err error) {
	if err != nil {
		s.toolkitError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, toolkitJSONOf(t))
}

func (s *Server) apiToolkitRename(w http.ResponseWriter, r *http.Request) {
	var body struct {
		Title string `json:"title"`
	}
	if err := decodeBody(r, &body); err != nil {
		writeError(w, statusOf(err), err)
		return
	}
	s.apiToolkitEdit(w, r, func(t *toolkit.Toolkit) error { return t.Rename(body.Title) })
}

// apiToolkitEdit applies change under the request's key and answers with the toolkit.
func (s *Server) apiToolkitEdit(w http.ResponseWriter, r *http.Request, change func(*toolkit.Toolkit) error) {
	t, err := s.toolkits.Edit(r.Context(), r.PathValue("id"), toolkitKey(r), change)
	s.answerToolkit(w, r, t, err)
}

func (s *Server) apiToolkitPutItem(w http.ResponseWriter, r *http.Request) {
	var body struct {
		Note string `json:"note"`
	}
	if r.ContentLength != 0 {
		if err := decodeBody(r, &body); err != nil {
			writeError(w, statusOf(err), err)
			return
		}
	}
	rid := r.PathValue("record")
	if err := s.recordExists(r.Context(), rid); err != nil {
		s.toolkitError(w, r, err)
		return
	}
	s.apiToolkitEdit(w, r, func(t *toolkit.Toolkit) error { return t.Put(rid, body.Note) })
}

// recordExists refuses ids that are malformed or not (visibly) in the catalog.
func (s *Server) recordExists(ctx context.Context, id string) error {
	if err := checkRecordID(id); err != nil {
		return &ParamError{"record", err.(*ParamError).Reason}
	}
	rec, err := s.index.Get(ctx, id)
	if err == nil && rec.Withheld() {
		err = catalog.ErrNotFound
	}
	if err != nil {
		return fmt.Errorf("record %s: %w", id, err)
	}
	return nil
}

func (s *Server) apiToolkitDeleteItem(w http.ResponseWriter, r *http.Request) {
	rid := r.PathValue("record")
	s.apiToolkitEdit(w, r, func(t *toolkit.Toolkit) error { t.Remove(rid); return nil })
}

func (s *Server) apiToolkitExport(w http.ResponseWriter, r *http.Request) {
	format := r.URL.Query().Get("format")
	if format == "" {
		format = "markdown"
	}
	s.exportToolkit(w, r, r.PathValue("id"), format)
}
