package workers

import (
	"context"
	"errors"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/orchard-oer/orchard/harvester"
	"github.com/orchard-oer/orchard/harvester/linkcheck"
)

// metrics are the harvest figures, counted where the events happen. They exist from Open on
// and are exported once RegisterMetrics hands them a registry.
type metrics struct {
	records     *prometheus.CounterVec
	pages       *prometheus.CounterVec
	errors      *prometheus.CounterVec
	runs        *prometheus.HistogramVec
	redelivered prometheus.Counter
	deadLetters prometheus.Counter
	lag         prometheus.Gauge
	linkChecks  *prometheus.CounterVec
	requests    *prometheus.CounterVec
	bytes       *prometheus.CounterVec
	requestTime prometheus.Histogram
	thumbs      *prometheus.CounterVec
}

func newMetrics() *metrics {
	m := &metrics{
		records: counterVec("orchard_harvest_records_total",
			"Records harvested, by source.", "source"),
		pages: counterVec("orchard_harvest_pages_total",
			"Pages harvested, by source.", "source"),
		errors: counterVec("orchard_harvest_errors_total",
			"Failed job attempts, by error kind.", "kind"),
		runs: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "orchard_harvest_run_duration_seconds", Help: "Duration of ended runs, by status.",
			Buckets: prometheus.ExponentialBuckets(1, 4, 9), // 1 s to 18 h
		}, []string{"status"}),
		redelivered: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "orchard_jobs_redelivered_total", Help: "Job deliveries after the first (retries and takeovers).",
		}),
		deadLetters: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "orchard_jobs_dead_lettered_total", Help: "Jobs moved to the dead letters after every delivery failed.",
		}),
		lag: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "orchard_checkpoint_lag_pages", Help: "Pages sent to the catalog whose checkpoint is not stored yet.",
		}),
		thumbs: counterVec("orchard_thumbnails_total",
			"Thumbnail jobs, by result (stored, refused: the picture could not be had, error: NATS failed).", "result"),
		linkChecks: counterVec("orchard_link_checks_total",
			"Record links checked, by result.", "result"),
		requests: counterVec("orchard_harvest_requests_total",
			"HTTP requests of harvests and probes, by host and outcome (ok, 3xx, 4xx, 5xx, error_<kind>, canceled).", "host", "outcome"),
		bytes: counterVec("orchard_harvest_bytes_total",
			"Response body bytes read by harvests and probes, as sent (before decompression), by host.", "host"),
		requestTime: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name: "orchard_harvest_request_duration_seconds", Help: "Time from sending an HTTP request of a harvest to the end of its body.",
			Buckets: prometheus.ExponentialBuckets(0.01, 4, 8), // 10 ms to 2.7 min
		}),
	}
	for _, k := range []harvester.Kind{harvester.KindTransient, harvester.KindPermanent, harvester.KindInvalid} {
		m.errors.WithLabelValues(k.String())
	}
	for _, k := range linkcheck.Kinds {
		m.linkChecks.WithLabelValues(string(k))
	}
	return m
}

func counterVec(name, help string, labels ...string) *prometheus.CounterVec {
	return prometheus.NewCounterVec(prometheus.CounterOpts{Name: name, Help: help}, labels)
}

// RegisterMetrics exports the harvest figures of this process and the state of the
// deployment (queue depth, dead letters, each source's last success) on reg.
func (s *System) RegisterMetrics(reg prometheus.Registerer) error {
	m := s.metrics
	for _, c := range []prometheus.Collector{m.records, m.pages, m.errors, m.runs, m.redelivered, m.deadLetters, m.lag, m.linkChecks, m.requests, m.bytes, m.requestTime, m.thumbs, stateCollector{s}} {
		if err := reg.Register(c); err != nil {
			return err
		}
	}
	return nil
}

// HTTPMetrics counts the HTTP requests of this process's harvest clients; it is their
// fetch.Observer, exported with the other harvest figures by RegisterMetrics.
type HTTPMetrics struct{ m *metrics }

