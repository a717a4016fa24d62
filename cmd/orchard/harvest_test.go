package main

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/orchard-oer/orchard/catalog"
	"github.com/orchard-oer/orchard/internal/oaiserver"
)

func TestHarvestOnceOAIPMH(t *testing.T) {
	isolate(t)
	srv := oaiserver.Start(t, []oaiserver.Record{
		{ID: "1", Datestamp: "2024-01-10T00:00:00Z", Title: []string{"Fractions with pizza"}, Creator: []string{"Rossi, Maria"},
			Language: []string{"eng"}, Type: []string{"Text"}, Identifier: []string{"https://oer.example/1"},
			Rights: []string{"https://creativecommons.org/licenses/by-sa/4.0/"}},
		{ID: "2", Datestamp: "2024-02-10T00:00:00Z", Title: []string{"Bruchrechnen"}, Language: []string{"ger"},
			Rights: []string{"CC BY-NC-ND 3.0 DE"}},
		{ID: "3", Datestamp: "2024-03-10T00:00:00Z", Title: []string{"No license here"}},
		{ID: "4", Datestamp: "2024-04-10T00:00:00Z", Deleted: true},
	}, oaiserver.Options{PageSize: 2})

	out, errOut, err := run(t, "harvest", "once", "--url", srv.URL, "--source", "demo", "--pace", "5ms")
	if err != nil {
		t.Fatalf("harvest once: %v\n%s", err, errOut)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 4 {
		t.Fatalf("want 4 JSON lines, got %d:\n%s", len(lines), out)
	}
	byOrigin := map[string]map[string]any{}
	for _, l := range lines {
		var m map[string]any
		if err := json.Unmarshal([]byte(l), &m); err != nil {
			t.Fatalf("line is not JSON: %q", l)
		}
		byOrigin[m["origin_id"].(string)] = m
	}
	one := byOrigin[srv.Identifier("1")]
	if one == nil || one["id"] != catalog.RecordID("demo", srv.Identifier("1")) || one["url"] != "https://oer.example/1" {
		t.Fatalf("record 1 = %v", one)
	}
	lic := one["license"].(map[string]any)
	if lic["id"] != "CC-BY-SA-4.0" || lic["share_alike"] != true || !strings.Contains(one["attribution"].(string), "https://creativecommons.org/licenses/by-sa/4.0/") {
		t.Fatalf("record 1 license = %v, attribution %v", lic, one["attribution"])
	}
	if l := byOrigin[srv.Identifier("2")]["license"].(map[string]any); l["id"] != "CC-BY-NC-ND-3.0-DE" || l["open"] != false {
		t.Fatalf("record 2 license = %v", l)
	}
	del := byOrigin[srv.Identifier("4")]
	if len(del) != 3 || del["deleted"] != true {
		t.Fatalf("deleted record line = %v, want only id, origin_id and deleted", del)
	}
	for _, want := range []string{"harvested 3 records, 1 deleted", "CC-BY-SA-4.0", "(unknown)"} {
		if !strings.Contains(errOut, want) {
			t.Errorf("summary lacks %q:\n%s", want, errOut)
		}
	}
}

func TestHarvestOnceErrors(t *testing.T) {
	isolate(t)
	notFound := httptest.NewServer(http.NotFoundHandler())
	defer notFound.Close()
	html := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		w.Write([]byte("<html><body>Not an OAI endpoint</body></html>"))
	}))
	defer html.Close()
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"no url", []string{"harvest", "once"}, "--url is required"},
		{"bad url", []string{"harvest", "once", "--url", "ftp://x"}, "not an http(s) URL"},
		{"bad type", []string{"harvest", "once", "--url", "http://127.0.0.1:1/", "--type", "gopher"}, "--type"},
		{"404", []string{"harvest", "once", "--url", notFound.URL}, "404"},
		{"html", []string{"harvest", "once", "--url", html.URL}, html.URL},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := run(t, tt.args...)
			if err == nil || !strings.Contains(err.Error(), tt.want) || strings.Contains(err.Error(), "\n") {
				t.Fatalf("err = %v, want one line containing %q", err, tt.want)
			}
		})
	}
}

func TestSourceProbe(t *testing.T) {
	isolate(t)
	t.Setenv("ORCHARD_HARVEST_PACE", "10ms")
	oai := oaiserver.Start(t, []oaiserver.Record{
		{ID: "1", Datestamp: "2024-01-10T00:00:00Z", Title: []string{"Maps"}, Rights: []string{"http://creativecommons.org/licenses/by/4.0/"}},
	}, oaiserver.Options{})
	site := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/robots.txt":
			w.Write([]byte("User-agent: *\nAllow: /\n"))
		case "/sitemap.xml":
			w.Write([]byte(`<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><url><loc>http://` + r.Host + `/lesson</loc></url></urlset>`))
		default:
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			w.Write([]byte(`<html lang="de"><head><title>Lektion</title></head><body><main><h1>Lektion</h1>
<a rel="license" href="https://creativecommons.org/licenses/by-sa/4.0/">CC BY-SA 4.0</a></main></body></html>`))
		}
	}))
	defer site.Close()
	tests := []struct {
		name string
		args []string
		want []string
	}{
		{"oai-pmh", []string{"source", "probe", oai.URL}, []string{"Identify", "oai_dc", "CC BY 4.0 (CC-BY-4.0), free culture"}},
		{"web fallback", []string{"source", "probe", site.URL + "/sitemap.xml"}, []string{"robots.txt", "CC BY-SA 4.0 (CC-BY-SA-4.0), free culture", "Harvestable"}},
		{"web", []string{"source", "probe", "--type", "web", site.URL + "/lesson"}, []string{"CC BY-SA 4.0"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, errOut, err := run(t, tt.args...)
			if err != nil {
				t.Fatalf("%v\n%s", err, errOut)
			}
			for _, w := range tt.want {
				if !strings.Contains(out, w) {
					t.Errorf("probe output lacks %q:\n%s", w, out)
				}
			}
		})
	}
	if _, _, err := run(t, "source", "probe", "--type", "oai-pmh", site.URL); err == nil {
		t.Error("probing a website as OAI-PMH succeeded")
	}
}
