package pipeline

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/orchard-oer/orchard/catalog"
	"github.com/orchard-oer/orchard/catalog/embedded"
	"github.com/orchard-oer/orchard/catalog/meili"
	"github.com/orchard-oer/orchard/curation"
	"github.com/orchard-oer/orchard/harvester"
	"github.com/orchard-oer/orchard/harvester/fetch"
	"github.com/orchard-oer/orchard/harvester/oaipmh"
	"github.com/orchard-oer/orchard/internal/testenv"
	"github.com/orchard-oer/orchard/normalizer"
	"github.com/orchard-oer/orchard/workers"
)

// The benchmark catalog: sources repositories of perSource records, in pages of pageSize.
const (
	sources   = 4
	perSource = 5000
	pageSize  = 100
	total     = sources * perSource
	// rawBatch is how many documents one request of the raw bulk load carries.
	rawBatch = 1000
)

var quiet = slog.New(slog.DiscardHandler)

func sourceName(i int) string { return fmt.Sprintf("repo%d", i) }

func harvesterFor() *oaipmh.Harvester {
	return oaipmh.New(oaipmh.Config{Fetch: fetch.Config{AllowPrivate: true}, Window: -1}, quiet)
}

// decisionEvery is how often a record has a librarian's decision (a license override), so
// that the pipeline reads decisions as it does in production and some of them apply.
const decisionEvery = 50

// addDecisions stores a license override for every decisionEvery-th record of every source.
func addDecisions(b *testing.B, s *workers.System) *curation.Store {
	st, err := curation.Open(b.Context(), s)
	if err != nil {
		b.Fatal(err)
	}
	for i := range sources {
		for n := 0; n < perSource; n += decisionEvery {
			id := catalog.RecordID(sourceName(i), originID(sourceName(i), n))
			_, err := st.Change(b.Context(), id, func(d *curation.Decision) error {
				d.License = &catalog.Override{ID: "CC-BY-4.0", Note: "checked the item page"}
				return nil
			})
			if err != nil {
				b.Fatal(err)
			}
		}
	}
	return st
}

type indexCase struct {
	name string
	open func(b *testing.B) catalog.Index
}

var indexes = []indexCase{
	{"meilisearch", func(b *testing.B) catalog.Index { return openMeili(b, testenv.IndexName("bench_pipeline")) }},
	{"embedded", func(b *testing.B) catalog.Index {
		ix, err := embedded.Open(embedded.Config{Dir: b.TempDir()}, quiet)
		if err != nil {
			b.Fatal(err)
		}
		b.Cleanup(func() { ix.Close() })
		return ix
	}},
}

// openMeili makes an empty index with Orchard's settings, dropped when the benchmark ends.
func openMeili(b *testing.B, name string) *meili.Index {
	srv := testenv.Meili(b)
	ix, err := meili.New(context.Background(), meili.Config{URL: srv.URL, Key: srv.MasterKey, Index: name, Timeout: time.Minute}, quiet)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() {
		if err := ix.DeleteIndex(context.Background()); err != nil {
			b.Error(err)
		}
	})
	return ix
}

