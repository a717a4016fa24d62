package main

import (
	"bufio"
	"encoding/json"

	"os"
	"path/filepath"
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
	r := catalog.Record{ID: id, Source: "test", OriginID: "oai:" + id, Title: title, Languages: langs,
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
	for _, args := range [][]string{{"--lang", "Klingon"}, {"--license", "CC BY 9.0"}, {"--openness", "open"}} {
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
