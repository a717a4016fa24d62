package fetch

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/orchard-oer/orchard/harvester"
)

// heard is one call of an Observer.
type heard struct {
	host   string
	status int
	kind   harvester.Kind // KindOther when the request did not fail
	bytes  int64
}

type recorder struct {
	mu    sync.Mutex
	calls []heard
}

func (r *recorder) Request(host string, status int, err error, bytes int64, _ time.Duration) {
	h := heard{host: host, status: status, bytes: bytes}
	if err != nil {
		h.kind = harvester.KindOf(err)
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.calls = append(r.calls, h)
}

// The observer hears of every request sent, hops and retries included, with the bytes that
// came over the wire and what became of it.
func TestObserver(t *testing.T) {
	body := strings.Repeat("fractions ", 100)
	mux := http.NewServeMux()
	mux.HandleFunc("/ok", func(w http.ResponseWriter, _ *http.Request) { w.Write([]byte(body)) })
	mux.HandleFunc("/gz", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Encoding", "gzip")
		w.Write(gz([]byte(body)))
	})
	mux.HandleFunc("/moved", func(w http.ResponseWriter, r *http.Request) { http.Redirect(w, r, "/ok", http.StatusFound) })
	mux.HandleFunc("/gone", func(w http.ResponseWriter, _ *http.Request) { http.Error(w, "gone", http.StatusGone) })
	mux.HandleFunc("/broken", func(w http.ResponseWriter, _ *http.Request) { http.Error(w, "down", http.StatusBadGateway) })
	mux.HandleFunc("/big", func(w http.ResponseWriter, _ *http.Request) { w.Write([]byte(body + body)) })
	srv := httptest.NewServer(mux)
	defer srv.Close()
	host := strings.TrimPrefix(srv.URL, "http://")
	closed := httptest.NewServer(http.NotFoundHandler())
	closedHost := strings.TrimPrefix(closed.URL, "http://")
	closed.Close()
	gzLen := int64(len(gz([]byte(body))))
	okLen, errLen := int64(len(body)), int64(len("down\n"))

	tests := []struct {
		url  string
		max  int64
		want []heard
	}{
		{srv.URL + "/ok", 0, []heard{{host, 200, harvester.KindOther, okLen}}},
		{srv.URL + "/gz", 0, []heard{{host, 200, harvester.KindOther, gzLen}}},
		{srv.URL + "/moved", 0, []heard{{host, 302, harvester.KindOther, -1}, {host, 200, harvester.KindOther, okLen}}},
		{srv.URL + "/gone", 0, []heard{{host, 410, harvester.KindOther, int64(len("gone\n"))}}},
		{srv.URL + "/broken", 0, []heard{{host, 502, harvester.KindOther, errLen}, {host, 502, harvester.KindOther, errLen}}},
		{srv.URL + "/big", 2 * okLen / 3, []heard{{host, 200, harvester.KindPermanent, -1}}},
		{closed.URL + "/", 0, []heard{{closedHost, 0, harvester.KindTransient, 0}, {closedHost, 0, harvester.KindTransient, 0}}},
	}
	for _, tt := range tests {
		u, _ := url.Parse(tt.url)
		t.Run(u.Path, func(t *testing.T) {
			rec := &recorder{}
			c := testClient(Config{Observer: rec, MaxRetries: 1})
			c.Do(context.Background(), Request{URL: tt.url, MaxBody: tt.max})
			got := rec.calls
			for i := range got {
				if i < len(tt.want) && tt.want[i].bytes < 0 && got[i].bytes > 0 {
					got[i].bytes = -1 // some bytes, how many the server chose
				}
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("heard\n%v\nwant\n%v", got, tt.want)
			}
		})
	}
}