// BenchmarkEndToEnd harvests every generated repository with the oaipmh harvester, normalizes
// the records and indexes them through the workers (embedded NATS) with 1, 2 and 4 workers,
// until every run has succeeded, that is until the index confirmed every record: the records
// are searchable. Each iteration fills an empty index. meili-raw posts the same normalized
// documents straight to Meilisearch (all batches sent, then waited for) for comparison.
func BenchmarkEndToEnd(b *testing.B) {
	names := make([]string, sources)
	for i := range names {
		names[i] = sourceName(i)
	}
	srv := httptest.NewServer(prerendered(b, repo{size: perSource, page: pageSize}, names...))
	b.Cleanup(srv.Close)
	// The raw load runs first, after an untimed one, so that neither side pays for a cold
	// Meilisearch and every ratio compares like with like.
	warmUp(b, srv.URL)
	b.Run("index=meilisearch/raw", func(b *testing.B) {
		bodies := rawBodies(b, srv.URL)
		m := newRawMeili(b)
		for b.Loop() {
			b.StopTimer()
			name := testenv.IndexName("bench_raw")
			ix := openMeili(b, name) // the same settings, applied first
			b.StartTimer()
			if err := m.load(b.Context(), name, bodies); err != nil {
				b.Fatal(err)
			}
			b.StopTimer()
			checkIndexed(b, ix)
			b.StartTimer()
		}
		reportRate(b)
	})
	for _, ixc := range indexes {
		for _, n := range []int{1, 2, 4} {
			b.Run(fmt.Sprintf("index=%s/workers=%d", ixc.name, n), func(b *testing.B) {
				for b.Loop() {
					b.StopTimer()
					ix := ixc.open(b)
					s, err := workers.Open(b.Context(), workers.Config{Dir: b.TempDir()}, quiet)
					if err != nil {
						b.Fatal(err)
					}
					addSources(b, s, srv.URL)
					decisions := addDecisions(b, s)
					ctx, stop := context.WithCancel(b.Context())
					done := make(chan error, 1)
					go func() {
						done <- s.RunWorkers(ctx, workers.Pipeline{
							Harvesters: map[string]harvester.Harvester{harvester.TypeOAIPMH: harvesterFor()},
							Normalize:  decisions.Normalize(normalizer.Record), Index: ix,
						}, n)
					}()
					b.StartTimer()
					harvestAll(b, s)
					b.StopTimer()
					stop()
					if err := <-done; err != nil {
						b.Error(err)
					}
					s.Close()
					checkIndexed(b, ix)
					checkDecided(b, ix)
					b.StartTimer()
				}
				reportRate(b)
			})
		}
	}
}

// warmUp loads the documents into a throwaway Meilisearch index, untimed.
func warmUp(b *testing.B, url string) {
	m := newRawMeili(b)
	name := testenv.IndexName("bench_warm")
	openMeili(b, name)
	if err := m.load(b.Context(), name, rawBodies(b, url)); err != nil {
		b.Fatal(err)
	}
}

func reportRate(b *testing.B) {
	b.ReportMetric(float64(total*b.N)/b.Elapsed().Seconds(), "records/s")
	b.ReportMetric(0, "ns/op")
}

func addSources(b *testing.B, s *workers.System, base string) {
	for i := range sources {
		src := workers.Source{Source: harvester.Source{Name: sourceName(i), Type: harvester.TypeOAIPMH, URL: base + "/" + sourceName(i)}}
		if _, err := s.Sources().Add(b.Context(), src); err != nil {
			b.Fatal(err)
		}
	}
}

// harvestAll queues a full run of every source and waits until all have succeeded.
func harvestAll(b *testing.B, s *workers.System) {
	ids := make([]string, sources)
	for i := range sources {
		id, err := s.RunNow(b.Context(), sourceName(i), true)
		if err != nil {
			b.Fatal(err)
		}
		ids[i] = id
	}
	deadline := time.Now().Add(10 * time.Minute)
	for _, id := range ids {
		for {
			r, err := s.Run(b.Context(), id)
			if err != nil {
				b.Fatal(err)
			}
			if r.Status.Final() {
				if r.Status != workers.StatusSucceeded || r.Upserted != perSource {
					b.Fatalf("run %+v", r)
				}
				break
			}
			if time.Now().After(deadline) {
				b.Fatalf("run %s not done: %+v", id, r)
			}
			time.Sleep(10 * time.Millisecond)
		}
	}
}

