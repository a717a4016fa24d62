package web

import (
	"context"
	"crypto/subtle"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/orchard-oer/orchard/catalog"
	"github.com/orchard-oer/orchard/web/auth"
	"github.com/orchard-oer/orchard/workers"
)

// A toolkit is a learner's list of records with notes, without an account: whoever holds its
// key may edit it, and its id alone gives a read-only view to share.
type toolkit struct {
	ID      string        `json:"id"`
	Title   string        `json:"title"`
	KeyHash string        `json:"key_hash"` // SHA-256 of the edit key
	Created time.Time     `json:"created"`
	Updated time.Time     `json:"updated"`
	Items   []toolkitItem `json:"items"`
}

type toolkitItem struct {
	Record string    `json:"record"`
	Note   string    `json:"note,omitempty"`
	Added  time.Time `json:"added"`
}

// Limits that keep a toolkit a small document.
const (
	maxToolkitItems = 500
	maxNote         = 2000
	maxTitle        = 200
)

// toolkitJSON is a toolkit as the API shows it: without the key hash.
type toolkitJSON struct {
	ID      string        `json:"id"`
	Title   string        `json:"title"`
	Created time.Time     `json:"created"`
	Updated time.Time     `json:"updated"`
	Items   []toolkitItem `json:"items"`
	Share   string        `json:"share_url"`
	Edit    string        `json:"edit_url,omitempty"` // only when it was just created
	Key     string        `json:"key,omitempty"`      // only when it was just created
}

func (t *toolkit) public() toolkitJSON {
	items := t.Items
	if items == nil {
		items = []toolkitItem{}
	}
	return toolkitJSON{ID: t.ID, Title: t.Title, Created: t.Created, Updated: t.Updated, Items: items, Share: "/toolkits/" + t.ID}
}

func (t *toolkit) keyOK(key string) bool {
	return key != "" && subtle.ConstantTimeCompare([]byte(auth.Hash(key)), []byte(t.KeyHash)) == 1
}

// put adds a record or changes its note.
func (t *toolkit) put(record, note string) error {
	if err := checkRecordID(record); err != nil {
		return &ParamError{"record", err.(*ParamError).Reason}
	}
	if len(note) > maxNote {
		return &ParamError{"note", fmt.Sprintf("must be at most %d bytes", maxNote)}
	}
	now := time.Now().UTC()
	t.Updated = now
	if i := slices.IndexFunc(t.Items, func(it toolkitItem) bool { return it.Record == record }); i >= 0 {
		t.Items[i].Note = note
		return nil
	}
	if len(t.Items) >= maxToolkitItems {
		return &ParamError{"record", fmt.Sprintf("a toolkit holds at most %d records", maxToolkitItems)}
	}
	t.Items = append(t.Items, toolkitItem{Record: record, Note: note, Added: now})
	return nil
}

func (t *toolkit) remove(record string) {
	t.Items = slices.DeleteFunc(t.Items, func(it toolkitItem) bool { return it.Record == record })
	t.Updated = time.Now().UTC()
}

func (t *toolkit) rename(title string) error {
	title = strings.TrimSpace(title)
	if len(title) > maxTitle {
		return &ParamError{"title", fmt.Sprintf("must be at most %d bytes", maxTitle)}
	}
	if title == "" {
		title = "My toolkit"
	}
	t.Title = title
	t.Updated = time.Now().UTC()
	return nil
}

// newToolkit creates and stores an empty toolkit and returns it with its edit key.
func (s *Server) newToolkit(ctx context.Context, title string) (*toolkit, string, error) {
	key := auth.Secret()
	now := time.Now().UTC()
	t := &toolkit{ID: toolkitID(), KeyHash: auth.Hash(key), Created: now, Updated: now}
	if err := t.rename(title); err != nil {
		return nil, "", err
	}
	if _, err := s.toolkits.Create(ctx, t.ID, t); err != nil {
		return nil, "", fmt.Errorf("create toolkit: %w", err)
	}
	return t, key, nil
}

// toolkitID is a short random id; the share link needs no secrecy beyond being hard to guess.
func toolkitID() string { return auth.Secret()[:22] }

func validToolkitID(id string) bool {
	return len(id) == 22 && catalog.ValidID(id)
}

// loadToolkit reads a toolkit; with a key it also checks the key.
func (s *Server) loadToolkit(ctx context.Context, id string) (*toolkit, uint64, error) {
	if !validToolkitID(id) {
		return nil, 0, fmt.Errorf("toolkit %q: %w", id, workers.ErrNotFound)
	}
	var t toolkit
	rev, err := s.toolkits.Get(ctx, id, &t)
	if err != nil {
		return nil, 0, err
	}
	return &t, rev, nil
}

var errToolkitKey = errors.New("wrong toolkit key")

