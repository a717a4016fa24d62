package workers

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/orchard-oer/orchard/catalog"
	"github.com/orchard-oer/orchard/harvester"
	"github.com/orchard-oer/orchard/harvester/fetch"
	"github.com/orchard-oer/orchard/harvester/linkcheck"
	"github.com/orchard-oer/orchard/internal/testenv"
	"github.com/orchard-oer/orchard/normalizer"
)

// lessonSite is a loopback site whose lessons can go dead and come back; robots.txt keeps
// Orchard out of /private/.
type lessonSite struct {
	*httptest.Server
	mu   sync.Mutex
	dead map[string]bool
	hits map[string]int
}

func newLessonSite(t *testing.T) *lessonSite {
	s := &lessonSite{dead: map[string]bool{}, hits: map[string]int{}}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		s.hits[r.URL.Path]++
		dead := s.dead[r.URL.Path]
		s.mu.Unlock()
		switch {
		case r.URL.Path == "/robots.txt":
			fmt.Fprint(w, "User-agent: *\nDisallow: /private/\n")
		case dead:
			http.NotFound(w, r)
		default:
			fmt.Fprintf(w, "<title>%s</title>", r.URL.Path)
		}
	}))
	t.Cleanup(s.Close)
	return s
}

func (s *lessonSite) setDead(path string, dead bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.dead[path] = dead
}

func (s *lessonSite) hit(path string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.hits[path]
}

// lessons is a harvester of one page of records whose landing pages are on a lessonSite.
type lessons struct {
	base  string
	paths []string
}

func (h lessons) Harvest(ctx context.Context, src harvester.Source, _ json.RawMessage, _ bool, emit harvester.Emit) error {
	var recs []harvester.Record
	for _, p := range h.paths {
		recs = append(recs, harvester.Record{
			OriginID: "oai:lessons:" + p, URL: h.base + p, Titles: []string{"Lesson " + p},
			Rights: []harvester.Rights{{Value: "https://creativecommons.org/licenses/by/4.0/"}},
		})
	}
	return emit(ctx, harvester.Page{Records: recs, Checkpoint: json.RawMessage(`{}`), Done: true})
}

// A record whose landing page goes dead is withheld from learners once the policy says it is
// broken, stays so through a new harvest, and comes back when its page answers again; a page
// robots.txt disallows is never visited nor marked. Both index backends.
func TestLinkCheckerEndToEnd(t *testing.T) {
	t.Parallel()
	for _, backend := range []string{"embedded", "meilisearch"} {
		t.Run(backend, func(t *testing.T) {
			t.Parallel()
			var ix catalog.Index
			if backend == "embedded" {
				ix = openIndex(t, t.TempDir())
			} else {
				srv := testenv.Meili(t)
				ix = openMeili(t, srv.URL, srv.MasterKey, testenv.IndexName("workers_links"))
			}
			linkCheckerEndToEnd(t, ix)
		})
	}
}

