package workers

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/orchard-oer/orchard/catalog"
)

// The resources bucket says which catalog entry each resource belongs to, so that records of
// one resource from several sources become one entry (catalog.Merge). It holds:
//
//	k.<hash of a resource key>  the entry that claimed the key (entryRef)
//	g.<entry id>                an entry of several records: each member's keys and record
//	m.<record id>               the entry a record was merged into, for members other than the first
//	x.<record id>               a librarian's split: the record stands alone and claims no keys
//
// An entry of one record has no group: the index holds its record, and its keys point at it.
// The group document is the truth about membership and is written with compare-and-set, so
// that workers placing records of one resource at the same time never lose a member; the other
// keys point the way to it.
const resourcesBucket = "orchard_resources"

// placeTries bounds the attempts at placing one record when other workers keep changing the
// entries it touches.
const placeTries = 20

type entryRef struct {
	Entry string `json:"entry"`
}

type group struct {
	Members []groupMember `json:"members"`
}

type groupMember struct {
	Keys   []string       `json:"keys"`
	Record catalog.Record `json:"record"`
	// Waiting marks the first record of an entry that another record joined before the index
	// held it (its worker placed it and had not written it yet); that worker fills it in when
	// it looks at the record again (recheck).
	Waiting bool `json:"waiting,omitempty"`
}

// Split is a librarian's decision that a record is a resource of its own.
type Split struct {
	Entry string `json:"entry"` // the entry it was split from
	By    string `json:"by,omitempty"`
	At    string `json:"at"`
}

func keyKey(k string) string {
	sum := sha256.Sum256([]byte(k))
	return "k." + hex.EncodeToString(sum[:16])
}
func groupKey(id string) string  { return "g." + id }
func memberKey(id string) string { return "m." + id }
func splitKey(id string) string  { return "x." + id }

// lookups lists the bucket keys that decide where a record with these resource keys goes.
func lookups(id string, keys []string) []string {
	out := []string{groupKey(id), memberKey(id), splitKey(id)}
	for _, k := range keys {
		out = append(out, keyKey(k))
	}
	return out
}

// placer turns the writes of one page of member records into writes of catalog entries. It
// reads the bucket keys of the whole page at once and keeps that view up to date with its own
// writes; a compare-and-set that fails means another worker changed an entry, and only that
// record's keys are read again.
type placer struct {
	s     *System
	index catalog.Index
	now   string
	view  map[string]entry
	// out holds each entry's last write, nil for a deletion, in the order of first writes.
	out   map[string]*catalog.Record
	order []string
	// checks are the entries written, with the revisions that decided them, to look at
	// again once the index holds them.
	checks []check
	// read lists the keys read, present or not.
	read map[string]bool
	// claims are first claims of keys by records placed alone, sent together at the end of
	// the page (claimAll) rather than one round trip each; the view holds them meanwhile.
	claims []claim
	// oneByOne claims each key at once, as the records whose claim was beat are placed again.
	oneByOne bool
}

type claim struct {
	key string
	rec catalog.Record
}

// check is an entry written from what the bucket said: a record placed alone (entry "") or an
// entry of several records. Another worker that changed those keys meanwhile may have written
// its entry to the index before this one, so the keys are read again after the write.
type check struct {
	entry string
	rec   catalog.Record // the record placed, if any
	revs  map[string]uint64
}

func (s *System) newPlacer(index catalog.Index) *placer {
	return &placer{s: s, index: index, now: catalog.Stamp(time.Now()), view: map[string]entry{}, out: map[string]*catalog.Record{}, read: map[string]bool{}}
}

// read brings the view's keys up to date, one request per getManyChunk keys.
func (p *placer) fetch(ctx context.Context, keys []string) error {
	keys = slices.Clone(keys)
	slices.Sort(keys)
	keys = slices.Compact(keys)
	for _, k := range keys {
		delete(p.view, k)
		p.read[k] = true
	}
	for chunk := range slices.Chunk(keys, getManyChunk) {
		es, err := entries(ctx, p.s.nc, p.s.resources, chunk...)
		if err != nil {
			return fmt.Errorf("read resource keys: %w", err)
		}
		for _, e := range es {
			p.view[e.key] = e
		}
	}
	return nil
}

