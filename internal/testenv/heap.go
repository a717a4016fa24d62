package testenv

import (
	"runtime"
	"runtime/debug"
	"sync"
	"sync/atomic"
	"time"
)

// HeapWatch samples the heap in use while something runs, so that a test can check how far it
// rose.
type HeapWatch struct {
	before uint64
	gc     int // the GC percent to restore
	peak   atomic.Uint64
	stop   chan struct{}
	done   sync.WaitGroup
}

// WatchHeap collects garbage, notes the heap in use and samples it every few milliseconds until
// Growth is called. Meanwhile the collector runs at a tenth of its usual heap growth: by
// default it lets garbage pile up in proportion to the live heap, so that what a test measured
// would depend on what earlier tests of its package left alive.
func WatchHeap() *HeapWatch {
	gc := debug.SetGCPercent(10)
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	w := &HeapWatch{before: m.HeapInuse, gc: gc, stop: make(chan struct{})}
	w.done.Go(func() {
		tick := time.NewTicker(5 * time.Millisecond)
		defer tick.Stop()
		for {
			var m runtime.MemStats
			runtime.ReadMemStats(&m)
			if m.HeapInuse > w.peak.Load() {
				w.peak.Store(m.HeapInuse)
			}
			select {
			case <-w.stop:
				return
			case <-tick.C:
			}
		}
	})
	return w
}

// Growth stops the watch and returns how far the heap in use rose above where it started, in
// bytes.
func (w *HeapWatch) Growth() uint64 {
	close(w.stop)
	w.done.Wait()
	debug.SetGCPercent(w.gc)
	return max(w.peak.Load(), w.before) - w.before
}

// HeapBound is the most a test lets the heap grow for a promise of n bytes: n itself, doubled
// under the race detector.
func HeapBound(n uint64) uint64 { return n * raceFactor }
