package embedded

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/blevesearch/bleve/v2"

	"github.com/orchard-oer/orchard/catalog"
	"github.com/orchard-oer/orchard/catalog/catalogtest"
)

// layout1Flags are the derived flags under their layout 1 names, by their current names.
var layout1Flags = map[string]string{
	"hidden":      catalog.FieldHidden,
	"open":        catalog.FieldOpen,
	"commercial":  catalog.FieldCommercial,
	"derivatives": catalog.FieldDerivatives,
}

// writeIndex writes recs to a new index at path in the current layout, or, when layout1, as
// Orchard wrote it before layout versions were recorded.
func writeIndex(t *testing.T, path string, recs []catalog.Record, layout1 bool) {
	t.Helper()
	var (
		b   bleve.Index
		err error
	)
	if layout1 {
		im, merr := newMapping(catalog.Facets)
		if merr != nil {
			t.Fatal(merr)
		}
		props := im.DefaultMapping.Properties
		for name, cur := range layout1Flags {
			props[name] = props[cur]
			delete(props, cur)
		}
		b, err = bleve.New(path, im)
	} else {
		b, err = createBleve(path)
	}
	if err != nil {
		t.Fatal(err)
	}
	batch := b.NewBatch()
	for i := range recs {
		doc, err := document(&recs[i])
		if err != nil {
			t.Fatal(err)
		}
		if layout1 {
			for name, cur := range layout1Flags {
				doc[name] = doc[cur]
				delete(doc, cur)
			}
		}
		if err := batch.Index(recs[i].ID, doc); err != nil {
			t.Fatal(err)
		}
	}
	if err := b.Batch(batch); err != nil {
		t.Fatal(err)
	}
	if err := b.Close(); err != nil {
		t.Fatal(err)
	}
}

// manyRecords are the fixtures and enough generated records to fill several pages and write
// batches of a rebuild.
func manyRecords() []catalog.Record {
	recs := catalogtest.Fixtures()
	for i := range 2*eachPage + 1 {
		recs = append(recs, catalog.Record{
			ID: fmt.Sprintf("gen-%04d", i), Source: "gen", Title: "Generated record " + strconv.Itoa(i),
			Languages: []string{"en"}, Hidden: i%10 == 0,
			License: catalog.License{ID: "CC-BY-4.0", Family: "CC-BY", Commercial: i%3 == 0, Derivatives: true, Open: i%2 == 0},
		})
	}
	return recs
}

// checkRecords fails unless ix holds exactly want, each as JSON-equal as it was written.
func checkRecords(t *testing.T, ix *Index, want []catalog.Record) {
	t.Helper()
	byID := map[string]string{}
	for _, r := range want {
		b, _ := json.Marshal(r)
		byID[r.ID] = string(b)
	}
	seen := 0
	err := ix.Each(t.Context(), catalog.Filter{WithHidden: true}, func(r catalog.Record) error {
		b, _ := json.Marshal(r)
		if w, ok := byID[r.ID]; !ok || w != string(b) {
			t.Errorf("record %s:\n got %s\nwant %s", r.ID, b, w)
		}
		seen++
		return nil
	})
	if err != nil || seen != len(want) {
		t.Errorf("each: %v after %d records, want %d", err, seen, len(want))
	}
}

// checkDir fails unless dir holds the log and the lock file only.
func checkDir(t *testing.T, dir string) {
	t.Helper()
	checkNames(t, dir, logFile, lockFile)
}

// checkNames fails unless dir holds exactly the files names, in order.
func checkNames(t *testing.T, dir string, want ...string) {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	if !slices.Equal(names, want) {
		t.Errorf("directory holds %v, want %v", names, want)
	}
}

