package web

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/orchard-oer/orchard/catalog"
	"github.com/orchard-oer/orchard/locale"
	"github.com/orchard-oer/orchard/toolkit"
	"github.com/orchard-oer/orchard/workers"
)

// The learners' toolkit pages: the shared view, the edit page, saving from a record's page,
// and exports.

// toolkitEntry is a toolkit item with its record, for pages and exports.
type toolkitEntry struct {
	toolkit.Item
	Rec     *catalog.Record
	Missing bool // the record left the catalog
	Attr    attribution
}

// entries are a toolkit's items with their records, credited in a language ("en" for exports).
func (s *Server) entries(ctx context.Context, t *toolkit.Toolkit, l *locale.Localizer) []toolkitEntry {
	out := make([]toolkitEntry, 0, len(t.Items))
	for _, it := range t.Items {
		e := toolkitEntry{Item: it}
		rec, err := s.index.Get(ctx, it.Record)
		if err != nil || rec.Withheld() {
			e.Missing = true
		} else {
			e.Rec = &rec
			e.Attr = attributionOf(&rec, l.Code, l.T("word.and"))
		}
		out = append(out, e)
	}
	return out
}

type toolkitView struct {
	Toolkit *toolkit.Toolkit
	Entries []toolkitEntry
	Key     string // set on the edit page only
	Share   string
	Edit    string
	Plan    planView
	Sources map[string]workers.Source // titles learners see instead of source names
}

func (s *Server) toolkitView(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	if id == "mine" {
		s.myToolkit(w, r)
		return
	}
	t, err := s.toolkits.Get(r.Context(), id)
	if err != nil {
		s.toolkitError(w, r, err)
		return
	}
	entries := s.entries(r.Context(), t, s.localizer(r))
	s.render(w, r, http.StatusOK, "toolkit", toolkitView{Toolkit: t, Entries: entries, Share: "/toolkits/" + t.ID, Plan: planViewOf(r.URL.Query(), entries),
		Sources: s.sourcesByName(r.Context())})
}

// myToolkit sends visitors to the toolkit their browser remembers, or offers to start one.
func (s *Server) myToolkit(w http.ResponseWriter, r *http.Request) {
	if id, key, ok := myToolkitCookie(r); ok {
		if t, err := s.toolkits.Get(r.Context(), id); err == nil && t.KeyOK(key) {
			http.Redirect(w, r, "/toolkits/"+id+"/"+key, http.StatusSeeOther)
			return
		}
	}
	s.render(w, r, http.StatusOK, "toolkit", toolkitView{})
}

func myToolkitCookie(r *http.Request) (id, key string, ok bool) {
	c, err := r.Cookie(cookieToolkit)
	if err != nil {
		return "", "", false
	}
	id, key, ok = strings.Cut(c.Value, "/")
	return id, key, ok && toolkit.ValidID(id)
}

func (s *Server) rememberToolkit(w http.ResponseWriter, r *http.Request, id, key string) {
	s.setCookie(w, r, cookieToolkit, id+"/"+key, 365*24*time.Hour)
}

func (s *Server) toolkitEdit(w http.ResponseWriter, r *http.Request) {
	id, key := r.PathValue("id"), r.PathValue("key")
	t, err := s.toolkits.Get(r.Context(), id)
	if err == nil && !t.KeyOK(key) {
		err = toolkit.ErrKey
	}
	if err != nil {
		s.toolkitError(w, r, err)
		return
	}
	// The key is in this page's URL: keep it out of Referer headers.
	w.Header().Set("Referrer-Policy", "no-referrer")
	s.rememberToolkit(w, r, id, key)
	entries := s.entries(r.Context(), t, s.localizer(r))
	s.render(w, r, http.StatusOK, "toolkit", toolkitView{
		Toolkit: t, Entries: entries, Key: key,
		Share: "/toolkits/" + t.ID, Edit: "/toolkits/" + t.ID + "/" + key, Plan: planViewOf(r.URL.Query(), entries),
		Sources: s.sourcesByName(r.Context()),
	})
}

// toolkitNew starts a toolkit from the "My toolkit" page.
func (s *Server) toolkitNew(w http.ResponseWriter, r *http.Request) {
	t, key, err := s.toolkits.Create(r.Context(), r.PostFormValue("title"))
	if err != nil {
		s.toolkitError(w, r, err)
		return
	}
	s.rememberToolkit(w, r, t.ID, key)
	http.Redirect(w, r, "/toolkits/"+t.ID+"/"+key, http.StatusSeeOther)
}

// toolkitSave adds a record from its page to the visitor's toolkit, starting one if needed.
func (s *Server) toolkitSave(w http.ResponseWriter, r *http.Request) {
	rid, note := r.PostFormValue("record"), strings.TrimSpace(r.PostFormValue("note"))
	if err := s.recordExists(r.Context(), rid); err != nil {
		s.toolkitError(w, r, err)
		return
	}
	put := func(t *toolkit.Toolkit) error { return t.Put(rid, note) }
	id, key, ok := myToolkitCookie(r)
	if ok {
		if _, err := s.toolkits.Edit(r.Context(), id, key, put); err == nil {
			http.Redirect(w, r, "/toolkits/"+id+"/"+key+"#item-"+rid, http.StatusSeeOther)
			return
		} else if !errors.Is(err, workers.ErrNotFound) && !errors.Is(err, toolkit.ErrKey) {
			s.toolkitError(w, r, err)
			return
		}
	}
	t, key, err := s.toolkits.Create(r.Context(), "")
	if err == nil {
		_, err = s.toolkits.Edit(r.Context(), t.ID, key, put)
	}
	if err != nil {
		s.toolkitError(w, r, err)
		return
	}
	s.rememberToolkit(w, r, t.ID, key)
	http.Redirect(w, r, "/toolkits/"+t.ID+"/"+key+"#item-"+rid, http.StatusSeeOther)
}

// toolkitUpdate handles the edit page's forms: rename, note changes and removals.
func (s *Server) toolkitUpdate(w http.ResponseWriter, r *http.Request) {
	id, key := r.PathValue("id"), r.PathValue("key")
	var change func(*toolkit.Toolkit) error
	switch r.PostFormValue("action") {
	case "rename":
		change = func(t *toolkit.Toolkit) error { return t.Rename(r.PostFormValue("title")) }
	case "note":
		rid := r.PostFormValue("record")
		change = func(t *toolkit.Toolkit) error {
			if !t.Has(rid) {
				return &ParamError{"record", "not in this toolkit"}
			}
			return t.Put(rid, strings.TrimSpace(r.PostFormValue("note")))
		}
	case "remove":
		rid := r.PostFormValue("record")
		change = func(t *toolkit.Toolkit) error { t.Remove(rid); return nil }
	default:
		s.fail(w, r, http.StatusBadRequest, &ParamError{"action", "must be rename, note or remove"})
		return
	}
	if _, err := s.toolkits.Edit(r.Context(), id, key, change); err != nil {
		s.toolkitError(w, r, err)
		return
	}
	http.Redirect(w, r, "/toolkits/"+id+"/"+key, http.StatusSeeOther)
}

func (s *Server) toolkitExport(w http.ResponseWriter, r *http.Request) {
	s.exportToolkit(w, r, r.PathValue("id"), r.PathValue("format"))
}