// editToolkit applies change to a toolkit under its key, retrying when another edit raced it.
func (s *Server) editToolkit(ctx context.Context, id, key string, change func(*toolkit) error) (*toolkit, error) {
	for range 5 {
		t, rev, err := s.loadToolkit(ctx, id)
		if err != nil {
			return nil, err
		}
		if !t.keyOK(key) {
			return nil, errToolkitKey
		}
		if err := change(t); err != nil {
			return nil, err
		}
		if _, err := s.toolkits.Update(ctx, id, t, rev); errors.Is(err, workers.ErrConflict) {
			continue
		} else if err != nil {
			return nil, err
		}
		return t, nil
	}
	return nil, fmt.Errorf("toolkit %s: %w", id, workers.ErrConflict)
}

// toolkitEntry is a toolkit item with its record, for pages and exports.
type toolkitEntry struct {
	toolkitItem
	Rec     *catalog.Record
	Missing bool // the record left the catalog
	Attr    attribution
}

func (s *Server) entries(ctx context.Context, t *toolkit) []toolkitEntry {
	out := make([]toolkitEntry, 0, len(t.Items))
	for _, it := range t.Items {
		e := toolkitEntry{toolkitItem: it}
		rec, err := s.index.Get(ctx, it.Record)
		if err != nil || rec.Hidden {
			e.Missing = true
		} else {
			e.Rec = &rec
			e.Attr = attributionOf(&rec)
		}
		out = append(out, e)
	}
	return out
}

// --- API ---

func toolkitKey(r *http.Request) string { return r.Header.Get("X-Toolkit-Key") }

func (s *Server) toolkitError(w http.ResponseWriter, r *http.Request, err error) {
	switch {
	case errors.Is(err, errToolkitKey):
		s.fail(w, r, http.StatusForbidden, err)
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
			writeError(w, http.StatusBadRequest, err)
			return
		}
	}
	probe := &toolkit{}
	for _, it := range body.Items {
		err := s.recordExists(r.Context(), it.Record)
		if err == nil {
			err = probe.put(it.Record, it.Note)
		}
		if err != nil {
			writeError(w, statusOf(err), err)
			return
		}
	}
	t, key, err := s.newToolkit(r.Context(), body.Title)
	if err != nil {
		s.toolkitError(w, r, err)
		return
	}
	if len(probe.Items) > 0 {
		if t, err = s.editToolkit(r.Context(), t.ID, key, func(t *toolkit) error { t.Items = probe.Items; return nil }); err != nil {
			s.toolkitError(w, r, err)
			return
		}
	}
	out := t.public()
	out.Key, out.Edit = key, "/toolkits/"+t.ID+"/"+key
	writeJSON(w, http.StatusCreated, out)
}

func (s *Server) apiToolkitGet(w http.ResponseWriter, r *http.Request) {
	t, _, err := s.loadToolkit(r.Context(), r.PathValue("id"))
	if err != nil {
		s.toolkitError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, t.public())
}

func (s *Server) apiToolkitRename(w http.ResponseWriter, r *http.Request) {
	var body struct {
		Title string `json:"title"`
	}
	if err := decodeBody(r, &body); err != nil {
		writeError(w, http.StatusBadRequest, err)
		return
	}
	t, err := s.editToolkit(r.Context(), r.PathValue("id"), toolkitKey(r), func(t *toolkit) error { return t.rename(body.Title) })
	if err != nil {
		s.toolkitError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, t.public())
}

func (s *Server) apiToolkitPutItem(w http.ResponseWriter, r *http.Request) {
	var body struct {
		Note string `json:"note"`
	}
	if r.ContentLength != 0 {
		if err := decodeBody(r, &body); err != nil {
			writeError(w, http.StatusBadRequest, err)
			return
		}
	}
	rid := r.PathValue("record")
	if err := s.recordExists(r.Context(), rid); err != nil {
		s.toolkitError(w, r, err)
		return
	}
	t, err := s.editToolkit(r.Context(), r.PathValue("id"), toolkitKey(r), func(t *toolkit) error { return t.put(rid, body.Note) })
	if err != nil {
		s.toolkitError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, t.public())
}

// recordExists refuses ids that are malformed or not (visibly) in the catalog.
func (s *Server) recordExists(ctx context.Context, id string) error {
	if err := checkRecordID(id); err != nil {
		return &ParamError{"record", err.(*ParamError).Reason}
	}
	rec, err := s.index.Get(ctx, id)
	if err == nil && rec.Hidden {
		err = catalog.ErrNotFound
	}
	if err != nil {
		return fmt.Errorf("record %s: %w", id, err)
	}
	return nil
}

func (s *Server) apiToolkitDeleteItem(w http.ResponseWriter, r *http.Request) {
	rid := r.PathValue("record")
	t, err := s.editToolkit(r.Context(), r.PathValue("id"), toolkitKey(r), func(t *toolkit) error { t.remove(rid); return nil })
	if err != nil {
		s.toolkitError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, t.public())
}

func (s *Server) apiToolkitExport(w http.ResponseWriter, r *http.Request) {
	format := r.URL.Query().Get("format")
	if format == "" {
		format = "markdown"
	}
	s.exportToolkit(w, r, r.PathValue("id"), format)
}

