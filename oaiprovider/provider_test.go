package oaiprovider_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/orchard-oer/orchard/catalog"
	"github.com/orchard-oer/orchard/catalog/catalogtest"
	"github.com/orchard-oer/orchard/catalog/embedded"
	"github.com/orchard-oer/orchard/internal/testenv"
	"github.com/orchard-oer/orchard/oaiprovider"
)

// graveyard is an in-process catalog.Tombstones.
type graveyard []catalog.Tombstone

func (g *graveyard) Tombstones(context.Context) ([]catalog.Tombstone, error) { return *g, nil }

// generated adds n dated records to the fixtures so that lists need several pages.
func generated(n int) []catalog.Record {
	recs := catalogtest.Fixtures()
	for i := range n {
		recs = append(recs, catalog.Record{
			ID: fmt.Sprintf("gen-%04d", i), Source: "delta", OriginID: fmt.Sprintf("oai:delta:%d", i),
			Datestamp: fmt.Sprintf("2025-%02d-%02dT10:00:00Z", 1+i%12, 1+i%28), URL: fmt.Sprintf("https://delta.example/%d", i),
			Title: fmt.Sprintf("Generated resource %d", i), Description: "A <test> & resource", Creators: []string{"Grace Hopper"},
			Languages: []string{"en"}, ResourceTypes: []string{"text"},
			License: catalog.License{ID: "CC-BY-4.0", Family: "CC-BY", URL: "https://creativecommons.org/licenses/by/4.0/",
				Label: "CC BY 4.0", Open: true, Commercial: true, Derivatives: true},
		})
	}
	return recs
}

type repo struct {
	srv    *httptest.Server
	index  catalog.Index
	graves *graveyard
	prov   *oaiprovider.Provider
}

func newRepo(t testing.TB, n int) *repo {
	t.Helper()
	ix, err := embedded.Open(embedded.Config{Dir: t.TempDir()}, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = ix.Close() })
	if err := ix.Upsert(context.Background(), generated(n)); err != nil {
		t.Fatal(err)
	}
	r := &repo{index: ix, graves: &graveyard{{ID: "gone-1", Source: "alpha", Family: "CC-BY", Open: true, Deleted: "2024-05-01T00:00:00Z"}}}
	mux := http.NewServeMux()
	r.srv = httptest.NewServer(mux)
	t.Cleanup(r.srv.Close)
	r.prov, err = oaiprovider.New(oaiprovider.Config{BaseURL: r.srv.URL + "/oai", AdminEmails: []string{"oai@example.org"},
		Key: []byte("0123456789abcdef0123"), PageSize: 100}, ix, r.graves, nil)
	if err != nil {
		t.Fatal(err)
	}
	mux.HandleFunc("/oai", func(w http.ResponseWriter, req *http.Request) {
		_ = req.ParseForm()
		b, err := r.prov.Respond(req.Context(), req.Form)
		if err != nil {
			http.Error(w, err.Error(), http.StatusServiceUnavailable)
			return
		}
		w.Header().Set("Content-Type", "text/xml; charset=utf-8")
		_, _ = w.Write(b)
	})
	return r
}

func (r *repo) get(t testing.TB, query string) []byte {
	t.Helper()
	resp, err := http.Get(r.srv.URL + "/oai?" + query)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var b bytes.Buffer
	_, _ = b.ReadFrom(resp.Body)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("%s: HTTP %d %s", query, resp.StatusCode, b.String())
	}
	return b.Bytes()
}

var (
	errorCode = regexp.MustCompile(`<error code="([a-zA-Z]+)"`)
	tokenRe   = regexp.MustCompile(`<resumptionToken[^>]*>([^<]+)</resumptionToken>`)
)

// validate checks doc against the official schemas with xmllint.
func validate(t *testing.T, name string, doc []byte) {
	t.Helper()
	xmllint := testenv.Program(t, "xmllint", "apt-get install libxml2-utils xmltooling-schemas")
	schemas := filepath.Join(testenv.ModuleRoot(), "..", "shared", "schemas")
	if _, err := os.Stat(filepath.Join(schemas, "oai-pmh-oai_dc.xsd")); err != nil {
		testenv.Missing(t, "OAI-PMH schemas", "no "+schemas)
	}
	f := filepath.Join(t.TempDir(), "resp.xml")
	if err := os.WriteFile(f, doc, 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(xmllint, "--nonet", "--noout", "--schema", filepath.Join(schemas, "oai-pmh-oai_dc.xsd"), f)
	cmd.Env = append(os.Environ(), "XML_CATALOG_FILES="+filepath.Join(schemas, "catalog.xml"))
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Errorf("%s does not validate: %v\n%s\n%s", name, err, out, doc[:min(len(doc), 3000)])
	}
}

