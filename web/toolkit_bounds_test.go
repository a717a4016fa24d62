package web

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/orchard-oer/orchard/catalog"
	"github.com/orchard-oer/orchard/toolkit"
	"github.com/orchard-oer/orchard/workers"
)

// floodBody is the red-team toolkit: every record it may hold, each with a long note, just under
// the request body limit.
func floodBody(t *testing.T, h *harness) map[string]any {
	t.Helper()
	recs := make([]catalog.Record, toolkit.MaxItems)
	items := make([]map[string]string, toolkit.MaxItems)
	for i := range recs {
		recs[i] = catalog.Record{ID: fmt.Sprintf("flood-%03d", i), Source: "alpha", Title: "Flood"}
		items[i] = map[string]string{"record": recs[i].ID, "note": strings.Repeat("n", 1800)}
	}
	if err := h.index.Upsert(t.Context(), recs); err != nil {
		t.Fatal(err)
	}
	return map[string]any{"title": strings.Repeat("t", toolkit.MaxTitle), "items": items}
}

func toolkitBytes(t *testing.T, h *harness) uint64 {
	t.Helper()
	docs, err := h.sys.Docs(t.Context(), toolkit.Bucket)
	if err != nil {
		t.Fatal(err)
	}
	n, err := docs.Bytes(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func TestToolkitFloodIsRateLimited(t *testing.T) {
	// A slow refill keeps what passes after the burst small however long the flood takes on a
	// busy machine.
	const rate, burst = 0.2, 5
	h := newHarness(t, func(c *Config, _ *Deps) { c.WriteRate, c.WriteBurst = rate, burst })
	payload, err := json.Marshal(floodBody(t, h))
	if err != nil {
		t.Fatal(err)
	}
	before := toolkitBytes(t, h)
	// All at once, as the red team sent them.
	type answer struct {
		code  int
		retry string
		err   error
	}
	answers := make(chan answer, 100)
	start := time.Now()
	var wg sync.WaitGroup
	for range 100 {
		wg.Go(func() {
			req, err := http.NewRequestWithContext(t.Context(), "POST", h.ts.URL+"/api/toolkits", bytes.NewReader(payload))
			if err != nil {
				answers <- answer{err: err}
				return
			}
			req.Header.Set("Content-Type", "application/json")
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				answers <- answer{err: err}
				return
			}
			resp.Body.Close()
			answers <- answer{code: resp.StatusCode, retry: resp.Header.Get("Retry-After")}
		})
	}
	wg.Wait()
	close(answers)
	var created, limited int
	for a := range answers {
		switch {
		case a.err != nil:
			t.Fatal(a.err)
		case a.code == http.StatusCreated:
			created++
		case a.code == http.StatusTooManyRequests:
			limited++
			if s, err := strconv.Atoi(a.retry); err != nil || s < 1 {
				t.Fatalf("429 with Retry-After %q", a.retry)
			}
		default:
			t.Fatalf("status %d", a.code)
		}
	}
	elapsed := time.Since(start)
	grown := toolkitBytes(t, h) - before
	allowed := burst + int(rate*elapsed.Seconds()) + 1
	t.Logf("100 creations of %d items at once: %d created, %d refused in %s; the bucket grew %.1f MB",
		toolkit.MaxItems, created, limited, elapsed.Round(time.Millisecond), float64(grown)/1e6)
	if created < burst || created > allowed || limited == 0 {
		t.Errorf("%d created and %d refused in %s; at least %d and at most %d may pass", created, limited, elapsed, burst, allowed)
	}
	if grown > uint64(created)*toolkit.MaxSize {
		t.Errorf("bucket grew %d bytes for %d toolkits of at most %d bytes", grown, created, toolkit.MaxSize)
	}
	// Staff are not limited.
	if code, b, _ := h.do("POST", "/api/toolkits", h.librarian, map[string]string{"title": "staff"}); code != http.StatusCreated {
		t.Errorf("staff write while anonymous ones are limited: %d: %s", code, b)
	}
}

func TestToolkitStoreFull(t *testing.T) {
	const limit = 4 << 20
	h := newHarnessWith(t, workers.Config{Docs: map[string]workers.DocsLimits{toolkit.Bucket: {MaxBytes: limit}}})
	big := floodBody(t, h)
	// fill creates toolkits like body until the store refuses one; staff go unlimited, so only
	// the store's bound stops them.
	fill := func(body any, most int) {
		for i := 0; ; i++ {
			code, b, _ := h.do("POST", "/api/toolkits", h.admin, body)
			if code == http.StatusInsufficientStorage {
				var e apiError
				if err := json.Unmarshal(b, &e); err != nil || e.Error != "the toolkit store is full" {
					t.Fatalf("full store answered %s", b)
				}
				return
			}
			if code != http.StatusCreated || i > most {
				t.Fatalf("creation %d in a %d-byte store: %d: %.200s", i, limit, code, b)
			}
		}
	}
	fill(big, 10)
	// What room is left is filled by smaller toolkits, and then the pages say it is full too.
	fill(map[string]any{"items": big["items"].([]map[string]string)[:50]}, 20)
	fill(map[string]any{}, 1000)
	if n := toolkitBytes(t, h); n > limit {
		t.Errorf("store holds %d bytes, beyond its bound of %d", n, limit)
	}
	b := h.browser()
	if code, page, _ := b.post("/toolkits", url.Values{"csrf": {b.csrf("/toolkits/mine")}}); code != http.StatusInsufficientStorage ||
		!strings.Contains(page, "the toolkit store is full") {
		t.Errorf("new toolkit page in a full store: %d", code)
	}
}

func TestToolkitLimits(t *testing.T) {
	h := newHarness(t)
	var tk toolkitJSON
	h.call("POST", "/api/toolkits", "", map[string]any{"title": "Biology"}, http.StatusCreated, &tk)
	withKey := func(r *http.Request) { r.Header.Set("X-Toolkit-Key", tk.Key) }
	many := make([]map[string]string, toolkit.MaxItems+1)
	for i := range many {
		many[i] = map[string]string{"record": fmt.Sprint("r", i)}
	}
	long := func(n int) string { return strings.Repeat("x", n) }
	tests := []struct {
		name, method, path string
		body               any
		status             int
		param              string
	}{
		{"too many items", "POST", "/api/toolkits", map[string]any{"items": many}, 400, "items"},
		{"long note on create", "POST", "/api/toolkits", map[string]any{"items": []map[string]string{{"record": "en-photo", "note": long(toolkit.MaxNote + 1)}}}, 400, "note"},
		{"long title on create", "POST", "/api/toolkits", map[string]string{"title": long(toolkit.MaxTitle + 1)}, 400, "title"},
		{"long title on rename", "PATCH", "/api/toolkits/" + tk.ID, map[string]string{"title": long(toolkit.MaxTitle + 1)}, 400, "title"},
		{"long note on put", "PUT", "/api/toolkits/" + tk.ID + "/items/en-photo", map[string]string{"note": long(toolkit.MaxNote + 1)}, 400, "note"},
		{"body too large", "POST", "/api/toolkits", map[string]string{"title": long(maxBody)}, 413, "body"},
		{"body too large on put", "PUT", "/api/toolkits/" + tk.ID + "/items/en-photo", map[string]string{"note": long(maxBody)}, 413, "body"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, b, _ := h.doWith(tt.method, tt.path, tt.body, withKey)
			var e apiError
			if err := json.Unmarshal(b, &e); err != nil || code != tt.status || e.Param != tt.param {
				t.Fatalf("status %d, body %.200s; want %d naming %q", code, b, tt.status, tt.param)
			}
		})
	}
	var got toolkitJSON
	h.call("GET", "/api/toolkits/"+tk.ID, "", nil, http.StatusOK, &got)
	if got.Title != "Biology" || len(got.Items) != 0 {
		t.Errorf("refused changes were kept: %+v", got)
	}

	// The edit page's forms hold the same limits.
	b := h.browser()
	edit := tk.Edit
	forms := []struct {
		name   string
		form   url.Values
		status int
	}{
		{"long title", url.Values{"action": {"rename"}, "title": {long(toolkit.MaxTitle + 1)}}, 400},
		{"long note", url.Values{"action": {"note"}, "record": {"en-photo"}, "note": {long(toolkit.MaxNote + 1)}}, 400},
		{"form too large", url.Values{"action": {"rename"}, "title": {long(maxBody)}}, 413},
	}
	for _, f := range forms {
		t.Run("page "+f.name, func(t *testing.T) {
			f.form.Set("csrf", b.csrf(edit))
			if code, _, _ := b.post(edit, f.form); code != f.status {
				t.Errorf("status %d, want %d", code, f.status)
			}
		})
	}
	if code, _, _ := b.post("/toolkit/items", url.Values{"record": {"en-photo"}, "note": {long(toolkit.MaxNote + 1)}, "csrf": {b.csrf(edit)}}); code != 400 {
		t.Errorf("saving a record with a long note: %d", code)
	}
}
