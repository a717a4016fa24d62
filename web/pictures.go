package web

import (
	"context"
	"errors"
	"html/template"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/orchard-oer/orchard/catalog"
	"github.com/orchard-oer/orchard/normalizer/restype"
	"github.com/orchard-oer/orchard/workers"
)

// ThumbStore holds the thumbnails the workers made; *workers.Thumbs satisfies it.
type ThumbStore interface {
	Lookup(id string) (workers.Thumb, bool)
	Open(ctx context.Context, id string) (workers.Thumb, []byte, error)
}

// pictureFuncs are the template functions of icons; thumb is pages.thumb.
var pictureFuncs = template.FuncMap{
	"typeIcon":     typeIcon,
	"licenseIcons": licenseIcons,
}

// bindPictures makes the pages' thumb function answer from store (nil: no thumbnails).
func (p *pages) bindPictures(store ThumbStore) {
	p.store.Store(&store)
}

// thumb is the URL of a record's thumbnail, versioned so that browsers may keep it for good, or
// "" when Orchard holds none.
func (p *pages) thumb(id string) string {
	store := p.store.Load()
	if store == nil || *store == nil {
		return ""
	}
	if t, ok := (*store).Lookup(id); ok {
		return "/thumbs/" + id + "?v=" + t.Version
	}
	return ""
}

// thumbCache is how long a browser keeps a thumbnail fetched without its version; one fetched
// with it is immutable, since another picture gets another version.
const (
	thumbCache          = "public, max-age=86400"
	thumbCacheImmutable = "public, max-age=31536000, immutable"
)

// thumb serves a record's thumbnail from Orchard's own store.
func (s *Server) thumb(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	if s.thumbs == nil || !catalog.ValidID(id) {
		http.NotFound(w, r)
		return
	}
	t, ok := s.thumbs.Lookup(id)
	if !ok {
		http.NotFound(w, r)
		return
	}
	h := w.Header()
	h.Set("ETag", t.ETag)
	h.Set("Cache-Control", thumbCache)
	if r.URL.Query().Get("v") == t.Version {
		h.Set("Cache-Control", thumbCacheImmutable)
	}
	if etagMatch(r.Header.Get("If-None-Match"), t.ETag) {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	t, data, err := s.thumbs.Open(r.Context(), id)
	if errors.Is(err, workers.ErrNotFound) {
		h.Del("ETag")
		h.Set("Cache-Control", "no-store")
		http.NotFound(w, r)
		return
	}
	if err != nil {
		s.log.Error("serve thumbnail", "record", id, "err", err)
		h.Set("Cache-Control", "no-store")
		http.Error(w, "thumbnail unavailable", http.StatusServiceUnavailable)
		return
	}
	h.Set("ETag", t.ETag)
	h.Set("Content-Type", t.ContentType)
	h.Set("Content-Length", strconv.Itoa(len(data)))
	if r.Method != http.MethodHead {
		_, _ = w.Write(data)
	}
}

// etagMatch reads If-None-Match: a list of entity tags, weak or strong, or "*".
func etagMatch(header, etag string) bool {
	for _, c := range strings.Split(header, ",") {
		c = strings.TrimPrefix(strings.TrimSpace(c), "W/")
		if c == etag || c == "*" {
			return true
		}
	}
	return false
}

// typeIcon names the icon of a record's first resource type that has one.
func typeIcon(types []string) string {
	for _, t := range types {
		if slices.Contains(restype.Vocabulary, t) {
			return t
		}
	}
	return restype.Other
}

// licenseIcons names the icons of a license's elements, in the order Creative Commons writes
// them (by, nc, nd, sa), or zero and pdm for the public domain tools; other licenses have none.
func licenseIcons(l catalog.License) []string {
	switch l.Family {
	case "CC0":
		return []string{"cc", "zero"}
	case "CC-PDM", "CC-PDDC":
		return []string{"pdm"}
	}
	rest, ok := strings.CutPrefix(l.Family, "CC-")
	if !ok {
		return nil
	}
	icons := []string{"cc"}
	for _, e := range strings.Split(rest, "-") {
		switch e {
		case "BY", "NC", "ND", "SA":
			icons = append(icons, strings.ToLower(e))
		default:
			return nil // not a license of elements (CC-CERTIFICATION, sampling licenses)
		}
	}
	return icons
}
