package web

import (
	"context"
	"encoding/json"
	"io"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/orchard-oer/orchard/catalog"
	"github.com/orchard-oer/orchard/catalog/embedded"
	"github.com/orchard-oer/orchard/harvester"
	"github.com/orchard-oer/orchard/harvester/fetch"
	"github.com/orchard-oer/orchard/harvester/oaipmh"
	"github.com/orchard-oer/orchard/normalizer"
	"github.com/orchard-oer/orchard/oaiprovider"
	"github.com/orchard-oer/orchard/workers"
)

// withOAI serves the harness's catalog at /oai, with the workers' tombstones.
func withOAI(t *testing.T) harnessOpt {
	return func(_ *Config, d *Deps) {
		p, err := oaiprovider.New(oaiprovider.Config{
			BaseURL: "http://orchard.test/oai", AdminEmails: []string{"oer@library.example.org"},
			Key: []byte("0123456789abcdef0123456789abcdef"), PageSize: 3,
		}, d.Index, d.Workers.(*workers.System), nil)
		if err != nil {
			t.Fatal(err)
		}
		d.OAI = p
	}
}

// selfHarvest runs Orchard's own OAI-PMH harvester against the server, from checkpoint cp.
func selfHarvest(t *testing.T, h *harness, cp json.RawMessage) ([]harvester.Record, json.RawMessage) {
	t.Helper()
	hv := oaipmh.New(oaipmh.Config{Fetch: fetch.Config{AllowPrivate: true}, Overlap: -1}, nil)
	src := harvester.Source{Name: "self", Type: harvester.TypeOAIPMH, URL: h.ts.URL + "/oai", Pace: -1}
	var (
		recs []harvester.Record
		last json.RawMessage
	)
	err := hv.Harvest(t.Context(), src, cp, false, func(_ context.Context, p harvester.Page) error {
		recs = append(recs, p.Records...)
		last = p.Checkpoint
		return nil
	})
	if err != nil {
		t.Fatalf("harvest /oai: %v", err)
	}
	return recs, last
}