// HTTPMetrics returns the observer to hand the process's harvest clients.
func (s *System) HTTPMetrics() HTTPMetrics { return HTTPMetrics{s.metrics} }

// Request counts one request.
func (h HTTPMetrics) Request(host string, status int, err error, bytes int64, d time.Duration) {
	h.m.requests.WithLabelValues(host, outcome(status, err)).Inc()
	h.m.bytes.WithLabelValues(host).Add(float64(bytes))
	h.m.requestTime.Observe(d.Seconds())
}

// outcome names what became of a request in few enough words to be a label.
func outcome(status int, err error) string {
	switch {
	case errors.Is(err, context.Canceled):
		return "canceled"
	case err != nil:
		return "error_" + harvester.KindOf(err).String()
	case status >= 200 && status < 300:
		return "ok"
	}
	return strconv.Itoa(status/100) + "xx"
}

var (
	queuedDesc  = prometheus.NewDesc("orchard_jobs_queued", "Jobs waiting for a worker.", nil, nil)
	runningDesc = prometheus.NewDesc("orchard_jobs_running", "Jobs delivered to a worker and not yet settled.", nil, nil)
	deadDesc    = prometheus.NewDesc("orchard_dead_letters", "Jobs in the dead-letter stream.", nil, nil)
	successDesc = prometheus.NewDesc("orchard_source_last_success_timestamp_seconds", "When the source's last successful run ended.", []string{"source"}, nil)
	staleDesc   = prometheus.NewDesc("orchard_source_staleness_seconds", "Time since the source's last successful run ended (since it was added, if none has).", []string{"source"}, nil)
	scrapeDesc  = prometheus.NewDesc("orchard_state_scrape_errors", "1 when the deployment's state could not be read for this scrape.", nil, nil)
)

// stateCollector reads the deployment's state from NATS at each scrape, so that every process
// reports the same figures; dashboards take their max.
type stateCollector struct{ s *System }

func (c stateCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{queuedDesc, runningDesc, deadDesc, successDesc, staleDesc, scrapeDesc} {
		ch <- d
	}
}

func (c stateCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	failed := 0.0
	if cons, err := c.s.jobs.Consumer(ctx, jobsConsumer); err == nil {
		info := cons.CachedInfo()
		ch <- prometheus.MustNewConstMetric(queuedDesc, prometheus.GaugeValue, float64(info.NumPending))
		ch <- prometheus.MustNewConstMetric(runningDesc, prometheus.GaugeValue, float64(info.NumAckPending))
	} else {
		failed = 1
	}
	if info, err := c.s.dead.Info(ctx); err == nil {
		ch <- prometheus.MustNewConstMetric(deadDesc, prometheus.GaugeValue, float64(info.State.Msgs))
	} else {
		failed = 1
	}
	if err := c.sources(ctx, ch); err != nil {
		failed = 1
	}
	ch <- prometheus.MustNewConstMetric(scrapeDesc, prometheus.GaugeValue, failed)
}

// sources reports each source's last success and staleness.
func (c stateCollector) sources(ctx context.Context, ch chan<- prometheus.Metric) error {
	srcs, err := c.s.registry.List(ctx)
	if err != nil {
		return err
	}
	now := time.Now()
	for _, src := range srcs {
		runs, err := c.s.History(ctx, src.Name, 0)
		if err != nil {
			return err
		}
		since := src.Created
		for _, r := range runs { // newest first
			if r.Status == StatusSucceeded {
				since = r.Ended
				ch <- prometheus.MustNewConstMetric(successDesc, prometheus.GaugeValue, float64(since.Unix()), src.Name)
				break
			}
		}
		ch <- prometheus.MustNewConstMetric(staleDesc, prometheus.GaugeValue, now.Sub(since).Seconds(), src.Name)
	}
	return nil
}