func (p *placer) ref(key string) (string, bool) {
	e, ok := p.view[key]
	if !ok {
		return "", false
	}
	r, err := decodeJSON[entryRef](e)
	return r.Entry, err == nil && r.Entry != ""
}

func (p *placer) group(id string) (group, uint64, bool) {
	e, ok := p.view[groupKey(id)]
	if !ok {
		return group{}, 0, false
	}
	g, err := decodeJSON[group](e)
	return g, e.rev, err == nil && len(g.Members) > 0
}

// entryOf is the entry of several records that id belongs to, or "".
func (p *placer) entryOf(id string) string {
	if _, _, ok := p.group(id); ok {
		return id
	}
	if e, ok := p.ref(memberKey(id)); ok {
		return e
	}
	return ""
}

func (p *placer) put(rec catalog.Record) {
	rec.Indexed = p.now
	p.note(rec.ID, &rec)
}

// putGroup writes the entry of a group as the view holds it, on behalf of r.
func (p *placer) putGroup(entry string, g group, r catalog.Record) {
	p.put(merged(entry, g))
	p.checks = append(p.checks, check{entry: entry, rec: r, revs: map[string]uint64{groupKey(entry): p.view[groupKey(entry)].rev}})
}

func (p *placer) del(id string) { p.note(id, nil) }

func (p *placer) note(id string, rec *catalog.Record) {
	if _, ok := p.out[id]; !ok {
		p.order = append(p.order, id)
	}
	p.out[id] = rec
}

// writes returns the entries to upsert and to delete; an entry written twice keeps its last
// write.
func (p *placer) writes() (ups []catalog.Record, dels []string) {
	for _, id := range p.order {
		if r := p.out[id]; r != nil {
			ups = append(ups, *r)
		} else {
			dels = append(dels, id)
		}
	}
	return ups, dels
}

// store writes v at key with compare-and-set at rev (freeKey: only if free; anyRevision) and
// keeps the view in step.
func (p *placer) store(ctx context.Context, key string, v any, rev uint64) error {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("encode %s: %w", key, err)
	}
	stored, err := putBytes(ctx, p.s.resources, key, b, rev)
	if err != nil {
		return err
	}
	p.view[key] = entry{key: key, value: b, rev: stored}
	return nil
}

// drop deletes key, only if it is still at rev unless rev is anyRevision.
func (p *placer) drop(ctx context.Context, key string, rev uint64) error {
	var opts []jetstream.KVDeleteOpt
	if rev != anyRevision {
		opts = append(opts, jetstream.LastRevision(rev))
	}
	err := p.s.resources.Delete(ctx, key, opts...)
	switch {
	case errors.Is(err, jetstream.ErrKeyRevisionMismatch), errors.Is(err, jetstream.ErrKeyExists):
		return fmt.Errorf("%w: %w", ErrConflict, err)
	case err != nil && !errors.Is(err, jetstream.ErrKeyNotFound):
		return fmt.Errorf("delete %s: %w", key, err)
	}
	delete(p.view, key)
	return nil
}

// retry runs op until it succeeds or fails for another reason than a concurrent change, reading
// the keys again after each change.
func (p *placer) retry(ctx context.Context, keys func() []string, op func() error) error {
	for try := 1; ; try++ {
		err := op()
		if !errors.Is(err, ErrConflict) && !errors.Is(err, ErrExists) || try == placeTries {
			return err
		}
		if err := p.fetch(ctx, keys()); err != nil {
			return err
		}
	}
}

// upsert places a record as its source holds it: alone, in the entry it belongs to, or in the
// entry that claimed one of its keys.
func (p *placer) upsert(ctx context.Context, r catalog.Record) error {
	keys := catalog.ResourceKeys(&r)
	look := func() []string { return p.entryLookups(r.ID, keys) }
	return p.retry(ctx, look, func() error { return p.place(ctx, r, keys) })
}