func (s *Server) exportToolkit(w http.ResponseWriter, r *http.Request, id, format string) {
	var ctype string
	switch format {
	case "markdown", "md":
		format, ctype = "markdown", "text/markdown; charset=utf-8"
	case "html":
		ctype = "text/html; charset=utf-8"
	default:
		s.fail(w, r, http.StatusBadRequest, &ParamError{"format", "must be markdown or html"})
		return
	}
	t, _, err := s.loadToolkit(r.Context(), id)
	if err != nil {
		s.toolkitError(w, r, err)
		return
	}
	body, err := renderExport(format, t, s.entries(r.Context(), t))
	if err != nil {
		s.fail(w, r, http.StatusInternalServerError, err)
		return
	}
	ext := map[string]string{"markdown": "md", "html": "html"}[format]
	w.Header().Set("Content-Type", ctype)
	w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="toolkit-%s.%s"`, t.ID, ext))
	if format == "html" {
		// The exported file is for saving, not for running here.
		w.Header().Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'")
	}
	_, _ = w.Write(body)
}

// --- pages ---

type toolkitView struct {
	Toolkit *toolkit
	Entries []toolkitEntry
	Key     string // set on the edit page only
	Share   string
	Edit    string
}

func (s *Server) toolkitView(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	if id == "mine" {
		s.myToolkit(w, r)
		return
	}
	t, _, err := s.loadToolkit(r.Context(), id)
	if err != nil {
		s.toolkitError(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "toolkit", toolkitView{Toolkit: t, Entries: s.entries(r.Context(), t), Share: "/toolkits/" + t.ID})
}

// myToolkit sends visitors to the toolkit their browser remembers, or offers to start one.
func (s *Server) myToolkit(w http.ResponseWriter, r *http.Request) {
	if id, key, ok := myToolkitCookie(r); ok {
		if t, _, err := s.loadToolkit(r.Context(), id); err == nil && t.keyOK(key) {
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
	return id, key, ok && validToolkitID(id)
}

func (s *Server) rememberToolkit(w http.ResponseWriter, r *http.Request, id, key string) {
	s.setCookie(w, r, cookieToolkit, id+"/"+key, 365*24*time.Hour)
}

func (s *Server) toolkitEdit(w http.ResponseWriter, r *http.Request) {
	id, key := r.PathValue("id"), r.PathValue("key")
	t, _, err := s.loadToolkit(r.Context(), id)
	if err == nil && !t.keyOK(key) {
		err = errToolkitKey
	}
	if err != nil {
		s.toolkitError(w, r, err)
		return
	}
	// The key is in this page's URL: keep it out of Referer headers.
	w.Header().Set("Referrer-Policy", "no-referrer")
	s.rememberToolkit(w, r, id, key)
	s.render(w, r, http.StatusOK, "toolkit", toolkitView{
		Toolkit: t, Entries: s.entries(r.Context(), t), Key: key,
		Share: "/toolkits/" + t.ID, Edit: "/toolkits/" + t.ID + "/" + key,
	})
}

// toolkitNew starts a toolkit from the "My toolkit" page.
func (s *Server) toolkitNew(w http.ResponseWriter, r *http.Request) {
	t, key, err := s.newToolkit(r.Context(), r.PostFormValue("title"))
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
	id, key, ok := myToolkitCookie(r)
	if ok {
		if _, err := s.editToolkit(r.Context(), id, key, func(t *toolkit) error { return t.put(rid, note) }); err == nil {
			http.Redirect(w, r, "/toolkits/"+id+"/"+key+"#item-"+rid, http.StatusSeeOther)
			return
		} else if !errors.Is(err, workers.ErrNotFound) && !errors.Is(err, errToolkitKey) {
			s.toolkitError(w, r, err)
			return
		}
	}
	t, key, err := s.newToolkit(r.Context(), "")
	if err == nil {
		_, err = s.editToolkit(r.Context(), t.ID, key, func(t *toolkit) error { return t.put(rid, note) })
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
	var change func(*toolkit) error
	switch r.PostFormValue("action") {
	case "rename":
		change = func(t *toolkit) error { return t.rename(r.PostFormValue("title")) }
	case "note":
		rid := r.PostFormValue("record")
		change = func(t *toolkit) error {
			if !slices.ContainsFunc(t.Items, func(it toolkitItem) bool { return it.Record == rid }) {
				return &ParamError{"record", "not in this toolkit"}
			}
			return t.put(rid, strings.TrimSpace(r.PostFormValue("note")))
		}
	case "remove":
		rid := r.PostFormValue("record")
		change = func(t *toolkit) error { t.remove(rid); return nil }
	default:
		s.fail(w, r, http.StatusBadRequest, &ParamError{"action", "must be rename, note or remove"})
		return
	}
	if _, err := s.editToolkit(r.Context(), id, key, change); err != nil {
		s.toolkitError(w, r, err)
		return
	}
	http.Redirect(w, r, "/toolkits/"+id+"/"+key, http.StatusSeeOther)
}

func (s *Server) toolkitExport(w http.ResponseWriter, r *http.Request) {
	s.exportToolkit(w, r, r.PathValue("id"), r.PathValue("format"))
}
