package workers

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/orchard-oer/orchard/harvester/fetch"
	"github.com/orchard-oer/orchard/internal/testenv"
)

// Three NATS connections, each with a client of its own, fetching from one host at once: the
// host sees one request per pace. Each client first opens its connection to the host with a
// request that is not counted, so that dialling does not delay a counted one.
func TestPacerSharesHost(t *testing.T) {
	t.Parallel()
	cfg := fastConfig(t.TempDir())
	cfg.Listen = "127.0.0.1:0"
	first := openSystem(t, cfg)
	systems := []*System{first}
	for range 2 {
		c := fastConfig(cfg.Dir)
		c.URL = first.ClientURL()
		systems = append(systems, openSystem(t, c))
	}
	log := &testenv.RequestLog{}
	mux := http.NewServeMux()
	mux.Handle("/page", log)
	mux.HandleFunc("/", func(http.ResponseWriter, *http.Request) {})
	srv := httptest.NewServer(mux)
	defer srv.Close()
	const pace, each = 200 * time.Millisecond, 8
	var wg sync.WaitGroup
	for _, s := range systems {
		c := fetch.New(fetch.Config{Pace: pace, AllowPrivate: true, Shared: s.Pacer()}, testLog(t))
		wg.Go(func() {
			if _, err := c.Get(t.Context(), srv.URL+"/", nil); err != nil {
				t.Error(err)
				return
			}
			for i := range each {
				if _, err := c.Get(t.Context(), fmt.Sprintf("%s/page?i=%d", srv.URL, i), nil); err != nil {
					t.Error(err)
					return
				}
			}
		})
	}
	wg.Wait()
	times := log.Times()
	if len(times) != 3*each {
		t.Fatalf("%d requests, want %d", len(times), 3*each)
	}
	if err := testenv.Paced(times, pace, 8); err != nil {
		t.Error(err)
	}
}

// A pacer that cannot reach NATS leaves the client to pace alone, without failing requests.
func TestPacerUnreachable(t *testing.T) {
	t.Parallel()
	s := openSystem(t, fastConfig(t.TempDir()))
	p := s.Pacer()
	s.Close()
	log := &testenv.RequestLog{}
	srv := httptest.NewServer(log)
	defer srv.Close()
	const pace = 200 * time.Millisecond
	c := fetch.New(fetch.Config{Pace: pace, AllowPrivate: true, Shared: p}, testLog(t))
	ctx, cancel := context.WithTimeout(t.Context(), 20*time.Second)
	defer cancel()
	for i := range 9 {
		if _, err := c.Get(ctx, fmt.Sprintf("%s/?i=%d", srv.URL, i), nil); err != nil {
			t.Fatal(err)
		}
	}
	// The first request dials, so the windows start after it.
	if err := testenv.Paced(log.Times()[1:], pace, 8); err != nil {
		t.Error(err)
	}
}

// Slots are kept in the server's time: processes whose clocks differ by minutes still take
// slots one interval apart.
func TestPacerClockSkew(t *testing.T) {
	t.Parallel()
	s := openSystem(t, fastConfig(t.TempDir()))
	ctx := t.Context()
	behind, ahead := newPacer(s.pace, "behind"), newPacer(s.pace, "ahead")
	behind.now = func() time.Time { return time.Now().Add(-5 * time.Minute) }
	ahead.now = func() time.Time { return time.Now().Add(5 * time.Minute) }
	for i, p := range []*Pacer{behind, ahead, behind} {
		wait, err := p.Reserve(ctx, "a.example", time.Second)
		if err != nil {
			t.Fatal(err)
		}
		// Each waits for the slots taken before it, a second each, less the time the
		// reservations took, give or take the error of measuring the offsets (half a round
		// trip to NATS, which a busy machine stretches).
		if want := time.Duration(i) * time.Second; wait > want+300*time.Millisecond || wait < want-500*time.Millisecond {
			t.Errorf("reservation %d waits %v, want about %v", i, wait, want)
		}
	}
}

// BenchmarkPacerReserve measures one reservation on the embedded server, alone on its host:
// what pacing through NATS adds to each paced request of a single process.
func BenchmarkPacerReserve(b *testing.B) {
	s := openSystem(b, fastConfig(b.TempDir()))
	p := s.Pacer()
	for b.Loop() {
		if _, err := p.Reserve(b.Context(), "a.example", time.Nanosecond); err != nil {
			b.Fatal(err)
		}
	}
}