// checkIndexed asserts the index holds every record and finds them.
func checkIndexed(b *testing.B, ix catalog.Index) {
	ctx := context.Background()
	st, err := ix.Stats(ctx)
	if err != nil || st.Records != total {
		b.Fatalf("index holds %d records, want %d (%v)", st.Records, total, err)
	}
	res, err := ix.Search(ctx, catalog.SearchRequest{Query: "beginners", Filter: catalog.Filter{Sources: []string{sourceName(sources - 1)}}})
	if err != nil || res.Total != perSource {
		b.Fatalf("search finds %d records of %s, want %d (%v)", res.Total, sourceName(sources-1), perSource, err)
	}
}

// checkDecided asserts the librarians' decisions were applied on the way in.
func checkDecided(b *testing.B, ix catalog.Index) {
	id := catalog.RecordID(sourceName(sources-1), originID(sourceName(sources-1), decisionEvery))
	rec, err := ix.Get(context.Background(), id)
	if err != nil || rec.License.Override == nil || rec.License.ID != "CC-BY-4.0" {
		b.Fatalf("record %s: license %+v without its decision (%v)", id, rec.License, err)
	}
}

// rawBodies harvests and normalizes every repository once, outside the timer, and encodes the
// documents Orchard would send Meilisearch in batches of rawBatch.
func rawBodies(b *testing.B, base string) [][]byte {
	var docs []json.RawMessage
	h := harvesterFor()
	for i := range sources {
		src := harvester.Source{Name: sourceName(i), Type: harvester.TypeOAIPMH, URL: base + "/" + sourceName(i)}
		err := h.Harvest(b.Context(), src, nil, true, func(_ context.Context, p harvester.Page) error {
			for _, raw := range p.Records {
				rec, err := normalizer.Record(src.Name, raw)
				if err != nil {
					return err
				}
				d, err := meili.Document(&rec)
				if err != nil {
					return err
				}
				docs = append(docs, d)
			}
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
	}
	if len(docs) != total {
		b.Fatalf("%d documents, want %d", len(docs), total)
	}
	var bodies [][]byte
	for start := 0; start < len(docs); start += rawBatch {
		body, err := json.Marshal(docs[start:min(start+rawBatch, len(docs))])
		if err != nil {
			b.Fatal(err)
		}
		bodies = append(bodies, body)
	}
	return bodies
}

// rawMeili talks to Meilisearch over plain HTTP, without gzip (which stalls reused connections).
type rawMeili struct {
	srv *testenv.Server
	hc  *http.Client
}

func newRawMeili(b *testing.B) rawMeili {
	return rawMeili{srv: testenv.Meili(b), hc: &http.Client{Transport: &http.Transport{DisableCompression: true}, Timeout: time.Minute}}
}

// call sends body (nil for none) and decodes the JSON answer into out.
func (m rawMeili) call(ctx context.Context, method, path string, body []byte, out any) error {
	req, err := http.NewRequestWithContext(ctx, method, m.srv.URL+path, bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+m.srv.MasterKey)
	resp, err := m.hc.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	switch {
	case err != nil:
		return fmt.Errorf("%s %s: %w", method, path, err)
	case resp.StatusCode >= 300:
		return fmt.Errorf("%s %s: %s: %s", method, path, resp.Status, data)
	}
	return json.Unmarshal(data, out)
}

// load posts every body as a documents task, then waits for each task.
func (m rawMeili) load(ctx context.Context, index string, bodies [][]byte) error {
	var uids []int64
	for _, body := range bodies {
		var info struct {
			TaskUID int64 `json:"taskUid"`
		}
		if err := m.call(ctx, http.MethodPost, "/indexes/"+index+"/documents", body, &info); err != nil {
			return err
		}
		uids = append(uids, info.TaskUID)
	}
	for _, uid := range uids {
		for {
			var task struct {
				Status string `json:"status"`
			}
			if err := m.call(ctx, http.MethodGet, fmt.Sprintf("/tasks/%d", uid), nil, &task); err != nil {
				return err
			}
			if task.Status == "succeeded" {
				break
			}
			if task.Status == "failed" || task.Status == "canceled" {
				return fmt.Errorf("task %d %s", uid, task.Status)
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
	return nil
}
