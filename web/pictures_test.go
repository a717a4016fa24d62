package web

import (
	"bytes"
	"fmt"
	"image"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/orchard-oer/orchard/catalog"
	"github.com/orchard-oer/orchard/catalog/embedded"
	"github.com/orchard-oer/orchard/thumbnail"
	"github.com/orchard-oer/orchard/thumbnail/thumbnailtest"
	"github.com/orchard-oer/orchard/workers"
)

// withThumbs gives the harness's server the thumbnails of its workers System, with one stored
// for each of ids, and returns them.
func withThumbs(t *testing.T, h *harness, ids ...string) *workers.Thumbs {
	t.Helper()
	th := storeThumbs(t, h.sys, ids...)
	h.srv.thumbs = th
	h.srv.pages.bindPictures(th)
	return th
}

// storeThumbs stores a thumbnail for each of ids and returns the store once it shows them all.
func storeThumbs(t testing.TB, sys *workers.System, ids ...string) *workers.Thumbs {
	t.Helper()
	ctx := t.Context()
	th, err := sys.Thumbs(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range ids {
		img, err := thumbnail.Make(thumbnailtest.PNG(t, thumbnailtest.Gradient(480, 320, false)), thumbnail.Limits{})
		if err != nil {
			t.Fatal(err)
		}
		if err := sys.StoreThumbnail(ctx, id, "https://pictures.example/"+id+".png", img); err != nil {
			t.Fatal(err)
		}
	}
	deadline := time.Now().Add(10 * time.Second)
	for _, id := range ids {
		for {
			if _, ok := th.Lookup(id); ok {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("thumbnail of %s not seen by the server", id)
			}
			time.Sleep(10 * time.Millisecond)
		}
	}
	return th
}

// TestThumbServe serves a stored thumbnail with validators and cache headers, answers 304 to a
// browser that has it, and 404 to a record without one.
func TestThumbServe(t *testing.T) {
	h := newHarness(t)
	th := withThumbs(t, h, "en-photo")
	info, _ := th.Lookup("en-photo")
	get := func(path string, header http.Header) *http.Response {
		req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, h.ts.URL+path, nil)
		if err != nil {
			t.Fatal(err)
		}
		for k, v := range header {
			req.Header[k] = v
		}
		resp, err := h.ts.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { resp.Body.Close() })
		return resp
	}
	tests := []struct {
		name, path  string
		header      http.Header
		status      int
		cache, etag string
	}{
		{"versioned link: immutable", "/thumbs/en-photo?v=" + info.Version, nil, 200, "public, max-age=31536000, immutable", info.ETag},
		{"unversioned: a day, then revalidate", "/thumbs/en-photo", nil, 200, "public, max-age=86400", info.ETag},
		{"stale version: not immutable", "/thumbs/en-photo?v=old", nil, 200, "public, max-age=86400", info.ETag},
		{"If-None-Match current", "/thumbs/en-photo?v=" + info.Version, http.Header{"If-None-Match": {info.ETag}}, 304, "public, max-age=31536000, immutable", info.ETag},
		{"If-None-Match in a list, weak", "/thumbs/en-photo", http.Header{"If-None-Match": {`"x", W/` + info.ETag}}, 304, "public, max-age=86400", info.ETag},
		{"If-None-Match outdated", "/thumbs/en-photo", http.Header{"If-None-Match": {`"outdated"`}}, 200, "public, max-age=86400", info.ETag},
		{"record without thumbnail", "/thumbs/de-zelle", nil, 404, "", ""},
		{"bad id", "/thumbs/..%2Fetc", nil, 404, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp := get(tt.path, tt.header)
			body, _ := io.ReadAll(resp.Body)
			if resp.StatusCode != tt.status {
				t.Fatalf("status %d, want %d", resp.StatusCode, tt.status)
			}
			if tt.status == 404 {
				return
			}
			if got := resp.Header.Get("Cache-Control"); got != tt.cache {
				t.Errorf("Cache-Control %q, want %q", got, tt.cache)
			}
			if got := resp.Header.Get("ETag"); got != tt.etag || !regexp.MustCompile(`^"[A-Za-z0-9]{16}"$`).MatchString(got) {
				t.Errorf("ETag %q, want %q", got, tt.etag)
			}
			if tt.status == 304 {
				if len(body) != 0 {
					t.Errorf("304 with a body of %d bytes", len(body))
				}
				return
			}
			cfg, format, err := image.DecodeConfig(bytes.NewReader(body))
			if err != nil || resp.Header.Get("Content-Type") != "image/"+format || cfg.Width != 320 || cfg.Height != 213 {
				t.Errorf("body: %s %d×%d (%v), Content-Type %q", format, cfg.Width, cfg.Height, err, resp.Header.Get("Content-Type"))
			}
		})
	}
}