func TestEveryResponseValidates(t *testing.T) {
	r := newRepo(t, 150)
	first := r.get(t, "verb=ListRecords&metadataPrefix=oai_dc")
	tok := tokenRe.FindSubmatch(first)
	if tok == nil {
		t.Fatalf("no resumption token on the first page of 159 records:\n%s", first)
	}
	token := string(tok[1])
	tampered := []byte(token)
	tampered[3] ^= 1
	for _, tc := range []struct{ query, code string }{
		{"verb=Identify", ""},
		{"verb=ListMetadataFormats", ""},
		{"verb=ListMetadataFormats&identifier=oai:orchard:en-photo", ""},
		{"verb=ListSets", ""},
		{"verb=GetRecord&identifier=oai:orchard:en-photo&metadataPrefix=oai_dc", ""},
		{"verb=GetRecord&identifier=oai:orchard:gone-1&metadataPrefix=oai_dc", ""},
		{"verb=GetRecord&identifier=oai:orchard:en-hidden&metadataPrefix=oai_dc", ""},
		{"verb=ListIdentifiers&metadataPrefix=oai_dc", ""},
		{"verb=ListIdentifiers&metadataPrefix=oai_dc&set=source:alpha", ""},
		{"verb=ListRecords&metadataPrefix=oai_dc&set=license:CC-BY-SA", ""},
		{"verb=ListRecords&metadataPrefix=oai_dc&set=open&from=2023-01-01&until=2024-01-02", ""},
		{"verb=ListRecords&metadataPrefix=oai_dc&from=2024-01-02T00:00:01Z&until=2024-12-31T23:59:59Z", ""},
		{"verb=ListRecords&resumptionToken=" + url.QueryEscape(token), ""},
		{"verb=Nope", "badVerb"},
		{"", "badVerb"},
		{"verb=Identify&verb=Identify", "badVerb"},
		{"verb=Identify&set=x", "badArgument"},
		{"verb=ListRecords", "badArgument"},
		{"verb=ListRecords&metadataPrefix=oai_dc&metadataPrefix=lom", "badArgument"},
		{"verb=ListRecords&metadataPrefix=oai_dc&from=2024-01-01T00:00:00", "badArgument"},
		{"verb=ListRecords&metadataPrefix=oai_dc&from=2024-01-01&until=2024-02-01T00:00:00Z", "badArgument"},
		{"verb=ListRecords&metadataPrefix=oai_dc&from=2025-01-01&until=2024-01-01", "badArgument"},
		{"verb=ListRecords&metadataPrefix=oai_dc&set=nosuch", "badArgument"},
		{"verb=ListRecords&resumptionToken=abc&metadataPrefix=oai_dc", "badArgument"},
		{"verb=ListRecords&resumptionToken=" + url.QueryEscape(string(tampered)), "badResumptionToken"},
		{"verb=ListRecords&resumptionToken=" + url.QueryEscape(token[:len(token)/2]), "badResumptionToken"},
		{"verb=ListIdentifiers&resumptionToken=" + url.QueryEscape(token), "badResumptionToken"},
		{"verb=ListSets&resumptionToken=x", "badResumptionToken"},
		{"verb=ListRecords&metadataPrefix=marc", "cannotDisseminateFormat"},
		{"verb=GetRecord&identifier=oai:orchard:en-photo&metadataPrefix=marc", "cannotDisseminateFormat"},
		{"verb=GetRecord&identifier=oai:orchard:nope&metadataPrefix=oai_dc", "idDoesNotExist"},
		{"verb=ListMetadataFormats&identifier=oai:elsewhere:1", "idDoesNotExist"},
		{"verb=ListRecords&metadataPrefix=oai_dc&from=2030-01-01", "noRecordsMatch"},
		{"verb=ListRecords&metadataPrefix=oai_dc&set=source:nosuch", "noRecordsMatch"},
	} {
		doc := r.get(t, tc.query)
		code := ""
		if m := errorCode.FindSubmatch(doc); m != nil {
			code = string(m[1])
		}
		if code != tc.code {
			t.Errorf("%s: error %q, want %q\n%s", tc.query, code, tc.code, doc[:min(len(doc), 1500)])
		}
		validate(t, tc.query, doc)
	}
}

