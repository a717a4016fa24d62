package oaipmh

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/orchard-oer/orchard/internal/testenv"
)

// expectedRow is one line of the corpus's EXPECTED.tsv.
type expectedRow = testenv.Row

// TestCorpus decodes every recorded OAI-PMH response and compares what the envelope holds
// with EXPECTED.tsv: record, header and deletion counts, the resumption token and its
// attributes, protocol errors, and that every record the table names was read.
func TestCorpus(t *testing.T) {
	dir := testenv.Corpus(t)
	expected := testenv.ExpectedByPath(t, "oai/")
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
				if r.Item == "FILE" {
					fileRows[r.Field] = r
				}
			}
			if fileRows["wellformed"].Value == "no" || fileRows["root_element"].Value != "OAI-PMH" {
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
				if strings.HasPrefix(r.Item, "(") && r.Field == "status" && r.Value == "deleted" {
					deleted++
				}
			}
			count := map[string]int{
				"records": len(resp.Records) + len(resp.Quarantined),
				"headers": len(resp.Headers),
				"deleted": deleted,
			}
			for field, got := range count {
				if r, ok := fileRows[field]; ok && strconv.Itoa(got) != r.Value {
					t.Errorf("%s = %d, want %s", field, got, r.Value)
				}
			}
			if r, ok := fileRows["request_verb"]; ok && resp.Verb != "" && resp.Verb != r.Value {
				t.Errorf("verb %s, want %s", resp.Verb, r.Value)
			}
			if r, ok := fileRows["error"]; ok {
				if len(resp.Errors) == 0 || resp.Errors[0].Code != r.Value ||
					strings.Join(strings.Fields(resp.Errors[0].Message), " ") != strings.Join(strings.Fields(r.Notes), " ") {
					t.Errorf("errors %v, want %s %q", resp.Errors, r.Value, r.Notes)
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
				if r.Item == "FILE" {
					continue
				}
				if strings.HasPrefix(r.Item, "(") {
					if len(resp.Quarantined) == 0 {
						t.Errorf("record %s not quarantined", r.Item)
					}
					continue
				}
				del, ok := byID[r.Item]
				if !ok {
					t.Errorf("record %s not decoded", r.Item)
				} else if r.Field == "status" && r.Value == "deleted" && !del {
					t.Errorf("record %s not marked deleted", r.Item)
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
	if r.Value == "(no element)" {
		if tok != nil {
			t.Errorf("token %v, want none", tok)
		}
		return
	}
	if tok == nil {
		t.Fatalf("no token, want %q", r.Value)
	}
	if tok.Value != r.Value {
		t.Errorf("token %q, want %q", tok.Value, r.Value)
	}
	for _, kv := range strings.Fields(r.Notes) {
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
