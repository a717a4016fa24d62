package site

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"
	"testing/synctest"
	"time"

	"github.com/orchard-oer/orchard/harvester"
	"github.com/orchard-oer/orchard/harvester/fetch"
)

// handlerTransport answers requests in process, so that a harvest can run on synctest's fake
// clock.
type handlerTransport struct{ h http.Handler }

func (t handlerTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	rec := httptest.NewRecorder()
	t.h.ServeHTTP(rec, r)
	resp := rec.Result()
	resp.Request = r
	return resp, nil
}

func TestPacing(t *testing.T) {
	tests := []struct {
		name       string
		robots     string
		cfgPace    time.Duration
		srcPace    time.Duration
		wantPeriod time.Duration
	}{
		{"default one per second", "User-agent: *\nAllow: /\n", 0, 0, time.Second},
		{"source pace", "User-agent: *\nAllow: /\n", 0, 3 * time.Second, 3 * time.Second},
		{"crawl delay raises the pace", "User-agent: orchard\nCrawl-delay: 7\nAllow: /\n", 0, 2 * time.Second, 7 * time.Second},
		{"crawl delay below the pace does not lower it", "User-agent: *\nCrawl-delay: 1\n", 5 * time.Second, 0, 5 * time.Second},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				var times []time.Time
				mux := http.NewServeMux()
				mux.HandleFunc("/robots.txt", func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, tt.robots) })
				mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
					times = append(times, time.Now())
					w.Header().Set("Content-Type", "text/html")
					fmt.Fprint(w, "<title>x</title>")
				})
				h := New(Config{Fetch: fetch.Config{Pace: tt.cfgPace, Transport: handlerTransport{mux}}}, nil)
				src := harvester.Source{Mode: ModeURLs, URLs: []string{"https://oer.example/1", "https://oer.example/2", "https://oer.example/3"}, Pace: tt.srcPace}
				err := h.Harvest(t.Context(), src, nil, false, func(context.Context, harvester.Page) error { return nil })
				if err != nil {
					t.Fatal(err)
				}
				if len(times) != 3 {
					t.Fatalf("%d page requests", len(times))
				}
				for i := 1; i < len(times); i++ {
					if d := times[i].Sub(times[i-1]); d < tt.wantPeriod {
						t.Errorf("requests %v apart, want at least %v", d, tt.wantPeriod)
					}
				}
			})
		})
	}
}