func TestHiddenNeverServedAndCuratedLicenseServed(t *testing.T) {
	r := newRepo(t, 0)
	doc := string(r.get(t, "verb=GetRecord&identifier=oai:orchard:en-hidden&metadataPrefix=oai_dc"))
	if !strings.Contains(doc, `status="deleted"`) || strings.Contains(doc, "<metadata>") {
		t.Errorf("hidden record served:\n%s", doc)
	}
	doc = string(r.get(t, "verb=GetRecord&identifier=oai:orchard:de-zelle&metadataPrefix=lom"))
	for _, want := range []string{"https://example.org/licenses/CC-BY-SA-4.0", "decided by a librarian: CC-BY-SA-4.0", "checked the PDF", "<rights>"} {
		if !strings.Contains(doc, want) {
			t.Errorf("LOM of the overridden record lacks %q:\n%s", want, doc)
		}
	}
}

func TestCatmanduHarvestsEveryRecord(t *testing.T) {
	catmandu := testenv.Program(t, "catmandu", "apt-get install libcatmandu-oai-perl")
	r := newRepo(t, 450)
	out, err := exec.Command(catmandu, "convert", "OAI", "--url", r.srv.URL+"/oai", "--metadataPrefix", "oai_dc",
		"--handler", "raw", "to", "JSON", "--line_delimited", "1").Output()
	if ee, ok := err.(*exec.ExitError); ok {
		t.Logf("catmandu stderr: %s", ee.Stderr)
	}
	if err != nil {
		t.Fatalf("catmandu: %v", err)
	}
	seen := map[string]bool{}
	deleted := map[string]bool{}
	sc := bufio.NewScanner(bytes.NewReader(out))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var rec struct {
			ID     string `json:"_identifier"`
			Status string `json:"_status"`
			Meta   string `json:"_metadata"`
		}
		if err := json.Unmarshal(sc.Bytes(), &rec); err != nil {
			t.Fatal(err)
		}
		if seen[rec.ID] {
			t.Errorf("%s harvested twice", rec.ID)
		}
		seen[rec.ID] = true
		deleted[rec.ID] = rec.Status == "deleted"
	}
	// 459 indexed records (one hidden, served as deleted) and one tombstone.
	if len(seen) != 460 || !deleted["oai:orchard:en-hidden"] || !deleted["oai:orchard:gone-1"] || deleted["oai:orchard:en-photo"] {
		t.Errorf("catmandu harvested %d identifiers, want 460 with en-hidden and gone-1 deleted", len(seen))
	}
}

// A harvester paging through a list while Orchard writes records sees each at most once: a
// record written again moves to the end of the catalog's order, beyond the list's end.
func TestListSeesEachRecordOnceWhileTheCatalogChanges(t *testing.T) {
	r := newRepo(t, 20)
	p, err := oaiprovider.New(oaiprovider.Config{BaseURL: "http://orchard.test/oai", AdminEmails: []string{"oai@example.org"},
		Key: []byte("0123456789abcdef0123"), PageSize: 5}, r.index, r.graves, nil)
	if err != nil {
		t.Fatal(err)
	}
	identifiers := regexp.MustCompile(`<identifier>([^<]+)</identifier>`)
	args := url.Values{"verb": {"ListIdentifiers"}, "metadataPrefix": {"oai_dc"}}
	seen := map[string]int{}
	for page := 0; ; page++ {
		body, err := p.Respond(t.Context(), args)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range identifiers.FindAllSubmatch(body, -1) {
			seen[string(m[1])]++
		}
		if page == 0 {
			// Write the first record of the list again, and a new one.
			rec, err := r.index.Get(t.Context(), "en-history")
			if err != nil {
				t.Fatal(err)
			}
			rec.Indexed = catalog.Stamp(time.Now())
			fresh := catalog.Record{ID: "fresh", Source: "delta", Title: "Fresh", Indexed: rec.Indexed}
			if err := r.index.Upsert(t.Context(), []catalog.Record{rec, fresh}); err != nil {
				t.Fatal(err)
			}
		}
		m := tokenRe.FindSubmatch(body)
		if m == nil {
			break
		}
		args = url.Values{"verb": {"ListIdentifiers"}, "resumptionToken": {string(m[1])}}
	}
	for id, n := range seen {
		if n > 1 {
			t.Errorf("%s listed %d times", id, n)
		}
	}
	if seen["oai:orchard:en-history"] != 1 || seen["oai:orchard:fresh"] != 0 || len(seen) != 30 {
		t.Errorf("listed %d identifiers (en-history %d, fresh %d), want the 30 there were when the list began",
			len(seen), seen["oai:orchard:en-history"], seen["oai:orchard:fresh"])
	}
}