// checkFilters fails unless searches and Each on ix filter recs, all of what ix holds, as the
// conformance suite expects: hidden records left out, the license flags and facets applied.
func checkFilters(t *testing.T, ix *Index, recs []catalog.Record) {
	t.Helper()
	for _, tc := range []struct {
		name   string
		filter catalog.Filter
		match  func(r catalog.Record) bool
	}{
		{"hidden excluded", catalog.Filter{}, func(r catalog.Record) bool { return !r.Hidden }},
		{"with hidden", catalog.Filter{WithHidden: true}, func(catalog.Record) bool { return true }},
		{"open", catalog.Filter{Open: new(true)}, func(r catalog.Record) bool { return !r.Hidden && r.License.Open }},
		{"not commercial", catalog.Filter{Commercial: new(false)}, func(r catalog.Record) bool { return !r.Hidden && !r.License.Commercial }},
		{"no derivatives", catalog.Filter{Derivatives: new(false)}, func(r catalog.Record) bool { return !r.Hidden && !r.License.Derivatives }},
		{"source", catalog.Filter{Sources: []string{"alpha"}}, func(r catalog.Record) bool { return !r.Hidden && r.Source == "alpha" }},
	} {
		var want []string
		for _, r := range recs {
			if tc.match(r) {
				want = append(want, r.ID)
			}
		}
		slices.Sort(want)
		var got []string
		err := ix.Each(t.Context(), tc.filter, func(r catalog.Record) error {
			got = append(got, r.ID)
			return nil
		})
		if err != nil || !slices.Equal(got, want) {
			t.Errorf("%s: %v, %d records, want %d", tc.name, err, len(got), len(want))
		}
		res, err := ix.Search(t.Context(), catalog.SearchRequest{Filter: tc.filter})
		if err != nil || res.Total != len(want) {
			t.Errorf("search %s: %v, total %d, want %d", tc.name, err, res.Total, len(want))
		}
	}
}

func TestOpenRebuildsOlderLayout(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, indexDir)
	recs := manyRecords()
	writeIndex(t, path, recs, true)
	var logged bytes.Buffer
	log := slog.New(slog.NewTextHandler(&logged, nil))

	ix, err := Open(Config{Dir: dir}, log)
	if err != nil {
		t.Fatal(err)
	}
	if v, err := readLayout(filepath.Join(dir, logFile)); err != nil || v != layoutVersion {
		t.Errorf("layout after the rebuild = %d (%v), want %d", v, err, layoutVersion)
	}
	for _, want := range []string{"from_layout=1", "to_layout=" + strconv.Itoa(layoutVersion), "embedded index: rebuilt", "records=" + strconv.Itoa(len(recs))} {
		if !strings.Contains(logged.String(), want) {
			t.Errorf("log lacks %q:\n%s", want, logged.String())
		}
	}
	checkRecords(t, ix, recs)
	checkDir(t, dir)
	checkFilters(t, ix, recs)
	if err := ix.Close(); err != nil {
		t.Fatal(err)
	}
	logged.Reset()
	again, err := Open(Config{Dir: dir}, log)
	if err != nil {
		t.Fatal(err)
	}
	defer again.Close()
	if logged.Len() != 0 {
		t.Errorf("second Open logged %s, want nothing rebuilt", logged.String())
	}
}

// testdata/layout1 is an index that Orchard wrote, before layouts had versions, holding
// catalogtest.Fixtures.
func TestOpenRebuildsIndexOfEarlierOrchard(t *testing.T) {
	dir := t.TempDir()
	if err := os.CopyFS(dir, os.DirFS("testdata/layout1")); err != nil {
		t.Fatal(err)
	}
	ix := open(t, dir)
	defer ix.Close()
	if v, err := readLayout(filepath.Join(dir, logFile)); err != nil || v != layoutVersion {
		t.Errorf("layout after the rebuild = %d (%v), want %d", v, err, layoutVersion)
	}
	checkRecords(t, ix, catalogtest.Fixtures())
	checkFilters(t, ix, catalogtest.Fixtures())
	checkDir(t, dir)
}

// A crash at any point of a rebuild leaves directories that the next Open settles into one
// index with every record.
func TestOpenSettlesInterruptedRebuild(t *testing.T) {
	recs := catalogtest.Fixtures()
	stray := catalog.Record{ID: "stray", Source: "stray", Title: "Only in the index that must go"}
	withStray := append(catalogtest.Fixtures(), stray)
	type index struct {
		suffix  string
		recs    []catalog.Record
		layout1 bool
	}
	for _, tc := range []struct {
		name    string
		indexes []index
	}{
		{"while building", []index{{"", recs, true}, {rebuildSuffix, withStray[len(recs)-1:], false}}},
		{"between the renames", []index{{asideSuffix, withStray, true}, {rebuildSuffix, recs, false}}},
		{"before removing the old index", []index{{asideSuffix, withStray, true}, {"", recs, false}}},
		{"old index set aside alone", []index{{asideSuffix, recs, false}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			for _, x := range tc.indexes {
				writeIndex(t, filepath.Join(dir, indexDir+x.suffix), x.recs, x.layout1)
			}
			ix := open(t, dir)
			defer ix.Close()
			checkRecords(t, ix, recs)
			checkDir(t, dir)
		})
	}
}

