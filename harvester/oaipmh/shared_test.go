package oaipmh

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/orchard-oer/orchard/harvester"
	"github.com/orchard-oer/orchard/harvester/fetch"
	"github.com/orchard-oer/orchard/harvester/site"
)

// TestSharedClientPacesHostOnce runs an OAI-PMH harvest and a web harvest of one loopback host
// at once through one fetch.Client: the host sees one paced stream of requests, not two.
func TestSharedClientPacesHostOnce(t *testing.T) {
	const pace = 150 * time.Millisecond
	var (
		mu    sync.Mutex
		times []time.Time
	)
	repo := &fakeRepo{n: 4, pageSize: 1}
	mux := http.NewServeMux()
	mux.Handle("/oai", repo)
	mux.HandleFunc("/robots.txt", func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, "User-agent: *\nAllow: /\n") })
	mux.HandleFunc("/page/", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		fmt.Fprintf(w, "<title>%s</title>", r.URL.Path)
	})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		times = append(times, time.Now())
		mu.Unlock()
		mux.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)

	client := fetch.New(fetch.Config{AllowPrivate: true, Pace: pace}, nil)
	oai := New(Config{Client: client, Window: -1}, nil)
	web := site.New(site.Config{Client: client}, nil)
	none := func(context.Context, harvester.Page) error { return nil }
	var urls []string
	for i := range 4 {
		urls = append(urls, fmt.Sprintf("%s/page/%d", srv.URL, i))
	}
	errs := make(chan error, 2)
	go func() { errs <- oai.Harvest(t.Context(), harvester.Source{URL: srv.URL + "/oai"}, nil, true, none) }()
	go func() {
		errs <- web.Harvest(t.Context(), harvester.Source{Mode: site.ModeURLs, URLs: urls}, nil, true, none)
	}()
	for range 2 {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
	mu.Lock()
	defer mu.Unlock()
	if len(times) < 10 {
		t.Fatalf("%d requests; want both harvests' (at least 10)", len(times))
	}
	slices.SortFunc(times, func(a, b time.Time) int { return a.Compare(b) })
	// Slots are reserved a pace apart, but a loaded machine may deliver one request late and
	// the next on time, so single gaps say little; the whole stream must keep the pace, which
	// two clients pacing apart would take about half the time for.
	if span, want := times[len(times)-1].Sub(times[0]), time.Duration(len(times)-1)*pace-pace/2; span < want {
		t.Errorf("%d requests in %v, want at least %v", len(times), span, want)
	}
}