// TestPagesPictures shows a record's thumbnail with its title as alt text, a type icon for one
// without, and license icons beside license labels; every picture is Orchard's own.
func TestPagesPictures(t *testing.T) {
	h := newHarness(t)
	th := withThumbs(t, h, "en-photo")
	info, _ := th.Lookup("en-photo")
	page := func(path string) string {
		resp, err := h.ts.Client().Get(h.ts.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return string(b)
	}
	search := page("/?openness=any")
	record := page("/records/en-photo")
	other := page("/records/de-zelle")
	for _, c := range []struct {
		name, html, want string
	}{
		{"search: thumbnail with title", search, `<img class="thumb" src="/thumbs/en-photo?v=` + info.Version + `" alt="Photosynthesis in Green Plants"`},
		{"search: type icon", search, `<img class="thumb type-icon" src="/static/types/video.svg" alt=""`},
		{"search: CC BY icons", search, `<img class="lic-icon" src="/static/cc/cc.svg" alt="" width="16" height="16"><img class="lic-icon" src="/static/cc/by.svg" alt="" width="16" height="16">CC-BY-4.0</a>`},
		{"search: CC0 icons", search, `/static/cc/zero.svg`},
		{"record: thumbnail", record, `src="/thumbs/en-photo?v=` + info.Version + `" alt="Photosynthesis in Green Plants"`},
		{"record: license label with icons", record, `<dd><img class="lic-icon" src="/static/cc/cc.svg"`},
		{"record without thumbnail: type icon", other, `src="/static/types/video.svg"`},
		{"record: CC BY-SA icons", other, `/static/cc/sa.svg`},
	} {
		if !strings.Contains(c.html, c.want) {
			t.Errorf("%s: page lacks %s", c.name, c.want)
		}
	}
	for _, html := range []string{search, record, other} {
		for _, m := range regexp.MustCompile(`<img [^>]*src="([^"]+)"`).FindAllStringSubmatch(html, -1) {
			if !strings.HasPrefix(m[1], "/") {
				t.Errorf("a picture from elsewhere: %s", m[1])
			}
			if resp := mustGet(t, h, m[1]); resp != http.StatusOK {
				t.Errorf("%s: status %d", m[1], resp)
			}
		}
	}
}

func mustGet(t *testing.T, h *harness, path string) int {
	resp, err := h.ts.Client().Get(h.ts.URL + path)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

// TestLicenseIcons names the icons of every kind of license.
func TestLicenseIcons(t *testing.T) {
	for _, tt := range []struct {
		family string
		want   string
	}{
		{"CC-BY", "cc by"}, {"CC-BY-NC-SA", "cc by nc sa"}, {"CC-BY-NC-ND", "cc by nc nd"}, {"CC-BY-ND", "cc by nd"},
		{"CC0", "cc zero"}, {"CC-PDM", "pdm"}, {"CC-PDDC", "pdm"},
		{"CC-CERTIFICATION", ""}, {"MIT", ""}, {"LicenseRef-All-Rights-Reserved", ""}, {"", ""},
	} {
		if got := strings.Join(licenseIcons(catalog.License{Family: tt.family}), " "); got != tt.want {
			t.Errorf("%s: %q, want %q", tt.family, got, tt.want)
		}
	}
}

// benchThumbs is a thumbnail store holding pictures of a tenth of the benchmark's records, so
// that search pages show both thumbnails and type icons.
func benchThumbs(b *testing.B) *workers.Thumbs {
	sys, err := workers.Open(b.Context(), workers.Config{Dir: b.TempDir()}, slog.New(slog.DiscardHandler))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { sys.Close() })
	img, err := thumbnail.Make(thumbnailtest.PNG(b, thumbnailtest.Gradient(480, 320, false)), thumbnail.Limits{})
	if err != nil {
		b.Fatal(err)
	}
	for i := 0; i < benchRecords; i += 10 {
		if err := sys.StoreThumbnail(b.Context(), fmt.Sprintf("rec-%06d", i), "https://pictures.example/", img); err != nil {
			b.Fatal(err)
		}
	}
	th, err := sys.Thumbs(b.Context())
	if err != nil {
		b.Fatal(err)
	}
	return th
}

// BenchmarkThumbServe measures serving a cached thumbnail (handler time): a browser's first
// request, and its revalidation answered 304.
func BenchmarkThumbServe(b *testing.B) {
	log := slog.New(slog.DiscardHandler)
	ix, err := embedded.Open(embedded.Config{Dir: b.TempDir()}, log)
	if err != nil {
		b.Fatal(err)
	}
	defer ix.Close()
	sys, err := workers.Open(b.Context(), workers.Config{Dir: b.TempDir()}, log)
	if err != nil {
		b.Fatal(err)
	}
	defer sys.Close()
	th := storeThumbs(b, sys, "rec-000001")
	srv, err := New(Config{}, log, Deps{Index: ix, Thumbs: th})
	if err != nil {
		b.Fatal(err)
	}
	h := srv.Handler()
	info, _ := th.Lookup("rec-000001")
	path := "/thumbs/rec-000001?v=" + info.Version
	h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodGet, path, nil)) // into the cache
	for _, c := range []struct {
		name   string
		header string
		status int
	}{{"get", "", http.StatusOK}, {"revalidate", info.ETag, http.StatusNotModified}} {
		b.Run(c.name, func(b *testing.B) {
			percentiles(b, func(int) {
				req := httptest.NewRequest(http.MethodGet, path, nil)
				if c.header != "" {
					req.Header.Set("If-None-Match", c.header)
				}
				w := httptest.NewRecorder()
				h.ServeHTTP(w, req)
				if w.Code != c.status {
					b.Fatalf("status %d, want %d", w.Code, c.status)
				}
			})
		})
	}
}
