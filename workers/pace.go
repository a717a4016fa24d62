package workers

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/nats-io/nats.go/jetstream"
)

// paceBucket holds one key per harvested host: the start of the host's next free request slot,
// in nanoseconds of the bucket's server clock.
const paceBucket = "orchard_pace"

// Every process paces a host through the same key, taken with compare-and-set: a reservation
// reads the next free slot, writes the one after it (slot start plus the interval the process
// asks for) at the revision it read, and waits for its slot; a process that lost the race
// reads again. Each process remembers the revision it wrote last, so that while no one else
// writes, a reservation is one write. Processes' clocks may differ, so slots are kept in the
// server's time (a stored message's timestamp), and each process measures its clock's offset
// from it. Memory storage: the slots matter for seconds, and a server restart that loses them
// only lets each host's next request go at once.
const (
	paceTTL = time.Hour // a host's key is dropped an hour after its last request
	// offsetEvery is how often a process measures its clock against the server's.
	offsetEvery = 10 * time.Minute
)

// Pacer shares the request slots of each host between the processes of one NATS, so that
// workers in several processes harvesting one host are paced once. It is the harvesters'
// fetch.SharedPacer.
type Pacer struct {
	kv    jetstream.KeyValue
	clock string           // key this process measures the server's clock with
	now   func() time.Time // this process's clock

	mu       sync.Mutex
	known    map[string]paceSlot // per key, the slot this process wrote last
	offset   time.Duration       // server's clock minus this process's
	offsetAt time.Time           // when offset was measured; zero before
}

type paceSlot struct {
	rev  uint64
	next int64 // server nanoseconds
}

// Pacer returns the process's shared pacer.
func (s *System) Pacer() *Pacer { return s.pacer }

func newPacer(kv jetstream.KeyValue, process string) *Pacer {
	return &Pacer{kv: kv, clock: "clock." + paceKey(process), now: time.Now, known: map[string]paceSlot{}}
}

// paceKey turns a host (with port, perhaps an IPv6 literal) into a key NATS accepts.
func paceKey(host string) string {
	return base64.RawURLEncoding.EncodeToString([]byte(strings.ToLower(host)))
}

// Reserve takes host's next slot, the one after it to start interval later, and returns how
// long until it starts.
func (p *Pacer) Reserve(ctx context.Context, host string, interval time.Duration) (time.Duration, error) {
	var wait time.Duration
	err := p.update(ctx, host, func(next, now int64) (int64, bool) {
		start := max(next, now)
		wait = time.Duration(start - now)
		return start + int64(interval), true
	})
	if err != nil {
		return 0, fmt.Errorf("reserve a request slot of %s: %w", host, err)
	}
	return wait, nil
}

// Defer moves host's next slot to d from now unless it is later already.
func (p *Pacer) Defer(ctx context.Context, host string, d time.Duration) error {
	err := p.update(ctx, host, func(next, now int64) (int64, bool) {
		later := now + int64(d)
		return later, later > next
	})
	if err != nil {
		return fmt.Errorf("defer the next request to %s: %w", host, err)
	}
	return nil
}

// update replaces host's next slot by what change makes of it and the server's time, until
// its write is the one that lands; change says false to leave the slot as it is.
func (p *Pacer) update(ctx context.Context, host string, change func(next, now int64) (int64, bool)) error {
	key := paceKey(host)
	for {
		offset, err := p.serverOffset(ctx)
		if err != nil {
			return err
		}
		p.mu.Lock()
		cur, ok := p.known[key]
		p.mu.Unlock()
		if !ok {
			if cur, err = p.read(ctx, key); err != nil {
				return err
			}
		}
		next, write := change(cur.next, p.now().Add(offset).UnixNano())
		if !write {
			return nil
		}
		rev, err := putBytes(ctx, p.kv, key, []byte(strconv.FormatInt(next, 10)), cur.rev)
		switch {
		case errors.Is(err, ErrConflict), errors.Is(err, ErrExists):
			// Another process took a slot since: read it and try again.
			p.mu.Lock()
			delete(p.known, key)
			p.mu.Unlock()
			continue
		case err != nil:
			return err
		}
		p.mu.Lock()
		p.known[key] = paceSlot{rev: rev, next: next}
		p.mu.Unlock()
		return nil
	}
}

// read returns the slot stored at key; revision 0 when there is none.
func (p *Pacer) read(ctx context.Context, key string) (paceSlot, error) {
	e, err := p.kv.Get(ctx, key)
	if errors.Is(err, jetstream.ErrKeyNotFound) {
		return paceSlot{}, nil
	}
	if err != nil {
		return paceSlot{}, fmt.Errorf("read %s: %w", key, err)
	}
	next, err := strconv.ParseInt(string(e.Value()), 10, 64)
	if err != nil {
		// Not a slot Orchard wrote: overwrite it.
		return paceSlot{rev: e.Revision()}, nil
	}
	return paceSlot{rev: e.Revision(), next: next}, nil
}

// serverOffset returns how far the server's clock is ahead of this process's, measuring it
// when it is older than offsetEvery: the timestamp the server gives a write, against the
// middle of the time the write took.
func (p *Pacer) serverOffset(ctx context.Context) (time.Duration, error) {
	p.mu.Lock()
	offset, at := p.offset, p.offsetAt
	p.mu.Unlock()
	if !at.IsZero() && p.now().Sub(at) < offsetEvery {
		return offset, nil
	}
	t0 := p.now()
	if _, err := p.kv.PutString(ctx, p.clock, ""); err != nil {
		return 0, fmt.Errorf("measure the server's clock: %w", err)
	}
	t1 := p.now()
	e, err := p.kv.Get(ctx, p.clock)
	if err != nil {
		return 0, fmt.Errorf("measure the server's clock: %w", err)
	}
	offset = e.Created().Sub(t0.Add(t1.Sub(t0) / 2))
	p.mu.Lock()
	p.offset, p.offsetAt = offset, t1
	p.mu.Unlock()
	return offset, nil
}
