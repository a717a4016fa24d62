package web

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/orchard-oer/orchard/catalog"
	"github.com/orchard-oer/orchard/internal/testsite"
)

// A sitemap that shrinks to nothing: the full run waits for a librarian on the source page,
// who keeps the records; the next such run's records go with a confirmation, and then the
// source goes from its page with its records.
func TestSweepOnSourcePage(t *testing.T) {
	h := newHarness(t)
	newPipeline().start(h)
	site := testsite.Start(t, "/a", "/b")
	h.call("POST", "/api/admin/sources", h.librarian, map[string]any{"name": "site", "type": "web", "mode": "sitemap", "url": site.Sitemap()}, 201, nil)
	run := func(full bool) Run {
		t.Helper()
		var started map[string]string
		h.call("POST", fmt.Sprintf("/api/admin/sources/site/run?full=%t", full), h.librarian, nil, 202, &started)
		return h.waitRun(started["run_id"])
	}
	count := func() int {
		t.Helper()
		res, err := h.index.Search(t.Context(), catalog.SearchRequest{Filter: catalog.Filter{Sources: []string{"site"}, WithHidden: true}, PerPage: 1})
		if err != nil {
			t.Fatal(err)
		}
		return res.Total
	}
	if r := run(false); r.Status != "succeeded" || count() != 2 {
		t.Fatalf("first run: %+v, %d records", r, count())
	}
	site.Clear()
	b := h.browser()
	b.login(h.librarian)
	notice := "This run saw 0 of 2 records; 2 would be removed."
	for _, decision := range []string{"keep", "remove"} {
		r := run(true)
		if r.Sweep == nil || r.Sweep.Status != "waiting" {
			t.Fatalf("empty sitemap's run: %+v", r.Sweep)
		}
		_, body, _ := b.get("/admin/sources/site")
		if !strings.Contains(body, notice) || !strings.Contains(body, "Remove them") || !strings.Contains(body, "Keep them") {
			t.Fatalf("source page without the waiting sweep:\n%s", body)
		}
		code, _, _ := b.post("/admin/sources/site/sweep", url.Values{"csrf": {b.csrf("/admin/sources/site")}, "action": {decision}})
		if code != http.StatusSeeOther {
			t.Fatalf("%s: status %d", decision, code)
		}
		if _, body, _ = b.get("/admin/sources/site"); strings.Contains(body, notice) {
			t.Errorf("the sweep still waits after %s", decision)
		}
		var got Run
		h.call("GET", "/api/admin/runs/"+r.ID, h.librarian, nil, 200, &got)
		if decision == "keep" {
			if got.Sweep.Status != "kept" || count() != 2 {
				t.Fatalf("after keep: %+v, %d records", got.Sweep, count())
			}
			if _, body, _ := b.get("/admin/runs/" + r.ID); !strings.Contains(body, "Kept: 2 records this run did not see stay in the catalog.") {
				t.Errorf("run page after keep:\n%s", body)
			}
			continue
		}
		if got.Sweep.Status != "confirmed" || got.Sweep.By == "" {
			t.Fatalf("after remove: %+v", got.Sweep)
		}
		if rm := h.waitRun(got.Sweep.By); rm.Sweep.Removed != 2 || count() != 0 {
			t.Fatalf("removing run: %+v, %d records", rm.Sweep, count())
		}
		if _, body, _ := b.get("/admin/runs/" + got.Sweep.By); !strings.Contains(body, "Records removed: 2") {
			t.Errorf("removing run's page:\n%s", body)
		}
	}

	// Removed from its page, with its records.
	site.Set("/a", http.StatusOK, true)
	run(false)
	admin := h.browser()
	admin.login(h.admin)
	code, _, hdr := admin.post("/admin/sources/site/remove", url.Values{"csrf": {admin.csrf("/admin/sources/site")}})
	id, ok := strings.CutPrefix(hdr.Get("Location"), "/admin/runs/")
	if code != http.StatusSeeOther || !ok {
		t.Fatalf("remove: status %d, location %q", code, hdr.Get("Location"))
	}
	if rm := h.waitRun(id); rm.Status != "succeeded" || count() != 0 {
		t.Fatalf("removal: %+v, %d records", rm, count())
	}
	h.call("GET", "/api/admin/sources/site", h.librarian, nil, 404, nil)
}

// waitRun polls a run through the API until it ends.
func (h *harness) waitRun(id string) Run {
	h.t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		var r Run
		h.call("GET", "/api/admin/runs/"+id, h.librarian, nil, 200, &r)
		if r.Status.Final() {
			// A record is marked by the second it was written in: the next run starts later.
			time.Sleep(time.Until(r.Ended.Truncate(time.Second).Add(time.Second)))
			return r
		}
		if time.Now().After(deadline) {
			h.t.Fatalf("run %s did not end: %+v", id, r)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