// entryLookups is lookups plus the group keys of the entries the view says are involved.
func (p *placer) entryLookups(id string, keys []string) []string {
	out := lookups(id, keys)
	if e := p.entryOf(id); e != "" {
		out = append(out, groupKey(e))
	}
	for _, k := range keys {
		if e, ok := p.ref(keyKey(k)); ok {
			out = append(out, groupKey(e))
		}
	}
	return out
}

func (p *placer) place(ctx context.Context, r catalog.Record, keys []string) error {
	cur := p.entryOf(r.ID)
	_, split := p.view[splitKey(r.ID)]
	target := r.ID
	if !split {
		target = p.target(r.ID, keys, cur)
	}
	switch {
	case target == cur && cur != "" && !split:
		g, rev, _ := p.group(cur)
		i := slices.IndexFunc(g.Members, func(m groupMember) bool { return m.Record.ID == r.ID })
		if i < 0 { // the group lost it meanwhile
			return fmt.Errorf("%w: %s left %s", ErrConflict, r.ID, cur)
		}
		g.Members[i] = groupMember{Keys: keys, Record: r}
		if err := p.store(ctx, groupKey(cur), g, rev); err != nil {
			return err
		}
		p.putGroup(cur, g, r)
		return p.adopt(ctx, keys, "", cur)
	case target == r.ID:
		if cur != "" {
			if err := p.leave(ctx, cur, r.ID); err != nil {
				return err
			}
		}
		// Only another worker joining r (its group) or taking a key over changes where r
		// belongs; its membership and split keys are written by r's own placement.
		revs := p.revisions(append(lookups(r.ID, keys)[3:], groupKey(r.ID)))
		if !split && !p.claimLater(keys, r) {
			if err := p.adopt(ctx, keys, "", r.ID); err != nil {
				return err
			}
		}
		p.put(r)
		p.checks = append(p.checks, check{rec: r, revs: revs})
		return nil
	}
	if cur != "" {
		if err := p.leave(ctx, cur, r.ID); err != nil {
			return err
		}
	}
	return p.join(ctx, target, r, keys)
}

