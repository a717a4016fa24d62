package catalog

import (
	"errors"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/orchard-oer/orchard/catalog/embedded"
)

// embeddedCases are the searches the embedded index is held to, as /api/search receives them
// (every facet counted, the learners' default openness filter).
var embeddedCases = []struct {
	name  string
	query url.Values
}{
	{"photosynthesis", url.Values{"q": {"photosynthesis"}}},
	{"two-words+licenses+lang", url.Values{"q": {"cell energy"}, "license": {"CC-BY-4.0,CC-BY-SA-4.0"}, "lang": {"en"}}},
	{"empty+newest", url.Values{"sort": {"newest"}}},
}

// BenchmarkEmbeddedAPI imports ORCHARD_BENCH_RECORDS synthetic records into an empty embedded
// index as `orchard import` does and reports the import rate (per second of wall time and of CPU
// time), the size of the data directory, the time to open it again (with and without its
// snapshot) and the process's resident memory; then it measures GET /api/search over loopback
// HTTP for each case (p50 and p95 of b.N searches).
func BenchmarkEmbeddedAPI(b *testing.B) {
	recs := Records(recordCount())
	path := writeJSONL(b, recs)
	dir := b.TempDir()
	ix, err := embedded.Open(embedded.Config{Dir: dir}, quiet)
	if err != nil {
		b.Fatal(err)
	}
	defer func() { ix.Close() }()
	start, cpu0 := time.Now(), cpuTime(b)
	importFile(b, ix, path, len(recs))
	elapsed, cpu := time.Since(start), cpuTime(b)-cpu0
	recs = nil
	// The start-up cost of the index: reopening it as Close left it (with a snapshot), and from
	// the log alone, which analyzes every record again.
	reopen := func() time.Duration {
		if err := ix.Close(); err != nil {
			b.Fatal(err)
		}
		start := time.Now()
		if ix, err = embedded.Open(embedded.Config{Dir: dir}, quiet); err != nil {
			b.Fatal(err)
		}
		return time.Since(start)
	}
	opened := reopen()
	if err := os.Remove(filepath.Join(dir, "catalog.snap")); err != nil && !errors.Is(err, fs.ErrNotExist) {
		b.Fatal(err)
	}
	openedFromLog := reopen()
	runtime.GC()
	get := apiServer(b, ix)
	b.Run("import", func(b *testing.B) {
		for range b.N {
			b.ReportMetric(float64(recordCount())/elapsed.Seconds(), "records/s")
			b.ReportMetric(float64(recordCount())/cpu.Seconds(), "records/cpu-s")
			b.ReportMetric(float64(dirSize(b, dir))/(1<<20), "disk-MiB")
			b.ReportMetric(opened.Seconds(), "open-s")
			b.ReportMetric(openedFromLog.Seconds(), "open-log-s")
			b.ReportMetric(float64(rssKiB(b))/1024, "rss-MiB")
			b.ReportMetric(0, "ns/op")
		}
	})
	for _, c := range embeddedCases {
		b.Run(c.name, func(b *testing.B) {
			get(b, c.query) // warm up
			lat := make([]time.Duration, 0, b.N)
			cpu0 := cpuTime(b)
			for b.Loop() {
				lat = append(lat, get(b, c.query))
			}
			// CPU per search, client and server together: what the search costs whatever else
			// the machine runs.
			b.ReportMetric(float64((cpuTime(b)-cpu0).Microseconds())/1000/float64(len(lat)), "cpu-ms/op")
			slices.Sort(lat)
			q := func(p float64) float64 { return float64(lat[int(p*float64(len(lat)-1))].Microseconds()) / 1000 }
			b.ReportMetric(q(0.50), "p50-ms")
			b.ReportMetric(q(0.95), "p95-ms")
		})
	}
}

// dirSize adds up the sizes of the files under dir.
func dirSize(b *testing.B, dir string) int64 {
	var n int64
	err := filepath.WalkDir(dir, func(_ string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		info, err := d.Info()
		if err == nil {
			n += info.Size()
		}
		return err
	})
	if err != nil {
		b.Fatal(err)
	}
	return n
}

// cpuTime is the CPU time this process used so far, user and system: import's cost in CPU reads
// the same on a busy machine as on a quiet one, unlike its wall time.
func cpuTime(b *testing.B) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// rssKiB reads the resident set size of this process from /proc (Linux only).
func rssKiB(b *testing.B) int64 {
	status, err := os.ReadFile("/proc/self/status")
	if err != nil {
		b.Fatal(err)
	}
	for line := range strings.Lines(string(status)) {
		if v, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			n, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
			if err != nil {
				b.Fatal(err)
			}
			return n
		}
	}
	b.Fatal("no VmRSS in /proc/self/status")
	return 0
}