func TestOpenRefusesNewerLayout(t *testing.T) {
	t.Run("log", func(t *testing.T) {
		dir := t.TempDir()
		path := filepath.Join(dir, logFile)
		newer := logHeader + strconv.Itoa(layoutVersion+1) + "\n"
		if err := os.WriteFile(path, []byte(newer), 0o644); err != nil {
			t.Fatal(err)
		}
		if _, err := Open(Config{Dir: dir}, nil); !errors.Is(err, errNewerLayout) || !strings.Contains(err.Error(), "newer Orchard") {
			t.Fatalf("Open = %v, want a refusal naming a newer Orchard", err)
		}
		if b, err := os.ReadFile(path); err != nil || string(b) != newer {
			t.Errorf("after the refusal the log holds %q (%v), want it untouched", b, err)
		}
	})
	t.Run("bleve", func(t *testing.T) {
		dir := t.TempDir()
		path := filepath.Join(dir, indexDir)
		writeIndex(t, path, catalogtest.Fixtures(), false)
		newer := []byte(strconv.Itoa(bleveLayouts + 1))
		b, err := bleve.Open(path)
		if err != nil {
			t.Fatal(err)
		}
		if err := b.SetInternal(layoutKey, newer); err != nil {
			t.Fatal(err)
		}
		if err := b.Close(); err != nil {
			t.Fatal(err)
		}
		if _, err := Open(Config{Dir: dir}, nil); !errors.Is(err, errNewerLayout) {
			t.Fatalf("Open = %v, want a refusal naming a newer Orchard", err)
		}
		checkNames(t, dir, indexDir, lockFile)
	})
}

// A record that cannot be read back stops the rebuild before anything is replaced.
func TestFailedRebuildKeepsOldIndex(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, indexDir)
	writeIndex(t, path, catalogtest.Fixtures(), true)
	b, err := bleve.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := b.Index("broken", map[string]any{fieldSource: "{not json"}); err != nil {
		t.Fatal(err)
	}
	if err := b.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := Open(Config{Dir: dir}, nil); err == nil || !strings.Contains(err.Error(), "broken") {
		t.Fatalf("Open = %v, want the rebuild to fail on record broken", err)
	}
	checkNames(t, dir, indexDir, lockFile)
	b, err = bleve.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	if n, _ := b.DocCount(); n != uint64(len(catalogtest.Fixtures())+1) {
		t.Errorf("old index holds %d records after the failed rebuild, want %d", n, len(catalogtest.Fixtures())+1)
	}
}

// rebuildDirEnv tells the test binary, run again as a child, which index to open.
const rebuildDirEnv = "ORCHARD_TEST_REBUILD_DIR"

// A process killed while it rebuilds leaves the old index whole; the next Open rebuilds again.
func TestKilledRebuildLosesNothing(t *testing.T) {
	if dir := os.Getenv(rebuildDirEnv); dir != "" {
		ix, err := Open(Config{Dir: dir}, nil)
		if err != nil {
			t.Fatal(err)
		}
		_ = ix.Close()
		return
	}
	dir := t.TempDir()
	path := filepath.Join(dir, indexDir)
	recs := manyRecords()
	writeIndex(t, path, recs, true)
	child := exec.CommandContext(t.Context(), os.Args[0], "-test.run=^TestKilledRebuildLosesNothing$")
	child.Env = append(os.Environ(), rebuildDirEnv+"="+dir)
	if err := child.Start(); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(time.Minute)
	fresh := filepath.Join(dir, logFile+rebuildSuffix)
	for !exists(fresh) && time.Now().Before(deadline) {
		time.Sleep(time.Millisecond)
	}
	_ = child.Process.Kill()
	_ = child.Wait()
	if !exists(fresh) || !exists(path) {
		t.Fatal("the child was not killed while it built the new log")
	}
	ix := open(t, dir)
	defer ix.Close()
	checkRecords(t, ix, recs)
	checkDir(t, dir)
}