func TestOrchardHarvestsItself(t *testing.T) {
	h := newHarness(t, withOAI(t))
	ctx := t.Context()
	recs, cp := selfHarvest(t, h, nil)

	// Every dated record comes back once, hidden ones as deleted, each with the license the
	// catalog holds.
	want := map[string]catalog.Record{}
	err := h.index.Each(ctx, catalog.Filter{WithHidden: true}, func(r catalog.Record) error {
		if r.ListDate() != "" {
			want["oai:orchard:"+r.ID] = r
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, r := range recs {
		c, ok := want[r.OriginID]
		switch {
		case !ok || seen[r.OriginID]:
			t.Errorf("harvested %s: unknown or twice", r.OriginID)
			continue
		case r.Deleted != c.Hidden:
			t.Errorf("%s: deleted %v, hidden %v in the catalog", r.OriginID, r.Deleted, c.Hidden)
		case !r.Deleted:
			got, err := normalizer.Record("self", r)
			if err != nil {
				t.Errorf("%s: normalize: %v", r.OriginID, err)
			} else if got.License.ID != c.License.ID || len(r.Titles) == 0 || r.Titles[0] != c.Title {
				t.Errorf("%s: harvested license %q titles %q, catalog has %q %q", r.OriginID, got.License.ID, r.Titles, c.License.ID, c.Title)
			}
		}
		seen[r.OriginID] = true
	}
	for id := range want {
		if !seen[id] {
			t.Errorf("%s not harvested", id)
		}
	}

	// A record deleted after the harvest is a deletion to the next incremental harvest.
	sys := h.sys
	if err := sys.Bury(ctx, h.index, []string{"en-photo"}); err != nil {
		t.Fatal(err)
	}
	if err := h.index.Delete(ctx, []string{"en-photo"}); err != nil {
		t.Fatal(err)
	}
	// So is a record a librarian hid, though its datestamp at the source is years old.
	h.call(http.MethodPost, "/api/admin/records/en-history/hide", h.librarian, map[string]bool{"hidden": true}, http.StatusOK, nil)
	// A list ends at the second before it began: changes show from the next second on.
	time.Sleep(time.Until(time.Now().Truncate(time.Second).Add(time.Second)))
	recs, _ = selfHarvest(t, h, cp)
	got := map[string]bool{}
	for _, r := range recs {
		got[r.OriginID] = r.Deleted
	}
	if want := map[string]bool{"oai:orchard:en-photo": true, "oai:orchard:en-history": true}; !maps.Equal(got, want) {
		t.Errorf("incremental harvest after a delete and a hide: %v (origin id: deleted), want %v", got, want)
	}
}

func TestOAIOverHTTP(t *testing.T) {
	h := newHarness(t, withOAI(t))
	post := func(form string) (int, string, http.Header) {
		t.Helper()
		resp, err := http.Post(h.ts.URL+"/oai", "application/x-www-form-urlencoded", strings.NewReader(form))
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		if err != nil {
			t.Fatal(err)
		}
		return resp.StatusCode, string(b), resp.Header
	}
	get := func(query string) (int, string, http.Header) {
		t.Helper()
		code, b, hdr := h.do(http.MethodGet, "/oai?"+query, "", nil)
		return code, string(b), hdr
	}
	for _, tc := range []struct {
		name string
		send func(string) (int, string, http.Header)
		args string
		want string // in the body
	}{
		{"POST Identify", post, "verb=Identify", "<adminEmail>oer@library.example.org</adminEmail>"},
		{"POST ListRecords", post, "verb=ListRecords&metadataPrefix=oai_dc", "<resumptionToken completeListSize="},
		{"bad verb", get, "verb=Harvest", `<error code="badVerb">`},
		{"no verb", get, "", `<error code="badVerb">`},
		{"repeated argument", get, "verb=ListRecords&metadataPrefix=oai_dc&metadataPrefix=oai_dc", `<error code="badArgument">`},
		{"malformed query", get, "verb=Identify&%zz", `<error code="badArgument">`},
		{"malformed form", post, "verb=Identify&%zz", `<error code="badArgument">`},
		{"oversized form", post, "verb=Identify&x=" + strings.Repeat("a", maxOAIForm), `<error code="badArgument">`},
		{"forged token", get, "verb=ListRecords&resumptionToken=" + url.QueryEscape("eyJ2IjoiTGlzdFJlY29yZHMifQ.AAAA"), `<error code="badResumptionToken">`},
		{"truncated token", get, "verb=ListRecords&resumptionToken=eyJ2", `<error code="badResumptionToken">`},
		{"day and seconds mixed", get, "verb=ListIdentifiers&metadataPrefix=oai_dc&from=2024-01-01&until=2024-02-01T00:00:00Z", `<error code="badArgument">`},
		{"unknown set", get, "verb=ListIdentifiers&metadataPrefix=oai_dc&set=nope", `<error code="badArgument">`},
		{"unknown format", get, "verb=ListRecords&metadataPrefix=marc", `<error code="cannotDisseminateFormat">`},
		{"unknown record", get, "verb=GetRecord&metadataPrefix=oai_dc&identifier=oai:orchard:nope", `<error code="idDoesNotExist">`},
	} {
		code, body, hdr := tc.send(tc.args)
		if code != http.StatusOK || !strings.Contains(body, tc.want) || !strings.HasPrefix(hdr.Get("Content-Type"), "text/xml") {
			t.Errorf("%s: %d %s, want 200 with %s:\n%.400s", tc.name, code, hdr.Get("Content-Type"), tc.want, body)
		}
	}

	// A catalog that fails is a 503 to retry later, not a 500.
	closed, err := embedded.Open(embedded.Config{Dir: t.TempDir()}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := closed.Close(); err != nil {
		t.Fatal(err)
	}
	down := newHarness(t, func(c *Config, d *Deps) {
		d.Index = closed
		withOAI(t)(c, d)
	})
	code, body, hdr := down.do(http.MethodGet, "/oai?verb=ListRecords&metadataPrefix=oai_dc", "", nil)
	if code != http.StatusServiceUnavailable || hdr.Get("Retry-After") == "" {
		t.Errorf("with the catalog closed: %d, Retry-After %q: %s", code, hdr.Get("Retry-After"), body)
	}
}

func TestOAIRateLimit(t *testing.T) {
	slow := func(c *Config, _ *Deps) { c.SearchRate, c.SearchBurst = 0.01, 2 }
	h := newHarness(t, withOAI(t), slow)
	var codes []int
	var retry string
	for range 3 {
		code, _, hdr := h.do(http.MethodGet, "/oai?verb=Identify", "", nil)
		codes = append(codes, code)
		retry = hdr.Get("Retry-After")
	}
	if s, err := strconv.Atoi(retry); !slices.Equal(codes, []int{200, 200, 503}) || err != nil || s < 1 {
		t.Errorf("three quick requests, burst 2: %v, last Retry-After %q", codes, retry)
	}
	// Staff harvest without the limit.
	if code, _, _ := h.do(http.MethodGet, "/oai?verb=Identify", h.librarian, nil); code != http.StatusOK {
		t.Errorf("librarian after the limit: %d", code)
	}
}
