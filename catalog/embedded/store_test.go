package embedded

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/orchard-oer/orchard/catalog"
	"github.com/orchard-oer/orchard/catalog/catalogtest"
)

// hits returns the ids a search for q finds, hidden records included.
func hits(t *testing.T, ix *Index, q string) []string {
	t.Helper()
	res, err := ix.Search(t.Context(), catalog.SearchRequest{Query: q, Filter: catalog.Filter{WithHidden: true}, PerPage: catalog.MaxPerPage})
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, h := range res.Hits {
		ids = append(ids, h.ID)
	}
	return ids
}

// closedWithFixtures writes the conformance fixtures to a new index and closes it.
func closedWithFixtures(t *testing.T) (string, []catalog.Record) {
	t.Helper()
	dir := t.TempDir()
	ix := open(t, dir)
	recs := catalogtest.Fixtures()
	if err := ix.Upsert(t.Context(), recs); err != nil {
		t.Fatal(err)
	}
	if err := ix.Close(); err != nil {
		t.Fatal(err)
	}
	return dir, recs
}

// replaceAndDelete gives the first of recs, all in ix, a new title with a word no other has
// ("zymurgy"), deletes the second, and returns the first as it is now.
func replaceAndDelete(t *testing.T, ix *Index, recs []catalog.Record) catalog.Record {
	t.Helper()
	changed := recs[0]
	changed.Title = "Zymurgy for beginners"
	if err := ix.Upsert(t.Context(), []catalog.Record{changed}); err != nil {
		t.Fatal(err)
	}
	if err := ix.Delete(t.Context(), []string{recs[1].ID}); err != nil {
		t.Fatal(err)
	}
	return changed
}

// Writes that replace and delete records leave the same index after reopening as before, and
// the words of a replaced record no longer find it.
func TestReopenReplaysReplacementsAndDeletions(t *testing.T) {
	dir := t.TempDir()
	ix := open(t, dir)
	recs := catalogtest.Fixtures()
	if err := ix.Upsert(t.Context(), recs); err != nil {
		t.Fatal(err)
	}
	changed := replaceAndDelete(t, ix, recs)
	check := func(ix *Index) {
		t.Helper()
		if got := hits(t, ix, "zymurgy"); len(got) != 1 || got[0] != changed.ID {
			t.Errorf("zymurgy finds %v, want %s", got, changed.ID)
		}
		for _, id := range []string{recs[1].ID} {
			if _, err := ix.Get(t.Context(), id); err == nil {
				t.Errorf("deleted %s still there", id)
			}
		}
		st, err := ix.Stats(t.Context())
		if err != nil || st.Records != len(recs)-1 {
			t.Errorf("stats %+v (%v), want %d records", st, err, len(recs)-1)
		}
	}
	check(ix)
	if err := ix.Close(); err != nil {
		t.Fatal(err)
	}
	ix = open(t, dir)
	defer ix.Close()
	check(ix)
}

// A write cut short by a crash ends the log: Open drops it and keeps every whole write before it.
func TestOpenCutsTornTail(t *testing.T) {
	dir, recs := closedWithFixtures(t)
	path := filepath.Join(dir, logFile)
	whole, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	torn := frame(nil, opUpsert, "torn", []byte(`{"id":"torn"}`))
	f, err := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.Write(torn[:len(torn)-3]); err != nil {
		t.Fatal(err)
	}
	f.Close()
	ix := open(t, dir)
	checkRecords(t, ix, recs)
	if err := ix.Upsert(t.Context(), []catalog.Record{{ID: "after", Source: "s", Title: "Written after the cut"}}); err != nil {
		t.Fatal(err)
	}
	ix.Close()
	if st, err := os.Stat(path); err != nil || st.Size() <= whole.Size() {
		t.Fatalf("log after the cut and one write: %v %v", st, err)
	}
	ix = open(t, dir)
	defer ix.Close()
	if got := hits(t, ix, "cut"); len(got) != 1 || got[0] != "after" {
		t.Errorf("the write after the cut finds %v", got)
	}
}

// Compacting the log keeps the last version of each record and nothing else.
func TestLogIsCompacted(t *testing.T) {
	dir := t.TempDir()
	ix := open(t, dir)
	defer ix.Close()
	recs := make([]catalog.Record, 100)
	for i := range recs {
		recs[i] = catalog.Record{ID: fmt.Sprintf("r%03d", i), Source: "s"}
	}
	for _, colour := range []string{"amber", "cobalt", "violet"} {
		for i := range recs {
			recs[i].Title = "Record " + colour
		}
		if err := ix.Upsert(t.Context(), recs); err != nil {
			t.Fatal(err)
		}
	}
	before := ix.store.size
	moved, err := func() (int, error) {
		ix.mu.Lock()
		defer ix.mu.Unlock()
		return len(ix.mem.ids), ix.compact()
	}()
	if err != nil || moved != len(recs) || ix.store.size >= before {
		t.Fatalf("compact: %v, %d records, log %d → %d bytes", err, moved, before, ix.store.size)
	}
	if got := hits(t, ix, "violet"); len(got) != len(recs) {
		t.Errorf("after compaction violet finds %d records, want %d", len(got), len(recs))
	}
	if got := hits(t, ix, "cobalt"); len(got) != 0 {
		t.Errorf("after compaction cobalt finds %d records, want none", len(got))
	}
	checkRecords(t, ix, recs)
}

// Open reads the snapshot Close wrote and replays the log written after it, as after a crash;
// a damaged snapshot is ignored for the log.
func TestOpenReadsSnapshotAndLaterWrites(t *testing.T) {
	dir, recs := closedWithFixtures(t)
	ix := open(t, dir)
	if !ix.fromSnapshot {
		t.Fatal("second Open did not read the snapshot")
	}
	changed := replaceAndDelete(t, ix, recs)
	// A crash: the log keeps the writes, no new snapshot is written.
	ix.store.f.Close()
	ix.unlock()
	want := append([]catalog.Record{changed}, recs[2:]...)
	ix = open(t, dir)
	if !ix.fromSnapshot {
		t.Error("Open after the crash did not read the snapshot")
	}
	checkRecords(t, ix, want)
	if got := hits(t, ix, "zymurgy"); len(got) != 1 || got[0] != changed.ID {
		t.Errorf("zymurgy finds %v after replay, want %s", got, changed.ID)
	}
	if err := ix.Close(); err != nil {
		t.Fatal(err)
	}
	snap := filepath.Join(dir, snapFile)
	b, err := os.ReadFile(snap)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(snap, b[:len(b)/2], 0o644); err != nil {
		t.Fatal(err)
	}
	ix = open(t, dir)
	defer ix.Close()
	if ix.fromSnapshot {
		t.Error("Open used a damaged snapshot")
	}
	checkRecords(t, ix, want)
	if got := hits(t, ix, "zymurgy"); len(got) != 1 {
		t.Errorf("zymurgy finds %v from the log alone", got)
	}
}
