package oaipmh

import (
	"bufio"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/orchard-oer/orchard/internal/testenv"
)

// expectedRow is one line of the corpus's EXPECTED.tsv.
type expectedRow struct{ item, field, value, notes string }

func readExpected(t *testing.T, dir string) map[string][]expectedRow {
	t.Helper()
	f, err := os.Open(filepath.Join(dir, "EXPECTED.tsv"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	unescape := strings.NewReplacer(`\t`, "\t", `\n`, "\n", `\\`, `\`)
	rows := map[string][]expectedRow{}
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		cols := strings.Split(sc.Text(), "\t")
		if len(cols) < 4 || !strings.HasPrefix(cols[0], "oai/") {
			continue
		}
		notes := ""
		if len(cols) > 4 {
			notes = unescape.Replace(cols[4])
		}
		rows[cols[0]] = append(rows[cols[0]], expectedRow{cols[1], cols[2], unescape.Replace(cols[3]), notes})
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return rows
}

// TestCorpus decodes every recorded OAI-PMH response and compares what the envelope holds
// with EXPECTED.tsv: record, header and deletion counts, the resumption token and its
// attributes, protocol errors, and that every record the table names was read.
func TestCorpus(t *testing.T) {
	dir := testenv.Corpus(t)
	expected := readExpected(t, dir)
	files, err := filepath.Glob(filepath.Join(dir, "oai", "*", "*"))
	if err != nil || len(files) < 100 {
		t.Fatalf("corpus files: %d, %v", len(files), err)
	}
	checked := 0
	for _, file := range files {
		rel, _ := filepath.Rel(dir, file)
		rel = filepath.ToSlash(rel)
		t.Run(rel, func(t *testing.T) {
			body, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			resp, err := Decode(body, "x") // must not crash or hang, whatever the file
			rows := expected[rel]
			if len(rows) == 0 {
				return
			}
			checked++
			fileRows := map[string]expectedRow{}
			for _, r := range rows {
				if r.item == "FILE" {
					fileRows[r.field] = r
				}
			}
			if fileRows["wellformed"].value == "no" || fileRows["root_element"].value != "OAI-PMH" {
				if err == nil {
					t.Fatalf("decoded a file that is not a well-formed OAI-PMH response")
				}
				return
			}
			if err != nil {
				t.Fatalf("decode: %v", err)
			}
			deleted := 0
			for _, r := range resp.Records {
				if r.Deleted {
					deleted++
				}
			}
			for _, h := range resp.Headers {
				if h.Deleted {
					deleted++
				}
			}
			// Records the table names "(missing identifier)" cannot be emitted, even as
			// deletions: they must be quarantined.
			for _, r := range rows {
				if strings.HasPrefix(r.item, "(") && r.field == "status" && r.value == "deleted" {
					deleted++
				}
			}
			count := map[string]int{
				"records": len(resp.Records) + len(resp.Quarantined),
				"headers": len(resp.Headers),
				"deleted": deleted,
			}
			for field, got := range count {
				if r, ok := fileRows[field]; ok && strconv.Itoa(got) != r.value {
					t.Errorf("%s = %d, want %s", field, got, r.value)
				}
			}
			if r, ok := fileRows["request_verb"]; ok && resp.Verb != "" && resp.Verb != r.value {
				t.Errorf("verb %s, want %s", resp.Verb, r.value)
			}
			if r, ok := fileRows["error"]; ok {
				if len(resp.Errors) == 0 || resp.Errors[0].Code != r.value ||
					strings.Join(strings.Fields(resp.Errors[0].Message), " ") != strings.Join(strings.Fields(r.notes), " ") {
					t.Errorf("errors %v, want %s %q", resp.Errors, r.value, r.notes)
				}
			} else if len(resp.Errors) > 0 {
				t.Errorf("unexpected errors %v", resp.Errors)
			}
			if r, ok := fileRows["resumptionToken"]; ok {
				checkToken(t, resp.Token, r)
			}
			byID := map[string]bool{}
			for _, rec := range resp.Records {
				byID[rec.OriginID] = rec.Deleted
			}
			for _, r := range rows {
				if r.item == "FILE" {
					continue
				}
				if strings.HasPrefix(r.item, "(") {
					if len(resp.Quarantined) == 0 {
						t.Errorf("record %s not quarantined", r.item)
					}
					continue
				}
				del, ok := byID[r.item]
				if !ok {
					t.Errorf("record %s not decoded", r.item)
				} else if r.field == "status" && r.value == "deleted" && !del {
					t.Errorf("record %s not marked deleted", r.item)
				}
			}
		})
	}
	if checked < 90 {
		t.Errorf("only %d files had expectations", checked)
	}
}

func checkToken(t *testing.T, tok *Token, r expectedRow) {
	t.Helper()
	if r.value == "(no element)" {
		if tok != nil {
			t.Errorf("token %v, want none", tok)
		}
		return
	}
	if tok == nil {
		t.Fatalf("no token, want %q", r.value)
	}
	if tok.Value != r.value {
		t.Errorf("token %q, want %q", tok.Value, r.value)
	}
	for _, kv := range strings.Fields(r.notes) {
		k, v, _ := strings.Cut(kv, "=")
		switch k {
		case "completeListSize":
			if strconv.Itoa(tok.CompleteListSize) != v {
				t.Errorf("completeListSize %d, want %s", tok.CompleteListSize, v)
			}
		case "cursor":
			if strconv.Itoa(tok.Cursor) != v {
				t.Errorf("cursor %d, want %s", tok.Cursor, v)
			}
		case "expirationDate":
			want, err := time.Parse(time.RFC3339, v)
			if err != nil || !tok.Expires.Equal(want) {
				t.Errorf("expirationDate %v, want %s", tok.Expires, v)
			}
		}
	}
}
