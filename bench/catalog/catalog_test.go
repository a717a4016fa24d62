package catalog

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/orchard-oer/orchard/catalog"
	"github.com/orchard-oer/orchard/catalog/embedded"
	"github.com/orchard-oer/orchard/catalog/meili"
	"github.com/orchard-oer/orchard/internal/testenv"
)

// recordCount is the catalog size benchmarks use: ORCHARD_BENCH_RECORDS, 100,000 by default.
func recordCount() int { return envCount("ORCHARD_BENCH_RECORDS", 100_000) }

// envCount is the positive number in the environment variable name, or def.
func envCount(name string, def int) int {
	if n, err := strconv.Atoi(os.Getenv(name)); err == nil && n > 0 {
		return n
	}
	return def
}

var (
	corpus  = sync.OnceValue(func() []catalog.Record { return Records(recordCount()) })
	quiet   = slog.New(slog.DiscardHandler)
	tempDir string
	cleanup []func()
)

func TestMain(m *testing.M) {
	code := m.Run()
	for _, f := range cleanup {
		f()
	}
	if tempDir != "" {
		os.RemoveAll(tempDir)
	}
	os.Exit(code)
}

func TestRecordsAreDeterministicAndValid(t *testing.T) {
	a, b := Records(500), Records(500)
	seen := map[string]bool{}
	for i := range a {
		if err := a[i].Validate(); err != nil {
			t.Fatal(err)
		}
		ja, _ := json.Marshal(a[i])
		jb, _ := json.Marshal(b[i])
		if !bytes.Equal(ja, jb) {
			t.Fatalf("record %d differs between runs", i)
		}
		if seen[a[i].ID] {
			t.Fatalf("duplicate id %s", a[i].ID)
		}
		seen[a[i].ID] = true
	}
}

// page is how many records one Upsert of the embedded index takes, as a harvest page would.
const page = 1000

func upsertPages(b *testing.B, ix catalog.Index, recs []catalog.Record) {
	for start := 0; start < len(recs); start += page {
		if err := ix.Upsert(context.Background(), recs[start:min(start+page, len(recs))]); err != nil {
			b.Fatal(err)
		}
	}
}

func newMeili(b *testing.B, name string) *meili.Index {
	srv := testenv.Meili(b)
	ix, err := meili.New(context.Background(), meili.Config{URL: srv.URL, Key: srv.MasterKey, Index: name, Timeout: time.Minute}, quiet)
	if err != nil {
		b.Fatal(err)
	}
	return ix
}

func dropMeili(b *testing.B, ix *meili.Index) {
	if err := ix.DeleteIndex(context.Background()); err != nil {
		b.Error(err)
	}
}

func reportRate(b *testing.B, n int) {
	b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "docs/s")
	b.ReportMetric(0, "ns/op")
}

// BenchmarkBulkIndex loads the whole synthetic catalog into an empty index: the embedded index
// page by page, Meilisearch through Orchard (one Upsert: all batches sent, then waited for), and
// the same documents posted to Meilisearch over plain HTTP for comparison.
func BenchmarkBulkIndex(b *testing.B) {
	recs := corpus()
	b.Run("embedded", func(b *testing.B) {
		for range b.N {
			b.StopTimer()
			dir := b.TempDir()
			ix, err := embedded.Open(embedded.Config{Dir: dir}, quiet)
			if err != nil {
				b.Fatal(err)
			}
			b.StartTimer()
			upsertPages(b, ix, recs)
			b.StopTimer()
			ix.Close()
		}
		reportRate(b, len(recs))
	})
	b.Run("meili", func(b *testing.B) {
		for range b.N {
			b.StopTimer()
			ix := newMeili(b, testenv.IndexName("orchard_bench_bulk"))
			b.StartTimer()
			if err := ix.Upsert(context.Background(), recs); err != nil {
				b.Fatal(err)
			}
			b.StopTimer()
			dropMeili(b, ix)
		}
		reportRate(b, len(recs))
	})
	b.Run("meili-raw", func(b *testing.B) {
		srv := testenv.Meili(b)
		bodies := rawBatches(b, recs)
		for range b.N {
			b.StopTimer()
			name := testenv.IndexName("orchard_bench_raw")
			ix := newMeili(b, name) // the same settings, applied first
			b.StartTimer()
			rawLoad(b, srv, name, bodies)
			b.StopTimer()
			dropMeili(b, ix)
		}
		reportRate(b, len(recs))
	})
}

