package main

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/orchard-oer/orchard/catalog"
	"github.com/orchard-oer/orchard/internal/oaiserver"
)

// serveAsLibrarian starts `orchard serve` on a fresh data directory and points the test's
// commands at it with a new librarian token, which it returns with the server's URL.
func serveAsLibrarian(t *testing.T) (server, token string) {
	t.Helper()
	t.Setenv("ORCHARD_DATA_DIR", isolate(t))
	server = startServe(t)
	token, errOut, err := run(t, "token", "create", "--role", "librarian", "--name", "cli")
	if err != nil {
		t.Fatalf("token create: %v\n%s", err, errOut)
	}
	token = strings.TrimSpace(token)
	t.Setenv("ORCHARD_TOKEN", token)
	return server, token
}

// TestOneEntryPerResourceEndToEnd: a lesson a Catmandu OAI-PMH repository describes and a web
// site publishes is one search hit listing both sources, its disagreeing licenses a conflict
// for curation; `orchard record split` makes two entries of it.
func TestOneEntryPerResourceEndToEnd(t *testing.T) {
	site := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/sitemap.xml":
			_, _ = fmt.Fprintf(w, `<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><url><loc>http://%s/lesson</loc></url></urlset>`, r.Host)
		case "/lesson":
			w.Header().Set("Content-Type", "text/html")
			_, _ = fmt.Fprint(w, `<!doctype html><html lang="en"><head><title>Tide pools</title>`+
				`<link rel="license" href="https://creativecommons.org/licenses/by-sa/4.0/"></head><body><main><h1>Tide pools</h1><p>Life between the tides.</p></main></body></html>`)
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(site.Close)
	oai := oaiserver.Start(t, []oaiserver.Record{
		{ID: "tide", Datestamp: "2024-03-01T00:00:00Z", Title: []string{"Tide pools"}, Language: []string{"en"},
			Identifier: []string{site.URL + "/lesson/?utm_source=oai"}, Rights: []string{"https://creativecommons.org/licenses/by/4.0/"}},
		{ID: "dunes", Datestamp: "2024-03-02T00:00:00Z", Title: []string{"Dune tides"}, Rights: []string{"CC BY 4.0"}},
	}, oaiserver.Options{})
	serveAsLibrarian(t)
	for _, src := range [][]string{{"shore", oai.URL}, {"coast", site.URL + "/sitemap.xml"}} {
		if out, errOut, err := run(t, "source", "add", src[0], "--url", src[1]); err != nil {
			t.Fatalf("source add %s: %v\n%s%s", src[0], err, out, errOut)
		}
		if out, errOut, err := run(t, "harvest", "run", src[0], "--wait"); err != nil || !strings.Contains(errOut, "succeeded") {
			t.Fatalf("harvest run %s: %v\n%s%s", src[0], err, out, errOut)
		}
	}
	search := func() catalog.SearchResult {
		t.Helper()
		out, errOut, err := run(t, "search", "--json", "--remote", "tide")
		if err != nil {
			t.Fatalf("search: %v\n%s", err, errOut)
		}
		var res catalog.SearchResult
		if err := json.Unmarshal([]byte(out), &res); err != nil {
			t.Fatalf("search output: %v\n%s", err, out)
		}
		return res
	}
	res := search()
	if res.Total != 2 || res.Facets["source"]["coast"] != 1 || res.Facets["source"]["shore"] != 2 {
		t.Fatalf("search: %d hits, sources %v; want the lesson once, offered by both, and the dunes", res.Total, res.Facets["source"])
	}
	var lesson catalog.Hit
	for _, h := range res.Hits {
		if len(h.Sources) > 0 {
			lesson = h
		}
	}
	if len(lesson.Sources) != 2 || lesson.License.Status() != catalog.StatusConflict {
		t.Fatalf("lesson: sources %+v, license %+v; want both sources and a conflict", lesson.Sources, lesson.License)
	}
	out, errOut, err := run(t, "record", "split", lesson.ID)
	if err != nil || !strings.Contains(out, "split into 2 entries") {
		t.Fatalf("record split: %v\n%s%s", err, out, errOut)
	}
	if res := search(); res.Total != 3 {
		t.Errorf("after the split: %d hits, want 3", res.Total)
	}
}
