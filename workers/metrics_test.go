package workers

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/orchard-oer/orchard/harvester"
	"github.com/orchard-oer/orchard/harvester/fetch"
)

// httpPager harvests pages of records over HTTP through a fetch client, one request a page,
// as the real harvesters do.
type httpPager struct {
	client     *fetch.Client
	url        string
	pages, per int
}

func (h httpPager) Harvest(ctx context.Context, src harvester.Source, _ json.RawMessage, _ bool, emit harvester.Emit) error {
	for i := range h.pages {
		resp, err := h.client.Get(ctx, fmt.Sprintf("%s/page/%d", h.url, i), nil)
		if err != nil {
			return err
		}
		recs := make([]harvester.Record, h.per)
		for j := range recs {
			recs[j] = harvester.Record{OriginID: fmt.Sprintf("oai:%s:%d:%d", src.Name, i, j), Titles: []string{string(resp.Body)},
				Rights: []harvester.Rights{{From: "dc:rights", Value: "CC-BY-4.0"}}}
		}
		cp, _ := json.Marshal(pagerCP{Next: i + 1, Done: i == h.pages-1})
		if err := emit(ctx, harvester.Page{Records: recs, Checkpoint: cp, Done: i == h.pages-1}); err != nil {
			return err
		}
	}
	return nil
}

// A harvest through the workers moves the harvest figures a registry exports: records, pages,
// requests by host and outcome, bytes by host, and run durations.
func TestHarvestMetrics(t *testing.T) {
	t.Parallel()
	const body = "a page of fractions"
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { fmt.Fprint(w, body) }))
	defer srv.Close()
	host := strings.TrimPrefix(srv.URL, "http://")

	s := openSystem(t, fastConfig(t.TempDir()))
	reg := prometheus.NewPedanticRegistry()
	if err := s.RegisterMetrics(reg); err != nil {
		t.Fatal(err)
	}
	ix := openIndex(t, t.TempDir())
	ctx := t.Context()
	if _, err := s.Sources().Add(ctx, testSource("counted")); err != nil {
		t.Fatal(err)
	}
	client := fetch.New(fetch.Config{AllowPrivate: true, Observer: s.HTTPMetrics()}, nil)
	startWorkers(t, s, pipeline(ix, httpPager{client: client, url: srv.URL, pages: 3, per: 5}), 1)
	id, err := s.RunNow(ctx, "counted", false)
	if err != nil {
		t.Fatal(err)
	}
	if run := waitRun(t, s, id, 20*time.Second, ended); run.Status != StatusSucceeded {
		t.Fatalf("run = %+v", run)
	}
	// The run's duration is observed after its status is stored.
	waitFor(t, 10*time.Second, func() error {
		if n := testutil.CollectAndCount(s.metrics.runs); n != 1 {
			return fmt.Errorf("%d run duration series", n)
		}
		return nil
	})

	want := fmt.Sprintf(`
# HELP orchard_harvest_records_total Records harvested, by source.
# TYPE orchard_harvest_records_total counter
orchard_harvest_records_total{source="counted"} 15
# HELP orchard_harvest_pages_total Pages harvested, by source.
# TYPE orchard_harvest_pages_total counter
orchard_harvest_pages_total{source="counted"} 3
# HELP orchard_harvest_requests_total HTTP requests of harvests and probes, by host and outcome (ok, 3xx, 4xx, 5xx, error_<kind>, canceled).
# TYPE orchard_harvest_requests_total counter
orchard_harvest_requests_total{host=%[1]q,outcome="ok"} 3
# HELP orchard_harvest_bytes_total Response body bytes read by harvests and probes, as sent (before decompression), by host.
# TYPE orchard_harvest_bytes_total counter
orchard_harvest_bytes_total{host=%[1]q} %[2]d
`, host, 3*len(body))
	if err := testutil.GatherAndCompare(reg, strings.NewReader(want),
		"orchard_harvest_records_total", "orchard_harvest_pages_total", "orchard_harvest_requests_total", "orchard_harvest_bytes_total"); err != nil {
		t.Error(err)
	}
	// One series each, the last success included: the run succeeded.
	if n, err := testutil.GatherAndCount(reg, "orchard_harvest_request_duration_seconds", "orchard_harvest_run_duration_seconds",
		"orchard_jobs_queued", "orchard_dead_letters", "orchard_source_staleness_seconds",
		"orchard_source_last_success_timestamp_seconds"); err != nil || n != 6 {
		t.Errorf("%d series of request and run durations, queue, dead letters, staleness and last success, err %v", n, err)
	}
}

// Each request's outcome is its status class, or the kind of its failure.
func TestRequestOutcome(t *testing.T) {
	tests := []struct {
		status int
		err    error
		want   string
	}{
		{200, nil, "ok"},
		{204, nil, "ok"},
		{304, nil, "3xx"},
		{404, nil, "4xx"},
		{503, nil, "5xx"},
		{0, harvester.E(harvester.KindTransient, "", fmt.Errorf("connection refused")), "error_transient"},
		{200, harvester.E(harvester.KindPermanent, "", fetch.ErrTooLarge), "error_permanent"},
		{0, fmt.Errorf("get: %w", context.Canceled), "canceled"},
	}
	for _, tt := range tests {
		if got := outcome(tt.status, tt.err); got != tt.want {
			t.Errorf("outcome(%d, %v) = %q, want %q", tt.status, tt.err, got, tt.want)
		}
	}
}
