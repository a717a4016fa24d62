package workers

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"image"
	"image/jpeg"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/orchard-oer/orchard/catalog"
	"github.com/orchard-oer/orchard/harvester"
	"github.com/orchard-oer/orchard/harvester/fetch"
	"github.com/orchard-oer/orchard/thumbnail"
	"github.com/orchard-oer/orchard/thumbnail/thumbnailtest"
)

// picturesHarvester emits one page of records, each naming one picture.
type picturesHarvester struct{ urls []string }

func (h picturesHarvester) Harvest(ctx context.Context, src harvester.Source, _ json.RawMessage, _ bool, emit harvester.Emit) error {
	recs := make([]harvester.Record, len(h.urls))
	for i, u := range h.urls {
		recs[i] = harvester.Record{OriginID: fmt.Sprintf("oai:%s:%d", src.Name, i), Titles: []string{"Picture " + u},
			Rights: []harvester.Rights{{From: "dc:rights", Value: "CC-BY-4.0"}}, Thumbnails: []string{u}}
	}
	return emit(ctx, harvester.Page{Records: recs, Checkpoint: json.RawMessage(`{}`), Done: true})
}

// withThumbnail is the test normalizer that keeps the picture as it is: the real one refuses
// loopback addresses, which this test's server has.
func withThumbnail(source string, r harvester.Record) (catalog.Record, error) {
	rec, err := normalize(source, r)
	rec.Thumbnail = r.Thumbnails[0]
	return rec, err
}

