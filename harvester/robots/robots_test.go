package robots

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"

	"github.com/orchard-oer/orchard/harvester/fetch"
)

func TestFetch(t *testing.T) {
	status := http.StatusOK
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(status)
		fmt.Fprint(w, "User-agent: Orchard\nDisallow: /private/\nCrawl-delay: 2\n\nUser-agent: *\nDisallow: /\n")
	}))
	defer srv.Close()
	c := fetch.New(fetch.Config{AllowPrivate: true, MaxRetries: -1}, nil)
	page := func(p string) *url.URL { u, _ := url.Parse(srv.URL + p); return u }
	tests := []struct {
		status       int
		agent, path  string
		allowed, err bool
	}{
		{200, "Orchard", "/lesson", true, false},
		{200, "Orchard", "/private/x", false, false},
		{200, "OtherBot", "/lesson", false, false},
		{404, "Orchard", "/private/x", true, false}, // no robots.txt: everything allowed
		{500, "Orchard", "/lesson", false, true},    // an unreadable robots.txt is an error
	}
	for _, tt := range tests {
		status = tt.status
		r, err := Fetch(t.Context(), c, page(tt.path), Request{Agent: tt.agent})
		if (err != nil) != tt.err {
			t.Errorf("%d %s: err = %v", tt.status, tt.agent, err)
			continue
		}
		if err == nil && r.Allowed(page(tt.path)) != tt.allowed {
			t.Errorf("%d %s %s: allowed %v, want %v", tt.status, tt.agent, tt.path, !tt.allowed, tt.allowed)
		}
		if err == nil && tt.status == 200 && tt.agent == "Orchard" && r.CrawlDelay.Seconds() != 2 {
			t.Errorf("crawl delay %s", r.CrawlDelay)
		}
	}
}
