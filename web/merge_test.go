package web

import (
	"context"
	"encoding/json"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/orchard-oer/orchard/catalog"
	"github.com/orchard-oer/orchard/harvester"
	"github.com/orchard-oer/orchard/normalizer"
	"github.com/orchard-oer/orchard/workers"
)

// sameResource is a harvester whose every source offers one page of the same lesson.
type sameResource struct{}

func (sameResource) Harvest(ctx context.Context, src harvester.Source, _ json.RawMessage, _ bool, emit harvester.Emit) error {
	rec := harvester.Record{
		OriginID: "oai:" + src.Name + ":1", URL: "https://example.org/lesson/", Titles: []string{"Tide pools"},
		Rights: []harvester.Rights{{From: "dc:rights", Value: "CC BY 4.0"}},
	}
	return emit(ctx, harvester.Page{Records: []harvester.Record{rec}, Checkpoint: json.RawMessage(`{}`), Done: true})
}

// TestMergedEntryPages: a record merged into another source's entry leads there from its old
// API and page paths; the page lists both sources; a librarian's split gives it back its own.
func TestMergedEntryPages(t *testing.T) {
	h := newHarness(t)
	ctx := t.Context()
	for _, name := range []string{"shore", "coast"} {
		src := workers.Source{Source: harvester.Source{Name: name, Type: harvester.TypeOAIPMH, URL: "https://" + name + ".example/oai"}}
		if _, err := h.sys.Sources().Add(ctx, src); err != nil {
			t.Fatal(err)
		}
	}
	wctx, stop := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() {
		done <- h.sys.RunWorkers(wctx, workers.Pipeline{
			Harvesters: map[string]harvester.Harvester{harvester.TypeOAIPMH: sameResource{}},
			Normalize:  workers.EachRecord(normalizer.Record), Index: h.index,
		}, 1)
	}()
	defer func() {
		stop()
		if err := <-done; err != nil {
			t.Errorf("workers: %v", err)
		}
	}()
	for _, name := range []string{"shore", "coast"} {
		id, err := h.sys.RunNow(ctx, name, true)
		if err != nil {
			t.Fatal(err)
		}
		deadline := time.Now().Add(20 * time.Second)
		for {
			r, err := h.sys.Run(ctx, id)
			if err == nil && r.Status.Final() {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("run of %s did not end: %+v, %v", name, r, err)
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
	entry, member := catalog.RecordID("shore", "oai:shore:1"), catalog.RecordID("coast", "oai:coast:1")

	var rec catalog.Record
	h.call("GET", "/api/records/"+member, "", nil, 200, &rec) // the client follows the redirect
	if rec.ID != entry || len(rec.Sources) != 2 {
		t.Errorf("the merged record's API path gave %s with sources %+v; want the entry %s with both", rec.ID, rec.Sources, entry)
	}
	code, body, _ := h.do("GET", "/records/"+entry, "", nil)
	if code != 200 || !strings.Contains(string(body), "Offered by") || !strings.Contains(string(body), "coast") {
		t.Errorf("entry page: %d, sources not listed", code)
	}

	h.call("POST", "/api/admin/records/"+member+"/split", "", nil, 401, nil)
	b := h.browser()
	b.login(h.librarian)
	if _, page, _ := b.get("/records/" + entry); !strings.Contains(page, "Split: these are different resources") {
		t.Error("the entry's page offers librarians no split")
	}
	code, _, hdr := b.post("/admin/records/"+entry+"/split", url.Values{"csrf": {b.csrf("/records/" + entry)}})
	if code != 303 || hdr.Get("Location") != "/records/"+entry {
		t.Errorf("split from the page: %d to %q", code, hdr.Get("Location"))
	}
	var alone catalog.Record
	h.call("GET", "/api/records/"+member, "", nil, 200, &alone)
	if alone.ID != member || alone.Sources != nil {
		t.Errorf("after the split: %s with sources %+v", alone.ID, alone.Sources)
	}
	h.call("POST", "/api/admin/records/"+member+"/split", h.librarian, nil, 404, nil)
}
