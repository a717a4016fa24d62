package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/orchard-oer/orchard/catalog"
)

func writeJSONL(t *testing.T, lines ...string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "records.jsonl")
	if err := os.WriteFile(p, []byte(strings.Join(lines, "\n")+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func rec(id, title, lic, family string, open, commercial bool, langs ...string) string {
	r := catalog.Record{ID: id, Source: "test", OriginID: "oai:" + id, Title: title, Languages: langs, Subjects: []string{"Biologie"},
		License: catalog.License{ID: lic, Family: family, Open: open, Commercial: commercial, Derivatives: true, Label: lic}}
	b, _ := json.Marshal(r)
	return string(b)
}

func TestImportSearchExport(t *testing.T) {
	dataDir := isolate(t)
	t.Setenv("ORCHARD_DATA_DIR", dataDir)
	file := writeJSONL(t,
		rec("t_1", "Photosynthesis for beginners", "CC-BY-4.0", "CC-BY", true, true, "en"),
		rec("t_2", "Photosynthese verstehen", "CC-BY-SA-4.0", "CC-BY-SA", true, true, "de"),
		`{"id":"t_3","source":"test"}`,
		`{broken`,
		rec("t_4", "Photosynthesis worksheet", "CC-BY-NC-4.0", "CC-BY-NC", false, false, "en"),
	)

	// --strict refuses the file and imports nothing.
	_, errOut, err := run(t, "import", "--strict", file)
	if err == nil || !strings.Contains(err.Error(), "nothing imported") {
		t.Fatalf("strict import: err = %v", err)
	}
	if !strings.Contains(errOut, "records.jsonl:3: invalid record t_3: missing title") || !strings.Contains(errOut, "records.jsonl:4:") {
		t.Fatalf("strict import should name lines 3 and 4:\n%s", errOut)
	}
	out, _, err := run(t, "search", "--json", "--open", "any", "photosynthesis")
	if err != nil {
		t.Fatal(err)
	}
	var res catalog.SearchResult
	if err := json.Unmarshal([]byte(out), &res); err != nil || res.Total != 0 {
		t.Fatalf("after a strict failure the catalog should be empty: %v %+v", err, res)
	}

	// Without --strict the good lines go in and the bad ones are reported.
	_, errOut, err = run(t, "import", file)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(errOut, "imported 3 records") || !strings.Contains(errOut, "2 bad lines") {
		t.Fatalf("import summary:\n%s", errOut)
	}

	// Learners see Creative Commons records by default; the openness choice and filters narrow,
	// by id or by the words pages show.
	for _, tc := range []struct {
		args []string
		want int
	}{
		{[]string{"photosynthesis"}, 3},
		{[]string{"--openness", "free", "photosynthesis"}, 2},
		{[]string{"--openness", "Free culture", "photosynthesis"}, 2},
		{[]string{"--open", "true", "photosynthesis"}, 2},
		{[]string{"--license", "CC BY-NC 4.0", "photosynthesis"}, 1},
		{[]string{"--lang", "German", "--commercial", "true", "photosynthese"}, 1},
		{[]string{"--lang", "de", "photosynthese"}, 1},
		// fields by notation or by name, a broad field with all below it
		{[]string{"--field", "0511", "photosynthesis"}, 3},
		{[]string{"--field", "Natural sciences, mathematics and statistics", "photosynthesis"}, 3},
		{[]string{"--field", "Informatik", "--field", "Biología", "photosynthesis"}, 3},
		{[]string{"--field", "Informatik", "photosynthesis"}, 0},
		{[]string{"--field", "ISCED 05", "biology"}, 3}, // the field's name found as a word
	} {
		out, _, err = run(t, append([]string{"search", "--json"}, tc.args...)...)
		if err != nil {
			t.Fatalf("search %q: %v", tc.args, err)
		}
		res = catalog.SearchResult{}
		json.Unmarshal([]byte(out), &res)
		if res.Total != tc.want {
			t.Errorf("search %q: total %d, want %d: %s", tc.args, res.Total, tc.want, out)
		}
	}
	for _, args := range [][]string{{"--lang", "Klingon"}, {"--license", "CC BY 9.0"}, {"--openness", "open"}, {"--field", "Alchemy"}} {
		if _, _, err := run(t, append([]string{"search"}, args...)...); err == nil || !strings.Contains(err.Error(), "must be") {
			t.Errorf("search %q: error %v, want the accepted forms", args, err)
		}
	}
	table, _, err := run(t, "search", "--openness", "free", "photosynthesis")
	if err != nil || !strings.Contains(table, "TITLE") || !strings.Contains(table, "2 of 2") ||
		!strings.Contains(table, "1 more with restrictions: --openness any") {
		t.Fatalf("table output (%v):\n%s", err, table)
	}

	// Export writes everything, including closed records, and reimports cleanly.
	exported := filepath.Join(t.TempDir(), "out.jsonl")
	if _, _, err := run(t, "export", "-o", exported); err != nil {
		t.Fatal(err)
	}
	if n := countLines(t, exported); n != 3 {
		t.Fatalf("export wrote %d lines, want 3", n)
	}
	if _, _, err := run(t, "export", "-o", exported, "--family", "CC-BY-NC"); err != nil {
		t.Fatal(err)
	}
	if n := countLines(t, exported); n != 1 {
		t.Fatalf("filtered export wrote %d lines, want 1", n)
	}
	// As JSON-LD: what record pages carry, linking to them under http.base_url.
	t.Setenv("ORCHARD_HTTP_BASE_URL", "https://orchard.example.org/")
	out, errOut, err = run(t, "export", "--format", "jsonld", "--family", "CC-BY-NC")
	var ld struct {
		Type []string `json:"type"`
		Page []struct {
			ID string `json:"id"`
		} `json:"mainEntityOfPage"`
	}
	if err != nil || json.Unmarshal([]byte(out), &ld) != nil || !slices.Equal(ld.Type, []string{"LearningResource"}) ||
		len(ld.Page) == 0 || !strings.HasPrefix(ld.Page[0].ID, "https://orchard.example.org/records/") {
		t.Fatalf("export --format jsonld (%v): %s%s", err, out, errOut)
	}
	if _, _, err := run(t, "export", "--format", "xml"); err == nil {
		t.Error("export --format xml succeeded")
	}

	// A deletion line removes a record.
	del := writeJSONL(t, `{"id":"t_1","deleted":true}`)
	if _, errOut, err := run(t, "import", del); err != nil || !strings.Contains(errOut, "deleted 1") {
		t.Fatalf("delete import: %v\n%s", err, errOut)
	}
	out, _, _ = run(t, "search", "--json", "--open", "any", "photosynthesis")
	res = catalog.SearchResult{}
	json.Unmarshal([]byte(out), &res)
	if res.Total != 2 {
		t.Fatalf("after deletion total = %d, want 2", res.Total)
	}
}

func TestSearchRejectsBadParameters(t *testing.T) {
	t.Setenv("ORCHARD_DATA_DIR", isolate(t))
	_, _, err := run(t, "search", "--sort", "sideways", "x")
	if err == nil || !strings.Contains(err.Error(), "sort") {
		t.Fatalf("bad sort accepted: %v", err)
	}
	_, _, err = run(t, "search", strings.Repeat("x", catalog.MaxQueryBytes+1))
	if err == nil || !strings.Contains(err.Error(), "parameter q") || strings.Contains(err.Error(), "xxxx") {
		t.Fatalf("over-long query: %v", err)
	}
}

func countLines(t *testing.T, path string) int {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	n := 0
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		if strings.TrimSpace(sc.Text()) != "" {
			n++
		}
	}
	return n
}

func TestImportSkipsOverlongLine(t *testing.T) {
	t.Setenv("ORCHARD_DATA_DIR", isolate(t))
	huge := `{"id":"t_2","source":"test","title":"` + strings.Repeat("x", 20<<20) + `"}`
	file := writeJSONL(t,
		rec("t_1", "Photosynthesis for beginners", "CC-BY-4.0", "CC-BY", true, true, "en"),
		huge,
		rec("t_3", "Photosynthesis worksheet", "CC-BY-4.0", "CC-BY", true, true, "en"),
	)
	_, errOut, err := run(t, "import", file)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(errOut, "records.jsonl:2: line longer than 16 MiB, skipped") || !strings.Contains(errOut, "imported 2 records") {
		t.Fatalf("import of a file with a 20 MiB line:\n%s", errOut)
	}
}

// TestImportInBatches imports a file of several batches with bad lines among them into each
// backend, with a window smaller than the number of batches, and checks that every good record
// arrived and every bad line was named.
func TestImportInBatches(t *testing.T) {
	for _, tc := range []struct {
		name string
		use  func(t *testing.T)
	}{
		{"embedded", func(t *testing.T) { t.Setenv("ORCHARD_DATA_DIR", isolate(t)) }},
		{"meilisearch", func(t *testing.T) { useMeilisearch(t, "import") }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tc.use(t)
			var lines []string
			want := map[string]bool{}
			var badLines []int
			for i := 1; i <= 1200; i++ {
				switch {
				case i%250 == 0:
					lines = append(lines, fmt.Sprintf(`{"id":"t_%d","source":"test"}`, i)) // no title
					badLines = append(badLines, i)
				case i%333 == 0:
					lines = append(lines, `{"id":`)
					badLines = append(badLines, i)
				default:
					id := fmt.Sprintf("t_%d", i)
					lines = append(lines, rec(id, "Record "+id, "CC-BY-4.0", "CC-BY", true, true, "en"))
					want[id] = true
				}
			}
			file := writeJSONL(t, lines...)
			_, errOut, err := run(t, "import", "--batch", "100", "--in-flight", "3", file)
			if err != nil {
				t.Fatalf("import: %v\n%s", err, errOut)
			}
			for _, l := range badLines {
				if !strings.Contains(errOut, fmt.Sprintf("records.jsonl:%d: ", l)) {
					t.Errorf("bad line %d not reported:\n%s", l, errOut)
				}
			}
			summary := fmt.Sprintf("imported %d records, deleted 0, %d bad lines skipped", len(want), len(badLines))
			if !strings.Contains(errOut, summary) {
				t.Errorf("summary: want %q in\n%s", summary, errOut)
			}
			out := filepath.Join(t.TempDir(), "out.jsonl")
			if _, errOut, err := run(t, "export", "-o", out); err != nil {
				t.Fatalf("export: %v\n%s", err, errOut)
			}
			f, err := os.Open(out)
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			got := map[string]bool{}
			err = catalog.ReadLines(f, func(line int, r catalog.Record, err error) error {
				if err != nil {
					return err
				}
				got[r.ID] = true
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			if !maps.Equal(got, want) {
				t.Errorf("exported %d records, want the %d good ones", len(got), len(want))
			}
		})
	}
}