// rawLoad posts every body to the index called name, then waits for all their tasks.
func rawLoad(b *testing.B, srv *testenv.Server, name string, bodies [][]byte) {
	var tasks []int64
	for _, body := range bodies {
		var info struct {
			TaskUID int64 `json:"taskUid"`
		}
		rawCall(b, srv, http.MethodPost, "/indexes/"+name+"/documents", body, &info)
		tasks = append(tasks, info.TaskUID)
	}
	for _, uid := range tasks {
		rawWait(b, srv, uid)
	}
}

// rawBatches encodes the documents Orchard would send, in the same batches.
func rawBatches(b *testing.B, recs []catalog.Record) [][]byte {
	var out [][]byte
	for start := 0; start < len(recs); start += 5000 {
		docs := make([]json.RawMessage, 0, 5000)
		for i := start; i < min(start+5000, len(recs)); i++ {
			d, err := meili.Document(&recs[i])
			if err != nil {
				b.Fatal(err)
			}
			docs = append(docs, d)
		}
		body, err := json.Marshal(docs)
		if err != nil {
			b.Fatal(err)
		}
		out = append(out, body)
	}
	return out
}

var rawClient = &http.Client{Transport: &http.Transport{DisableCompression: true}, Timeout: time.Minute}

func rawCall(b *testing.B, srv *testenv.Server, method, path string, body []byte, out any) {
	req, err := http.NewRequest(method, srv.URL+path, bytes.NewReader(body))
	if err != nil {
		b.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	if srv.MasterKey != "" {
		req.Header.Set("Authorization", "Bearer "+srv.MasterKey)
	}
	resp, err := rawClient.Do(req)
	if err != nil {
		b.Fatal(err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil || resp.StatusCode >= 300 {
		b.Fatalf("%s %s: %d %s %v", method, path, resp.StatusCode, data, err)
	}
	if out != nil {
		if err := json.Unmarshal(data, out); err != nil {
			b.Fatal(err)
		}
	}
}

func rawWait(b *testing.B, srv *testenv.Server, uid int64) {
	for {
		var task struct {
			Status string `json:"status"`
			Error  any    `json:"error"`
		}
		rawCall(b, srv, http.MethodGet, fmt.Sprintf("/tasks/%d", uid), nil, &task)
		switch task.Status {
		case "succeeded":
			return
		case "failed", "canceled":
			b.Fatalf("task %d %s: %v", uid, task.Status, task.Error)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// Loaded indexes shared by the search benchmarks, built once per run.
var (
	loadedEmbedded = sync.OnceValues(func() (catalog.Index, error) {
		dir, err := os.MkdirTemp("", "orchard-bench-")
		if err != nil {
			return nil, err
		}
		tempDir = dir
		ix, err := embedded.Open(embedded.Config{Dir: dir}, quiet)
		if err != nil {
			return nil, err
		}
		cleanup = append(cleanup, func() { ix.Close() })
		recs := corpus()
		for start := 0; start < len(recs); start += page {
			if err := ix.Upsert(context.Background(), recs[start:min(start+page, len(recs))]); err != nil {
				return nil, err
			}
		}
		return ix, nil
	})
	meiliOnce   sync.Once
	loadedMeili *meili.Index
	meiliName   string
)

func searchIndex(b *testing.B, backend string) catalog.Index {
	if backend == "embedded" {
		ix, err := loadedEmbedded()
		if err != nil {
			b.Fatal(err)
		}
		return ix
	}
	meiliOnce.Do(func() {
		meiliName = testenv.IndexName("orchard_bench_search")
		ix := newMeili(b, meiliName)
		cleanup = append(cleanup, func() { _ = ix.DeleteIndex(context.Background()) })
		if err := ix.Upsert(context.Background(), corpus()); err != nil {
			b.Fatal(err)
		}
		loadedMeili = ix
	})
	if loadedMeili == nil {
		b.Fatal("meilisearch index not loaded")
	}
	return loadedMeili
}

var searchCases = []struct {
	name string
	req  func(i int) catalog.SearchRequest
}{
	{"query", func(i int) catalog.SearchRequest {
		return catalog.SearchRequest{Query: Queries[i%len(Queries)]}
	}},
	{"query+filters", func(i int) catalog.SearchRequest {
		return catalog.SearchRequest{Query: Queries[i%len(Queries)], Filter: catalog.Filter{
			Languages: []string{"en", "de"}, Commercial: ptr(true), Types: []string{"text", "video"}}}
	}},
	{"query+filters+facets", func(i int) catalog.SearchRequest {
		return catalog.SearchRequest{Query: Queries[i%len(Queries)], Facets: catalog.Facets, Filter: catalog.Filter{
			Languages: []string{"en", "de"}, Commercial: ptr(true), Types: []string{"text", "video"}}}
	}},
	{"empty+filters+facets", func(i int) catalog.SearchRequest {
		return catalog.SearchRequest{Facets: catalog.Facets, Page: 1 + i%5, Filter: catalog.Filter{
			Open: ptr(true), YearFrom: 2010}}
	}},
	{"query+newest", func(i int) catalog.SearchRequest {
		return catalog.SearchRequest{Query: Queries[i%len(Queries)], Sort: catalog.SortNewest}
	}},
}

func ptr[T any](v T) *T { return &v }

// BenchmarkSearch measures search latency on the loaded catalog and reports p50 and p99.
func BenchmarkSearch(b *testing.B) {
	for _, backend := range []string{"embedded", "meili"} {
		b.Run(backend, func(b *testing.B) {
			ix := searchIndex(b, backend)
			for _, c := range searchCases {
				b.Run(c.name, func(b *testing.B) {
					lat := make([]time.Duration, 0, b.N)
					i := 0
					for b.Loop() {
						t0 := time.Now()
						if _, err := ix.Search(context.Background(), c.req(i)); err != nil {
							b.Fatal(err)
						}
						lat = append(lat, time.Since(t0))
						i++
					}
					reportLatency(b, lat)
				})
			}
		})
	}
	// The same searches sent straight to Meilisearch: what Orchard adds on top.
	b.Run("meili-raw", func(b *testing.B) {
		searchIndex(b, "meili")
		srv := testenv.Meili(b)
		for _, c := range searchCases {
			b.Run(c.name, func(b *testing.B) { rawSearch(b, srv, c.req) })
		}
	})
}

// rawSearch posts the very search requests Orchard would send straight to Meilisearch and
// reports their latency.
func rawSearch(b *testing.B, srv *testenv.Server, req func(i int) catalog.SearchRequest) {
	bodies := make([][]byte, len(Queries))
	for i := range bodies {
		r := req(i)
		sr, err := meili.Request(r)
		if err != nil {
			b.Fatal(err)
		}
		sr.Query = r.Query
		if bodies[i], err = json.Marshal(sr); err != nil {
			b.Fatal(err)
		}
	}
	lat := make([]time.Duration, 0, b.N)
	i := 0
	for b.Loop() {
		t0 := time.Now()
		rawCall(b, srv, http.MethodPost, "/indexes/"+meiliName+"/search", bodies[i%len(bodies)], nil)
		lat = append(lat, time.Since(t0))
		i++
	}
	reportLatency(b, lat)
}

func reportLatency(b *testing.B, lat []time.Duration) {
	if len(lat) == 0 {
		return
	}
	slices.Sort(lat)
	q := func(p float64) float64 { return float64(lat[int(p*float64(len(lat)-1))].Microseconds()) / 1000 }
	b.ReportMetric(q(0.50), "p50-ms")
	b.ReportMetric(q(0.99), "p99-ms")
}

// importCount is how many records BenchmarkImport loads: ORCHARD_BENCH_IMPORT_RECORDS, 30,000
// by default.
func importCount() int { return envCount("ORCHARD_BENCH_IMPORT_RECORDS", 30_000) }

// writeJSONL writes recs as the JSON Lines file `orchard import` reads.
func writeJSONL(b *testing.B, recs []catalog.Record) string {
	path := filepath.Join(b.TempDir(), "records.jsonl")
	f, err := os.Create(path)
	if err != nil {
		b.Fatal(err)
	}
	w := bufio.NewWriter(f)
	enc := json.NewEncoder(w)
	for i := range recs {
		if err := enc.Encode(&recs[i]); err != nil {
			b.Fatal(err)
		}
	}
	if err := w.Flush(); err != nil {
		b.Fatal(err)
	}
	if err := f.Close(); err != nil {
		b.Fatal(err)
	}
	return path
}

// importFile runs what `orchard import FILE` runs, with its default batches and window.
func importFile(b *testing.B, ix catalog.Index, path string, want int) {
	f, err := os.Open(path)
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	rep, err := catalog.Import(context.Background(), ix, f, catalog.ImportOptions{})
	if err != nil || rep.Imported != want {
		b.Fatalf("imported %d of %d: %v", rep.Imported, want, err)
	}
}

// BenchmarkImport loads a JSON Lines file of synthetic records into an empty index as
// `orchard import` does. For Meilisearch each iteration first posts the same documents straight
// to Meilisearch in batches of 5,000, all sent and then waited for (encoded beforehand, outside
// the time), and then imports the file; it reports both rates and import's share of the raw
// one, so that the ratio compares runs under the same load. The first raw load is not counted:
// it warms Meilisearch up.
func BenchmarkImport(b *testing.B) {
	recs := Records(importCount())
	path := writeJSONL(b, recs)
	b.Run("meili", func(b *testing.B) {
		srv := testenv.Meili(b)
		bodies := rawBatches(b, recs)
		fresh := func() (string, *meili.Index) {
			name := testenv.IndexName("orchard_bench_import")
			return name, newMeili(b, name) // the same settings for both
		}
		name, ix := fresh()
		rawLoad(b, srv, name, bodies)
		dropMeili(b, ix)
		var raw, imp time.Duration
		b.ResetTimer()
		b.StopTimer()
		for range b.N {
			name, ix := fresh()
			start := time.Now()
			rawLoad(b, srv, name, bodies)
			raw += time.Since(start)
			dropMeili(b, ix)

			_, ix = fresh()
			start = time.Now()
			importFile(b, ix, path, len(recs))
			imp += time.Since(start)
			dropMeili(b, ix)
		}
		n := float64(len(recs) * b.N)
		b.ReportMetric(n/imp.Seconds(), "import-docs/s")
		b.ReportMetric(n/raw.Seconds(), "raw-docs/s")
		b.ReportMetric(raw.Seconds()/imp.Seconds(), "x-raw")
		b.ReportMetric(0, "ns/op")
	})
	b.Run("embedded", func(b *testing.B) {
		for range b.N {
			b.StopTimer()
			ix, err := embedded.Open(embedded.Config{Dir: b.TempDir()}, quiet)
			if err != nil {
				b.Fatal(err)
			}
			b.StartTimer()
			importFile(b, ix, path, len(recs))
			b.StopTimer()
			ix.Close()
		}
		reportRate(b, len(recs))
	})
}