// target is the entry a record belongs in: the one it is in while one of its keys still points
// there, else the first other entry one of its keys points to, else itself. Its own claims
// do not hold it back: a record that claimed a key before meeting another entry's joins it.
func (p *placer) target(id string, keys []string, cur string) string {
	other := ""
	for _, k := range keys {
		e, ok := p.ref(keyKey(k))
		switch {
		case !ok || e == id && e != cur:
		case e == cur:
			return cur
		case other == "":
			other = e
		}
	}
	return cmpOr(other, cmpOr(cur, id))
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

func (p *placer) revisions(keys []string) map[string]uint64 {
	revs := make(map[string]uint64, len(keys))
	for _, k := range keys {
		revs[k] = p.view[k].rev
	}
	return revs
}

// adopt points at entry the keys nobody holds, and those from holds (unless it is "").
func (p *placer) adopt(ctx context.Context, keys []string, from, entry string) error {
	for _, k := range keys {
		e, held := p.ref(keyKey(k))
		rev := freeKey
		switch {
		case held && (from == "" || e != from):
			continue
		case held:
			rev = p.view[keyKey(k)].rev
		}
		if err := p.store(ctx, keyKey(k), entryRef{entry}, rev); err != nil {
			return err
		}
	}
	return nil
}

// claimLater takes r's keys into the claims of the page when none is held yet, and reports
// whether it did.
func (p *placer) claimLater(keys []string, r catalog.Record) bool {
	if p.oneByOne {
		return false
	}
	for _, k := range keys {
		if _, held := p.view[keyKey(k)]; held {
			return false
		}
	}
	b, err := json.Marshal(entryRef{r.ID})
	if err != nil {
		return false
	}
	for _, k := range keys {
		p.view[keyKey(k)] = entry{key: keyKey(k), value: b}
		p.claims = append(p.claims, claim{key: keyKey(k), rec: r})
	}
	return true
}

// claimBatch bounds the claims awaiting their acknowledgements at once.
const claimBatch = 256

// claimAll sends the page's claims at once, each stored only if its key is still free; the
// records whose claim another worker beat are placed again, one by one.
func (p *placer) claimAll(ctx context.Context) error {
	var lost []catalog.Record
	for chunk := range slices.Chunk(p.claims, claimBatch) {
		futures := make([]jetstream.PubAckFuture, len(chunk))
		for i, c := range chunk {
			f, err := p.s.js.PublishAsync("$KV."+resourcesBucket+"."+c.key, p.view[c.key].value, jetstream.WithExpectLastSequencePerSubject(0))
			if err != nil {
				return fmt.Errorf("claim %s: %w", c.key, err)
			}
			futures[i] = f
		}
		for i, f := range futures {
			c := chunk[i]
			select {
			case ack := <-f.Ok():
				e := p.view[c.key]
				e.rev = ack.Sequence
				p.view[c.key] = e
			case <-f.Err():
				// Taken meanwhile (or a deleted key's marker is in the way, which the
				// one-by-one path handles).
				delete(p.view, c.key)
				if !slices.ContainsFunc(lost, func(r catalog.Record) bool { return r.ID == c.rec.ID }) {
					lost = append(lost, c.rec)
				}
			case <-ctx.Done():
				return ctx.Err()
			}
		}
	}
	p.claims, p.oneByOne = nil, true
	for _, r := range lost {
		if err := p.fetch(ctx, p.entryLookups(r.ID, catalog.ResourceKeys(&r))); err != nil {
			return err
		}
		if err := p.upsert(ctx, r); err != nil {
			return fmt.Errorf("place %s: %w", r.ID, err)
		}
	}
	return nil
}

// release frees the keys that still point at entry.
func (p *placer) release(ctx context.Context, keys []string, entry string) error {
	for _, k := range keys {
		if e, ok := p.ref(keyKey(k)); ok && e == entry {
			if err := p.drop(ctx, keyKey(k), p.view[keyKey(k)].rev); err != nil {
				return err
			}
		}
	}
	return nil
}

// point moves keys to entry, whoever held them.
func (p *placer) point(ctx context.Context, keys []string, entry string) error {
	for _, k := range keys {
		if e, ok := p.ref(keyKey(k)); ok && e == entry {
			continue
		}
		if err := p.store(ctx, keyKey(k), entryRef{entry}, anyRevision); err != nil {
			return err
		}
	}
	return nil
}

// merged is the entry a group makes of the records it holds; the entry keeps the group's id
// while its first record is still waiting.
func merged(id string, g group) catalog.Record {
	recs := make([]catalog.Record, 0, len(g.Members))
	for _, m := range g.Members {
		if !m.Waiting {
			recs = append(recs, m.Record)
		}
	}
	e := catalog.Merge(recs)
	e.ID = id
	return e
}

// join adds r to the entry target, making a group of it when it has one record so far.
func (p *placer) join(ctx context.Context, target string, r catalog.Record, keys []string) error {
	g, rev, ok := p.group(target)
	if !ok {
		first, err := p.index.Get(ctx, target)
		if w := p.out[target]; w != nil && len(w.Sources) == 0 { // placed earlier in this page
			first, err = *w, nil
		}
		switch {
		case errors.Is(err, catalog.ErrNotFound):
			first = catalog.Record{ID: target}
		case err != nil:
			return fmt.Errorf("read %s to merge %s into it: %w", target, r.ID, err)
		}
		first.Sources, first.Indexed = nil, ""
		g, rev = group{Members: []groupMember{{Keys: catalog.ResourceKeys(&first), Record: first, Waiting: err != nil}}}, freeKey
	}
	if i := slices.IndexFunc(g.Members, func(m groupMember) bool { return m.Record.ID == r.ID }); i >= 0 {
		g.Members[i] = groupMember{Keys: keys, Record: r} // a retry of a join that was stored
	} else {
		g.Members = append(g.Members, groupMember{Keys: keys, Record: r})
	}
	if err := p.store(ctx, groupKey(target), g, rev); err != nil {
		return err
	}
	if g.Members[0].Waiting {
		// The first record's worker may have written it and looked again between the read
		// above and this write; it is filled in here then, else that worker does it.
		first, err := p.index.Get(ctx, target)
		switch {
		case err == nil:
			first.Sources, first.Indexed = nil, ""
			g.Members[0] = groupMember{Keys: catalog.ResourceKeys(&first), Record: first}
			if err := p.store(ctx, groupKey(target), g, p.view[groupKey(target)].rev); err != nil {
				return err
			}
		case !errors.Is(err, catalog.ErrNotFound):
			return fmt.Errorf("read %s to merge %s into it: %w", target, r.ID, err)
		}
	}
	if err := p.store(ctx, memberKey(r.ID), entryRef{target}, anyRevision); err != nil {
		return err
	}
	p.del(r.ID)
	p.putGroup(target, g, r)
	return p.adopt(ctx, keys, r.ID, target)
}

// leave takes id out of the group of entry. A group left with one record becomes that record
// alone; a group whose first record leaves goes on under the id of the next one.
func (p *placer) leave(ctx context.Context, entry, id string) error {
	g, rev, ok := p.group(entry)
	if !ok {
		return p.drop(ctx, memberKey(id), anyRevision)
	}
	i := slices.IndexFunc(g.Members, func(m groupMember) bool { return m.Record.ID == id })
	if i < 0 {
		return p.drop(ctx, memberKey(id), anyRevision)
	}
	gone := g.Members[i]
	g.Members = slices.Delete(g.Members, i, i+1)
	if len(g.Members) == 0 {
		if err := p.drop(ctx, groupKey(entry), rev); err != nil {
			return err
		}
		p.del(entry)
		return p.release(ctx, gone.Keys, entry)
	}
	next := g.Members[0].Record.ID
	if next == entry {
		if err := p.store(ctx, groupKey(entry), g, rev); err != nil {
			return err
		}
	} else {
		// The group moves to the next record's id: take the old one first, so that a
		// concurrent writer of it fails its compare-and-set.
		if err := p.drop(ctx, groupKey(entry), rev); err != nil {
			return err
		}
		p.del(entry)
		if len(g.Members) > 1 {
			if err := p.store(ctx, groupKey(next), g, anyRevision); err != nil {
				return err
			}
		}
	}
	if err := p.drop(ctx, memberKey(id), anyRevision); err != nil {
		return err
	}
	var kept []string
	for _, m := range g.Members {
		kept = append(kept, m.Keys...)
		if m.Record.ID == next || len(g.Members) == 1 {
			if err := p.drop(ctx, memberKey(m.Record.ID), anyRevision); err != nil {
				return err
			}
		} else if next != entry {
			if err := p.store(ctx, memberKey(m.Record.ID), entryRef{next}, anyRevision); err != nil {
				return err
			}
		}
	}
	if next != entry {
		if err := p.point(ctx, kept, next); err != nil {
			return err
		}
	}
	var only []string
	for _, k := range gone.Keys {
		if !slices.Contains(kept, k) {
			only = append(only, k)
		}
	}
	if err := p.release(ctx, only, entry); err != nil {
		return err
	}
	if len(g.Members) == 1 {
		if next == entry {
			if err := p.drop(ctx, groupKey(next), anyRevision); err != nil {
				return err
			}
		}
		if g.Members[0].Waiting { // its own worker writes it when it looks again
			p.del(next)
		} else {
			p.put(g.Members[0].Record)
		}
		return nil
	}
	p.putGroup(next, g, catalog.Record{})
	return nil
}

// remove takes a record its source dropped out of its entry: the entry goes when no other
// source offers the resource, and otherwise stays with the others.
func (p *placer) remove(ctx context.Context, id string) error {
	look := func() []string {
		out := lookups(id, nil)
		if e := p.entryOf(id); e != "" {
			out = append(out, groupKey(e))
		}
		return out
	}
	return p.retry(ctx, look, func() error {
		if cur := p.entryOf(id); cur != "" {
			return p.leave(ctx, cur, id)
		}
		r, err := p.index.Get(ctx, id)
		if err != nil && !errors.Is(err, catalog.ErrNotFound) {
			return fmt.Errorf("read %s before removing it: %w", id, err)
		}
		if err == nil {
			keys := catalog.ResourceKeys(&r)
			if err := p.fetch(ctx, lookups(id, keys)); err != nil {
				return err
			}
			if err := p.release(ctx, keys, id); err != nil {
				return err
			}
		}
		p.del(id)
		return nil
	})
}

// placePage turns a page's writes of member records into writes of entries: ups are records
// as their sources hold them, dels the ids of records their sources dropped.
func (s *System) placePage(ctx context.Context, index catalog.Index, ups []catalog.Record, dels []string) (*placer, error) {
	p := s.newPlacer(index)
	var keys []string
	for i := range ups {
		keys = append(keys, lookups(ups[i].ID, catalog.ResourceKeys(&ups[i]))...)
	}
	for _, id := range dels {
		keys = append(keys, lookups(id, nil)...)
	}
	if err := p.fetch(ctx, keys); err != nil {
		return nil, err
	}
	// Groups the records belong to or will join.
	var more []string
	for i := range ups {
		more = append(more, p.entryLookups(ups[i].ID, catalog.ResourceKeys(&ups[i]))...)
	}
	for _, id := range dels {
		if e := p.entryOf(id); e != "" {
			more = append(more, groupKey(e))
		}
	}
	if err := p.fetch(ctx, slices.DeleteFunc(more, func(k string) bool { return p.read[k] })); err != nil {
		return nil, err
	}
	for _, r := range ups {
		if err := p.upsert(ctx, r); err != nil {
			return nil, fmt.Errorf("place %s: %w", r.ID, err)
		}
	}
	if err := p.claimAll(ctx); err != nil {
		return nil, err
	}
	for _, id := range dels {
		if err := p.remove(ctx, id); err != nil {
			return nil, fmt.Errorf("remove %s: %w", id, err)
		}
	}
	return p, nil
}

// recheck reads again, once the index holds a page's entries, the keys that decided them.
// Where another worker changed them meanwhile, its write may have reached the index first, so
// the entry is written again from what the bucket holds now: an entry of several records from
// its group, a record placed alone by placing it again. The new writes are checked in turn,
// so that the last writer of an entry leaves it as the bucket has it.
func (s *System) recheck(ctx context.Context, pl *Pipeline, checks []check) error {
	index := pl.Index
	for try := 0; len(checks) > 0; try++ {
		if try == placeTries {
			return fmt.Errorf("recheck %d entries: %w", len(checks), ErrConflict)
		}
		p := s.newPlacer(index)
		var keys []string
		for _, c := range checks {
			for k := range c.revs {
				keys = append(keys, k)
			}
		}
		if err := p.fetch(ctx, keys); err != nil {
			return err
		}
		var again []catalog.Record
		q := s.newPlacer(index)
		for _, c := range checks {
			if !p.changed(c) {
				continue
			}
			if g, rev, ok := p.group(c.entry); ok && c.entry != "" {
				q.view[groupKey(c.entry)] = p.view[groupKey(c.entry)]
				q.put(merged(c.entry, g))
				q.checks = append(q.checks, check{entry: c.entry, revs: map[string]uint64{groupKey(c.entry): rev}})
			} else if c.rec.ID != "" {
				again = append(again, c.rec)
			}
		}
		if len(again) > 0 {
			pl, err := s.placePage(ctx, index, again, nil)
			if err != nil {
				return err
			}
			for _, id := range pl.order {
				q.note(id, pl.out[id])
			}
			q.checks = append(q.checks, pl.checks...)
		}
		ups, dels := q.writes()
		if err := pl.decide(ctx, ups); err != nil {
			return err
		}
		if err := s.writeEntries(ctx, index, ups, dels); err != nil {
			return err
		}
		checks = q.checks
	}
	return nil
}

// changed reports whether the keys that decided c moved, leaving out a record's own claims.
func (p *placer) changed(c check) bool {
	for k, rev := range c.revs {
		if p.view[k].rev != rev && (c.entry != "" || !p.ownClaim(k, c.rec.ID)) {
			return true
		}
	}
	return false
}

// ownClaim reports whether key is a resource key claimed by id: the record's own claim moves
// the revision without changing anything.
func (p *placer) ownClaim(key, id string) bool {
	e, ok := p.ref(key)
	return ok && e == id && key[0] == 'k'
}

// writeEntries writes entries to the index at once, with their tombstones kept in step.
func (s *System) writeEntries(ctx context.Context, index catalog.Index, ups []catalog.Record, dels []string) error {
	if err := s.unbury(ctx, ups); err != nil {
		return err
	}
	if len(ups) > 0 {
		if err := index.Upsert(ctx, ups); err != nil {
			return fmt.Errorf("upsert %d entries: %w", len(ups), err)
		}
	}
	if len(dels) > 0 {
		if err := s.Bury(ctx, index, dels); err != nil {
			return err
		}
		if err := index.Delete(ctx, dels); err != nil {
			return fmt.Errorf("delete %d entries: %w", len(dels), err)
		}
	}
	return nil
}

// RemoveRecords takes records out of the catalog outside a harvest job (a source removed, say)
// as the pipeline's deletions do: an entry another source still offers stays with the others,
// and every entry that goes keeps a tombstone.
func (s *System) RemoveRecords(ctx context.Context, p Pipeline, ids []string) error {
	pl, err := s.placePage(ctx, p.Index, nil, ids)
	if err != nil {
		return err
	}
	ups, dels := pl.writes()
	if err := p.decide(ctx, ups); err != nil {
		return err
	}
	if err := s.writeEntries(ctx, p.Index, ups, dels); err != nil {
		return err
	}
	return s.recheck(ctx, &p, pl.checks)
}

// EntryOf returns the id of the catalog entry a record was merged into, or ErrNotFound when
// it was not merged into another record's entry; old links to a merged record lead there.
func (s *System) EntryOf(ctx context.Context, id string) (string, error) {
	r, _, err := getJSON[entryRef](ctx, s.resources, memberKey(id))
	if err != nil {
		return "", err
	}
	return r.Entry, nil
}

// SplitEntry is a librarian's decision that the records merged into an entry are different
// resources: each becomes an entry of its own, now and at every later harvest, and none of
// them is merged again. id may name the entry or any of its records.
func (s *System) SplitEntry(ctx context.Context, index catalog.Index, id, by string) ([]string, error) {
	p := s.newPlacer(index)
	entry := ""
	var members []groupMember
	look := func() []string {
		out := lookups(id, nil)
		if e := p.entryOf(id); e != "" {
			out = append(out, groupKey(e))
		}
		return out
	}
	if err := p.fetch(ctx, look()); err != nil {
		return nil, err
	}
	if err := p.fetch(ctx, look()); err != nil {
		return nil, err
	}
	err := p.retry(ctx, look, func() error {
		entry = p.entryOf(id)
		if entry == "" {
			return fmt.Errorf("split %s: %w: not an entry of several records", id, ErrNotFound)
		}
		g, rev, _ := p.group(entry)
		if err := p.drop(ctx, groupKey(entry), rev); err != nil {
			return err
		}
		members = g.Members
		return nil
	})
	if err != nil {
		return nil, err
	}
	// The group is gone, so no other worker can change it: the rest needs no compare-and-set.
	mark := Split{Entry: entry, By: by, At: p.now}
	var ids []string
	for _, m := range members {
		ids = append(ids, m.Record.ID)
		if err := p.store(ctx, splitKey(m.Record.ID), mark, anyRevision); err != nil {
			return nil, fmt.Errorf("split %s: %w", entry, err)
		}
		if err := p.drop(ctx, memberKey(m.Record.ID), anyRevision); err != nil {
			return nil, fmt.Errorf("split %s: %w", entry, err)
		}
		if err := p.fetch(ctx, lookups(m.Record.ID, m.Keys)); err != nil {
			return nil, err
		}
		for _, holder := range []string{entry, m.Record.ID} {
			if err := p.release(ctx, m.Keys, holder); err != nil {
				return nil, fmt.Errorf("split %s: %w", entry, err)
			}
		}
		if m.Waiting { // not indexed yet: its worker writes it alone when it looks again
			p.del(m.Record.ID)
			continue
		}
		p.put(m.Record)
	}
	ups, dels := p.writes()
	if err := s.writeEntries(ctx, index, ups, dels); err != nil {
		return nil, fmt.Errorf("split %s: %w", entry, err)
	}
	return ids, nil
}
