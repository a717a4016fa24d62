package formats

import (
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/orchard-oer/orchard/harvester"
	"github.com/orchard-oer/orchard/internal/testenv"
)

// mappedRecord is what the envelope walker found for one <record>.
type mappedRecord struct {
	id      string
	deleted bool
	rec     harvester.Record
	hasMeta bool
}

// walkRecords finds every <record> of an OAI-PMH response or a bare record file, reads its
// header identifier and maps the first element under <metadata> with Map. It is a minimal
// envelope reader for the tests; the protocol client has its own.
func walkRecords(r io.Reader) ([]mappedRecord, error) {
	d := xml.NewDecoder(r)
	var out []mappedRecord
	var cur *mappedRecord
	var inHeader, inMeta, root bool
	for {
		tok, err := d.Token()
		if err == io.EOF && !root {
			return out, errors.New("no root element")
		}
		if err == io.EOF {
			return out, nil
		}
		if err != nil {
			return out, err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			if err := checkNames(t); err != nil {
				return out, err
			}
			root = true
			switch {
			case inMeta:
				cur.hasMeta = true
				if err := Map(d, t, &cur.rec); err != nil {
					return out, fmt.Errorf("record %s: %w", cur.id, err)
				}
			case t.Name.Local == "record" && cur == nil:
				out = append(out, mappedRecord{})
				cur = &out[len(out)-1]
			case cur != nil && t.Name.Local == "header":
				inHeader = true
				cur.deleted = attr(t, "status") == "deleted"
			case inHeader && t.Name.Local == "identifier":
				var id string
				if err := d.DecodeElement(&id, &t); err != nil {
					return out, err
				}
				cur.id = strings.TrimSpace(id)
			case cur != nil && t.Name.Local == "metadata":
				inMeta = true
			}
		case xml.EndElement:
			switch {
			case inMeta && t.Name.Local == "metadata":
				inMeta = false
			case inHeader && t.Name.Local == "header":
				inHeader = false
			case cur != nil && !inMeta && t.Name.Local == "record":
				cur = nil
			}
		}
	}
}

// attrNotes reads the attributes EXPECTED.tsv lists in its notes ("type=use and reproduction
// xlink:href=http://…"); values may hold spaces, names may not.
var attrNote = regexp.MustCompile(`(?:^|\s)([A-Za-z][\w:.-]*)=`)

func attrNotes(notes string) map[string]string {
	m := map[string]string{}
	idx := attrNote.FindAllStringSubmatchIndex(notes, -1)
	for i, loc := range idx {
		end := len(notes)
		if i+1 < len(idx) {
			end = idx[i+1][0]
		}
		m[notes[loc[2]:loc[3]]] = strings.TrimSpace(notes[loc[1]:end])
	}
	return m
}

// uriNotes are the attributes whose URI Map must keep as a statement of its own.
var uriNotes = []string{"xlink:href", "rightsURI", "rdf:resource"}

// TestCorpus maps every record of every OAI-PMH response in the corpus and checks the rights
// statements against EXPECTED.tsv:
//   - every non-empty license_raw value of a record is the Value of one of its Rights, exactly
//     as written (surrounding whitespace and all);
//   - every URI attribute named in the notes (xlink:href, rightsURI, rdf:resource) is the
//     Value of one of its Rights;
//   - a record whose row says (none) has no Rights of resource scope.
//
// Empty license_raw values (<Description/> in FROAC LOM, <rights rightsURI="…"/> in TIB's
// DataCite) are not statements: Map keeps no blank Rights, so those rows are checked through
// their URI attributes only.
func TestCorpus(t *testing.T) {
	dir := testenv.Corpus(t)
	rows := testenv.Expected(t, "oai/")
	type key struct{ path, id string }
	rights := map[key][]testenv.Row{}
	wellformed := map[string]string{}
	for _, r := range rows {
		switch {
		case r.Item == "FILE" && r.Field == "wellformed":
			wellformed[r.Path] = r.Value
		case r.Field == "license_raw" || strings.HasPrefix(r.Field, "license_raw:"):
			k := key{r.Path, r.Item}
			rights[k] = append(rights[k], r)
		}
	}

	var files []string
	err := filepath.WalkDir(filepath.Join(dir, "oai"), func(p string, e os.DirEntry, err error) error {
		if err == nil && !e.IsDir() {
			files = append(files, p)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	seen := map[key]bool{}
	var nFiles, nRecords, nMapped, nRights, nChecked int
	formatsSeen := map[string]int{}
	for _, p := range files {
		rel, _ := filepath.Rel(dir, p)
		rel = filepath.ToSlash(rel)
		t.Run(rel, func(t *testing.T) {
			f, err := os.Open(p)
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			recs, err := walkRecords(f)
			switch wellformed[rel] {
			case "no":
				if err == nil {
					t.Errorf("EXPECTED says not well-formed, but reading and mapping gave no error")
				}
				return
			case "yes":
				if err != nil {
					t.Fatalf("well-formed file: %v", err)
				}
			default:
				if err != nil {
					// Not in EXPECTED: a clear error is all that is asked.
					t.Logf("not mapped: %v", err)
					return
				}
			}
			nFiles++
			for _, m := range recs {
				nRecords++
				if !m.hasMeta {
					continue
				}
				nMapped++
				formatsSeen[m.rec.Format]++
				nRights += len(m.rec.Rights)
				k := key{rel, m.id}
				seen[k] = true
				for _, want := range rights[k] {
					nChecked++
					checkRights(t, m, want)
				}
			}
		})
	}
	for k := range rights {
		if !seen[k] {
			t.Errorf("%s: record %s of EXPECTED.tsv not found or not mapped", k.path, k.id)
		}
	}
	t.Logf("%d files, %d records, %d with metadata mapped (%v), %d rights statements, %d EXPECTED rows checked",
		nFiles, nRecords, nMapped, formatsSeen, nRights, nChecked)
}

func checkRights(t *testing.T, m mappedRecord, want testenv.Row) {
	t.Helper()
	if want.Value == "(none)" {
		for _, r := range m.rec.Rights {
			if r.Scope == harvester.ScopeResource {
				t.Errorf("%s: EXPECTED has no rights element, Map found %+v", m.id, r)
			}
		}
		return
	}
	if !blank(want.Value) && !hasRights(m.rec, want.Value) {
		t.Errorf("%s: %s %q not among Rights %+v", m.id, want.Field, want.Value, m.rec.Rights)
	}
	notes := attrNotes(want.Notes)
	for _, a := range uriNotes {
		if v := notes[a]; v != "" && !hasRights(m.rec, v) {
			t.Errorf("%s: %s@%s %q not among Rights %+v", m.id, want.Field, a, v, m.rec.Rights)
		}
	}
}

func hasRights(rec harvester.Record, v string) bool {
	for _, r := range rec.Rights {
		if r.Value == v {
			return true
		}
	}
	return false
}

// TestBareRecordErrors pins the error for the bare DPLA records that are not namespace
// well-formed on their own.
func TestBareRecordErrors(t *testing.T) {
	dir := testenv.Corpus(t)
	for _, p := range []string{"oai/jewish-heritage-network/record_edm_rdf.xml", "oai/south-carolina-digital-library/record_qdc.xml"} {
		f, err := os.Open(filepath.Join(dir, p))
		if err != nil {
			t.Fatal(err)
		}
		_, err = walkRecords(f)
		f.Close()
		if !errors.Is(err, errUnboundPrefix) {
			t.Errorf("%s: error %v, want an unbound prefix error", p, err)
		}
	}
}
