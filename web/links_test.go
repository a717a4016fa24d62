package web

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/orchard-oer/orchard/catalog"
	"github.com/orchard-oer/orchard/harvester/linkcheck"
	"github.com/orchard-oer/orchard/workers"
)

// A record whose link the checker found broken: gone for learners (search, record page,
// API), listed for librarians with its failure.
func TestBrokenLinks(t *testing.T) {
	h := newHarness(t)
	ctx := t.Context()
	rec, err := h.index.Get(ctx, "en-photo")
	if err != nil {
		t.Fatal(err)
	}
	first := time.Date(2026, 3, 1, 8, 0, 0, 0, time.UTC)
	st := workers.LinkState{ID: rec.ID, Title: rec.Title, Source: rec.Source, State: linkcheck.State{
		URL: "https://alpha.example/photo", Kind: linkcheck.Status, Status: 410, Failures: 3,
		FirstFailure: first, LastFailure: first.Add(8 * 24 * time.Hour), Broken: true, BrokenSince: first.Add(8 * 24 * time.Hour),
	}}
	docs, err := h.sys.Docs(ctx, workers.LinksBucket)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := docs.Put(ctx, rec.ID, st); err != nil {
		t.Fatal(err)
	}
	rec.Broken = true
	if err := h.index.Upsert(ctx, []catalog.Record{rec}); err != nil {
		t.Fatal(err)
	}

	var res catalog.SearchResult
	h.call("GET", "/api/search?q=photosynthesis", "", nil, http.StatusOK, &res)
	for _, hit := range res.Hits {
		if hit.ID == rec.ID {
			t.Error("learners find a record whose link is broken")
		}
	}
	h.call("GET", "/api/records/"+rec.ID, "", nil, http.StatusNotFound, nil)
	if code, _, _ := h.do("GET", "/records/"+rec.ID, "", nil); code != http.StatusNotFound {
		t.Errorf("record page for learners: %d, want 404", code)
	}
	if code, body, _ := h.do("GET", "/records/"+rec.ID, h.librarian, nil); code != http.StatusOK || !strings.Contains(string(body), "its page stopped answering") {
		t.Errorf("record page for librarians: %d\n%s", code, body)
	}
	var got catalog.Record
	h.call("GET", "/api/records/"+rec.ID, h.librarian, nil, http.StatusOK, &got)
	if !got.Broken {
		t.Errorf("librarians' record %+v, want broken", got)
	}

	h.call("GET", "/api/admin/links/broken", "", nil, http.StatusUnauthorized, nil)
	var list []workers.LinkState
	h.call("GET", "/api/admin/links/broken", h.librarian, nil, http.StatusOK, &list)
	if len(list) != 1 || list[0].ID != rec.ID || list[0].Status != 410 || list[0].Kind != linkcheck.Status || !list[0].FirstFailure.Equal(first) {
		t.Errorf("broken links = %+v", list)
	}
	code, body, _ := h.do("GET", "/admin/links", h.librarian, nil)
	if code != http.StatusOK || !strings.Contains(string(body), rec.Title) || !strings.Contains(string(body), "410") {
		t.Errorf("broken links page: %d\n%s", code, body)
	}
	if _, body, _ := h.do("GET", "/admin/links", "", nil); strings.Contains(string(body), rec.Title) {
		t.Error("broken links page shown to a visitor")
	}
}