func linkCheckerEndToEnd(t *testing.T, ix catalog.Index) {
	ctx := t.Context()
	site := newLessonSite(t)
	s := openSystem(t, fastConfig(t.TempDir()))
	h := lessons{base: site.URL, paths: []string{"/lesson/1", "/lesson/2", "/private/3"}}
	normalize, err := s.KeepBroken(ctx, EachRecord(normalizer.Record))
	if err != nil {
		t.Fatal(err)
	}
	p := Pipeline{Harvesters: map[string]harvester.Harvester{harvester.TypeWeb: h}, Normalize: normalize, Index: ix}
	startWorkers(t, s, p, 1)
	src := Source{Source: harvester.Source{Name: "lessons", Type: harvester.TypeWeb, URL: site.URL}}
	if _, err := s.Sources().Add(ctx, src); err != nil {
		t.Fatal(err)
	}
	harvest := func() {
		t.Helper()
		id, err := s.RunNow(ctx, "lessons", true)
		if err != nil {
			t.Fatal(err)
		}
		if r := waitRun(t, s, id, 20*time.Second, ended); r.Status != StatusSucceeded {
			t.Fatalf("harvest: %+v", r)
		}
	}
	harvest()
	id := func(p string) string { return catalog.RecordID("lessons", "oai:lessons:"+p) }
	visible := func() ([]string, error) {
		res, err := ix.Search(ctx, catalog.SearchRequest{Facets: []string{catalog.FacetSource}})
		if err != nil {
			return nil, err
		}
		var out []string
		for _, hit := range res.Hits {
			out = append(out, hit.ID)
		}
		slices.Sort(out)
		if n := res.Facets[catalog.FacetSource]["lessons"]; n != len(out) {
			return nil, fmt.Errorf("facet counts %d records, hits %v", n, out)
		}
		return out, nil
	}
	all := []string{id("/lesson/1"), id("/lesson/2"), id("/private/3")}
	slices.Sort(all)
	waitVisible := func(want []string) {
		t.Helper()
		waitFor(t, 20*time.Second, func() error {
			got, err := visible()
			if err == nil && !slices.Equal(got, want) {
				err = fmt.Errorf("learners see %v, want %v", got, want)
			}
			return err
		})
	}
	waitVisible(all)

	site.setDead("/lesson/1", true)
	site.setDead("/private/3", true)
	ctx, cancel := context.WithCancel(ctx)
	done := make(chan error, 1)
	client := fetch.New(fetch.Config{AllowPrivate: true, MaxRetries: -1, Timeout: 2 * time.Second}, nil)
	cfg := LinkConfig{
		Interval: 50 * time.Millisecond, Batch: 10, Recheck: 200 * time.Millisecond,
		Policy: linkcheck.Policy{Failures: 3, Span: 600 * time.Millisecond, BrokenRecheck: 100 * time.Millisecond},
	}
	started := time.Now()
	go func() {
		done <- s.RunLinkChecker(ctx, ix, linkcheck.New(client, linkcheck.Config{AllowPrivate: true}), cfg)
	}()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("link checker: %v", err)
		}
	})
	without1 := slices.DeleteFunc(slices.Clone(all), func(s string) bool { return s == id("/lesson/1") })
	waitVisible(without1)
	if took := time.Since(started); took < cfg.Policy.Span {
		t.Errorf("broken after %s, before the span of %s", took, cfg.Policy.Span)
	}
	broken, err := s.BrokenLinks(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(broken) != 1 || broken[0].ID != id("/lesson/1") || broken[0].Kind != linkcheck.Status || broken[0].Status != 404 ||
		broken[0].Failures < 3 || broken[0].LastFailure.Sub(broken[0].FirstFailure) < cfg.Policy.Span || broken[0].Title != "Lesson /lesson/1" {
		t.Errorf("broken links = %+v", broken)
	}
	rec, err := ix.Get(ctx, id("/lesson/1"))
	if err != nil || !rec.Broken || rec.Hidden {
		t.Errorf("librarians' view of the broken record: %+v, %v", rec, err)
	}
	if n := testutil.ToFloat64(s.metrics.linkChecks.WithLabelValues(string(linkcheck.Status))); n < 3 {
		t.Errorf("orchard_link_checks_total{result=status} = %v", n)
	}

	// A new harvest keeps the verdict.
	harvest()
	if got, err := visible(); err != nil || !slices.Equal(got, without1) {
		t.Errorf("after a new harvest learners see %v (%v), want %v", got, err, without1)
	}

	site.setDead("/lesson/1", false)
	waitVisible(all)
	if broken, err := s.BrokenLinks(ctx); err != nil || len(broken) != 0 {
		t.Errorf("broken links after recovery: %+v, %v", broken, err)
	}
	if n := site.hit("/private/3"); n != 0 {
		t.Errorf("robots.txt disallowed page visited %d times", n)
	}
	docs, err := s.Docs(ctx, LinksBucket)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := docs.Get(ctx, id("/private/3"), &LinkState{}); !errors.Is(err, ErrNotFound) {
		t.Errorf("state of a disallowed link: %v", err)
	}
}

// Rounds fall on multiples of the interval, whenever the loop started, on a fake clock.
func TestLinkRoundsAligned(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		time.Sleep(7 * time.Minute) // start off the grid
		ctx, cancel := context.WithCancel(t.Context())
		var dues []time.Time
		var n atomic.Int32
		done := make(chan error)
		go func() {
			done <- every(ctx, 10*time.Minute, func(_ context.Context, due time.Time) error {
				dues = append(dues, due)
				if n.Add(1) == 3 {
					cancel()
				}
				return nil
			})
		}()
		if err := <-done; err != nil {
			t.Fatal(err)
		}
		for i, d := range dues {
			if d.Sub(d.Truncate(10*time.Minute)) != 0 || !time.Now().Add(time.Duration(i-2)*10*time.Minute).Equal(d) {
				t.Errorf("round %d due %s (now %s)", i, d, time.Now())
			}
		}
		if len(dues) != 3 {
			t.Errorf("%d rounds, want 3", len(dues))
		}
	})
}