// TestThumbnails harvests records naming pictures of every kind a source may serve, and checks
// that real images become thumbnails and the rest become recorded failures.
func TestThumbnails(t *testing.T) {
	photo := thumbnailtest.PNG(t, thumbnailtest.Gradient(800, 400, false))
	var jpg bytes.Buffer
	if err := jpeg.Encode(&jpg, thumbnailtest.Gradient(200, 300, false), nil); err != nil {
		t.Fatal(err)
	}
	clear := thumbnailtest.PNG(t, thumbnailtest.Gradient(100, 1000, true))
	var mu sync.Mutex
	hits := map[string]int{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		hits[r.URL.Path]++
		mu.Unlock()
		switch r.URL.Path {
		case "/photo.png":
			w.Header().Set("Content-Type", "application/octet-stream") // never trusted either way
			_, _ = w.Write(photo)
		case "/small.jpg":
			_, _ = w.Write(jpg.Bytes())
		case "/clear.png":
			_, _ = w.Write(clear)
		case "/huge.png":
			_, _ = w.Write(append(thumbnailtest.PNG(t, thumbnailtest.Gradient(10, 10, false)), make([]byte, 300<<10)...))
		case "/notes.txt":
			_, _ = w.Write([]byte("just some words"))
		case "/page.png":
			w.Header().Set("Content-Type", "image/png")
			_, _ = w.Write([]byte("<!doctype html><html><body>Not a picture</body></html>"))
		case "/down.png":
			http.Error(w, "down for maintenance", http.StatusServiceUnavailable)
		case "/bomb.png":
			_, _ = w.Write(thumbnailtest.Bomb(t, 100_000, 100_000))
		default:
			http.NotFound(w, r)
		}
	}))
	defer srv.Close()

	s := openSystem(t, fastConfig(t.TempDir()))
	ix := openIndex(t, t.TempDir())
	ctx := t.Context()
	paths := []string{"/photo.png", "/small.jpg", "/clear.png", "/huge.png", "/notes.txt", "/page.png", "/bomb.png", "/gone.png", "/down.png"}
	var urls []string
	for _, p := range paths {
		urls = append(urls, srv.URL+p)
	}
	p := pipeline(ix, picturesHarvester{urls})
	p.Normalize, p.Thumbnails = EachRecord(withThumbnail), true
	if _, err := s.Sources().Add(ctx, testSource("pics")); err != nil {
		t.Fatal(err)
	}
	startWorkers(t, s, p, 1)
	client := fetch.New(fetch.Config{AllowPrivate: true, Pace: time.Millisecond, MaxRetries: -1}, testLog(t))
	limits := thumbnail.Limits{MaxBytes: 256 << 10, MaxPixels: 10_000_000}
	tctx, stop := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- s.RunThumbnails(tctx, Thumbnailer{Client: client, Limits: limits, Workers: 2}) }()
	defer func() { stop(); <-done }()
	thumbs, err := s.Thumbs(tctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.RunNow(ctx, "pics", false); err != nil {
		t.Fatal(err)
	}

	id := func(i int) string { return catalog.RecordID("pics", fmt.Sprintf("oai:pics:%d", i)) }
	wantStored := map[string]struct {
		typ  string
		w, h int
	}{
		"/photo.png": {"image/jpeg", 320, 160}, // scaled, opaque: JPEG
		"/small.jpg": {"image/jpeg", 200, 300}, // small enough already
		"/clear.png": {"image/png", 32, 320},   // transparent: PNG
	}
	wantFailure := map[string]string{
		"/huge.png":  "too large",
		"/notes.txt": "not an image",
		"/page.png":  "not an image",
		"/bomb.png":  "100000×100000 pixels",
		"/gone.png":  "404",
		"/down.png":  "503",
	}
	for i, path := range paths {
		if want, ok := wantStored[path]; ok {
			waitFor(t, 20*time.Second, func() error {
				th, data, err := thumbs.Open(ctx, id(i))
				if err != nil {
					return fmt.Errorf("%s: %w", path, err)
				}
				cfg, format, err := image.DecodeConfig(bytes.NewReader(data))
				if err != nil || "image/"+format != want.typ || th.ContentType != want.typ || cfg.Width != want.w || cfg.Height != want.h {
					t.Fatalf("%s: stored %s %s %d×%d (%v), want %s %d×%d", path, th.ContentType, format, cfg.Width, cfg.Height, err, want.typ, want.w, want.h)
				}
				return nil
			})
			continue
		}
		waitFor(t, 20*time.Second, func() error {
			f, err := s.ThumbnailFailed(ctx, id(i))
			if err != nil {
				return fmt.Errorf("%s: %w", path, err)
			}
			if !strings.Contains(f.Reason, wantFailure[path]) || f.URL != srv.URL+path {
				t.Fatalf("%s: failure %+v, want a reason with %q", path, f, wantFailure[path])
			}
			return nil
		})
		if _, ok := thumbs.Lookup(id(i)); ok {
			t.Errorf("%s: a thumbnail was stored", path)
		}
	}

	// A failed picture is not fetched again while the record names it.
	mu.Lock()
	before := hits["/notes.txt"]
	mu.Unlock()
	tn := Thumbnailer{Client: client, Limits: limits.WithDefaults()}
	if err := s.makeThumb(ctx, tn, thumbJob{ID: id(4), URL: srv.URL + "/notes.txt"}); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	if hits["/notes.txt"] != before {
		t.Errorf("a failed picture was fetched again")
	}
	mu.Unlock()

	// A host that was down is asked again once a day has passed, not before.
	down := id(8)
	f, err := s.ThumbnailFailed(ctx, down)
	if err != nil || !f.Transient {
		t.Fatalf("failure of a host that was down: %+v, %v", f, err)
	}
	again := func() int {
		t.Helper()
		if err := s.makeThumb(ctx, tn, thumbJob{ID: down, URL: f.URL}); err != nil {
			t.Fatal(err)
		}
		mu.Lock()
		defer mu.Unlock()
		return hits["/down.png"]
	}
	if n := again(); n != 1 {
		t.Errorf("a host that was down was asked %d times within the day", n)
	}
	f.At = f.At.Add(-thumbRetryAfter)
	if _, err := putJSON(ctx, s.thumbs.failures, down, f, anyRevision); err != nil {
		t.Fatal(err)
	}
	if n := again(); n != 2 {
		t.Errorf("a host that was down a day ago was asked %d times in all, want 2", n)
	}

	// Without AllowPrivate the shared client's guard refuses the loopback server.
	guarded := Thumbnailer{Client: fetch.New(fetch.Config{Pace: time.Millisecond, MaxRetries: -1}, testLog(t)), Limits: limits}
	if err := s.makeThumb(ctx, guarded, thumbJob{ID: "pics_guarded", URL: srv.URL + "/photo.png"}); err != nil {
		t.Fatal(err)
	}
	if f, err := s.ThumbnailFailed(ctx, "pics_guarded"); err != nil || !strings.Contains(f.Reason, "private") {
		t.Errorf("guarded fetch of a loopback picture: failure %+v, %v", f, err)
	}

	// A deleted record's thumbnail goes.
	s.queueThumbs(nil, []string{id(0)})
	waitFor(t, 10*time.Second, func() error {
		if _, ok := thumbs.Lookup(id(0)); ok {
			return errors.New("thumbnail of a deleted record still there")
		}
		return nil
	})
}
