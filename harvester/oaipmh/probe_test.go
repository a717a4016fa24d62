package oaipmh

import (
	"bytes"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/orchard-oer/orchard/harvester"
)

// A probe of a repository that stops answering answers in time, with what it found and what
// had no answer; credentials in the URL show nowhere.
func TestProbeHangingRepository(t *testing.T) {
	identify := `<Identify><repositoryName>Slow</repositoryName><baseURL>http://x/</baseURL><protocolVersion>2.0</protocolVersion>` +
		`<adminEmail>a@x</adminEmail><earliestDatestamp>2024-01-01</earliestDatestamp><deletedRecord>no</deletedRecord><granularity>YYYY-MM-DD</granularity></Identify>`
	for _, tt := range []struct {
		name     string
		answer   bool // Identify is answered
		timedOut []string
	}{
		{"after Identify", true, []string{"ListMetadataFormats", "ListSets", "ListRecords"}},
		{"from the start", false, nil},
	} {
		t.Run(tt.name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if tt.answer && r.URL.Query().Get("verb") == "Identify" {
					writeOAI(w, identify)
					return
				}
				<-r.Context().Done()
			}))
			defer srv.Close()
			var logs bytes.Buffer
			cfg := testHarvester(Config{ProbeTimeout: time.Second}).cfg
			h := New(cfg, slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug})))
			url := strings.Replace(srv.URL, "http://", "http://probe:s3cret-pw@", 1) + "/oai"
			start := time.Now()
			r, err := h.Probe(t.Context(), url)
			if took := time.Since(start); took > 3*time.Second {
				t.Errorf("answered after %s", took)
			}
			var text bytes.Buffer
			if !tt.answer {
				if err == nil || !strings.Contains(err.Error(), "Identify: no answer within 1s") || !errors.Is(err, harvester.ErrNoAnswer) || harvester.KindOf(err) != harvester.KindTransient {
					t.Fatalf("err = %v", err)
				}
				text.WriteString(err.Error())
			} else {
				if err != nil {
					t.Fatal(err)
				}
				if !slices.Equal(r.TimedOut, tt.timedOut) || r.Identify.RepositoryName != "Slow" {
					t.Errorf("timed out %q, identify %+v", r.TimedOut, r.Identify)
				}
				if err := r.WriteText(&text); err != nil {
					t.Fatal(err)
				}
				if !strings.Contains(text.String(), "No answer in time: ListMetadataFormats, ListSets, ListRecords") {
					t.Errorf("report does not say what timed out:\n%s", text.String())
				}
			}
			if s := text.String() + logs.String(); strings.Contains(s, "s3cret-pw") || strings.Contains(s, "probe:") {
				t.Errorf("userinfo shown:\n%s", s)
			}
		})
	}
}

// A harvest of a URL with credentials sends them, and shows them in no log line and no error.
func TestHarvestHidesUserinfo(t *testing.T) {
	f := &fakeRepo{n: 3, pageSize: 1, fault: func(w http.ResponseWriter, q listQuery) bool {
		if q.page < 3 {
			return false
		}
		w.WriteHeader(http.StatusForbidden)
		return true
	}}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if _, pw, ok := r.BasicAuth(); !ok || pw != "s3cret-pw" {
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		f.ServeHTTP(w, r)
	}))
	defer srv.Close()
	var logs bytes.Buffer
	cfg := testHarvester(Config{Window: -1}).cfg
	h := New(cfg, slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug})))
	c := &collected{}
	src := harvester.Source{URL: strings.Replace(srv.URL, "http://", "http://harvest:s3cret-pw@", 1) + "/oai"}
	err := h.Harvest(t.Context(), src, nil, false, c.emit)
	if err == nil || len(c.records) != 2 {
		t.Fatalf("err = %v after %d records, want a 403 after 2", err, len(c.records))
	}
	if s := err.Error() + logs.String(); strings.Contains(s, "s3cret-pw") || strings.Contains(s, "harvest:") || !strings.Contains(s, "xxxxx@") {
		t.Errorf("userinfo shown, or the URL not at all:\n%s", s)
	}
}
