package site

import (
	"slices"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/orchard-oer/orchard/harvester"
	"github.com/orchard-oer/orchard/normalizer"
)

func rights(from, value string, scope harvester.Scope) harvester.Rights {
	return harvester.Rights{From: from, Value: value, Scope: scope}
}

const (
	res       = harvester.ScopeResource
	siteScope = harvester.ScopeSite
	part      = harvester.ScopePart
)

func TestExtractRights(t *testing.T) {
	by := "https://creativecommons.org/licenses/by/4.0/"
	bySA := "https://creativecommons.org/licenses/by-sa/4.0/"
	tests := []struct {
		name string
		html string
		want []harvester.Rights
	}{
		{"rel license on link and a, any token, any case",
			`<link rel="License" href="` + by + `"><a rel="noopener LICENSE noreferrer" href="` + bySA + `">x</a>`,
			[]harvester.Rights{rights(FromLinkRel, by, res), {From: FromARel, Value: bySA, Text: "x", Scope: res}}},
		{"relative and protocol-relative hrefs are resolved",
			`<a rel="license" href="//creativecommons.org/licenses/by/4.0/">CC</a><link rel=license href="/terms">`,
			[]harvester.Rights{{From: FromARel, Value: by, Text: "CC", Scope: res}, rights(FromLinkRel, "https://example.org/terms", res)}},
		{"meta names, case-insensitive, content or value",
			`<meta name="DC.rights" content="All rights reserved"><meta name="dcterms.license" content="` + by + `">` +
				`<meta name="DCTERMS.RIGHTS" value="Alice"><meta name="description" content="no">`,
			[]harvester.Rights{rights(FromMeta+"dc.rights", "All rights reserved", res), rights(FromMeta+"dcterms.license", by, res),
				rights(FromMeta+"dcterms.rights", "Alice", res)}},
		{"citation_license and og:license, as name or property",
			`<meta name="citation_license" content="` + by + `"><meta property="og:license" content="` + by + `">`,
			[]harvester.Rights{rights(FromMeta+"citation_license", by, res), rights(FromMeta+"og:license", by, res)}},
		{"json-ld object with license string",
			`<script type="application/ld+json">{"@context":"https://schema.org","@type":"LearningResource","license":"` + by + `"}</script>`,
			[]harvester.Rights{rights(FromJSONLD, by, res)}},
		{"json-ld array, graph, license object and list",
			`<script type="application/ld+json">[{"@type":"WebSite","license":"` + bySA + `"},
			 {"@graph":[{"@type":"Course","license":{"id":"` + by + `","name":"CC BY 4.0"}},
			            {"@type":"Article","license":[{"@id":"https://example.org/l1"},{"url":"https://example.org/l2"}]}]}]</script>`,
			[]harvester.Rights{rights(FromJSONLD, bySA, siteScope), {From: FromJSONLD, Value: by, Text: "CC BY 4.0", Scope: res},
				rights(FromJSONLD, "https://example.org/l1", res), rights(FromJSONLD, "https://example.org/l2", res)}},
		{"json-ld nested parts and main entity",
			`<script type="application/ld+json">{"@type":"WebPage","mainEntity":{"@type":"VideoObject","license":"` + by + `"},
			 "hasPart":[{"@type":"ImageObject","license":"` + bySA + `"}]}</script>`,
			[]harvester.Rights{rights(FromJSONLD, bySA, part), rights(FromJSONLD, by, res)}},
		{"broken json-ld is repaired or ignored",
			"<script type=\"application/ld+json\"><!--\n{\"@type\":\"Book\",\"description\":\"two\nlines\",\"license\":\"" + by + "\",}\n--></script>" +
				`<script type="application/ld+json">{"license": </script>`,
			[]harvester.Rights{rights(FromJSONLD, by, res)}},
		{"lrmi useRightsUrl",
			`<script type="application/ld+json">{"@type":"CreativeWork","useRightsUrl":"` + by + `"}</script>`,
			[]harvester.Rights{rights(FromUseRights, by, res)}},
		{"microdata on a and meta",
			`<div itemscope><a itemprop="license" href="` + by + `">l</a><meta itemprop="license" content="CC0"></div>`,
			[]harvester.Rights{rights(FromMicrodata, by, res), rights(FromMicrodata, "CC0", res)}},
		{"rdfa rel and property",
			`<div xmlns:cc="http://creativecommons.org/ns#"><a rel="cc:license" href="` + by + `">l</a>` +
				`<span property="dct:license" resource="` + bySA + `"></span><span property="dcterms:license">CC BY</span></div>`,
			[]harvester.Rights{rights(FromRDFa+"cc:license", by, res), rights(FromRDFa+"dct:license", bySA, res),
				rights(FromRDFa+"dcterms:license", "CC BY", res)}},
		{"badges and plain links",
			`<a href="` + by + `"><img alt="CC" src="https://i.creativecommons.org/l/by/4.0/88x31.png"></a>` +
				`<img src="https://licensebuttons.net/l/by-sa/4.0/80x15.png"><img src="https://mirrors.creativecommons.org/presskit/buttons/88x31/png/by.png">` +
				`<img src="https://example.org/logo.png">`,
			[]harvester.Rights{{From: FromCCLink, Value: by, Scope: siteScope}, {From: FromBadge, Value: "https://i.creativecommons.org/l/by/4.0/88x31.png", Text: "CC", Scope: siteScope},
				rights(FromBadge, "https://licensebuttons.net/l/by-sa/4.0/80x15.png", siteScope),
				rights(FromBadge, "https://mirrors.creativecommons.org/presskit/buttons/88x31/png/by.png", siteScope)}},
		{"scope from landmarks",
			`<main><a href="` + by + `">c</a><figure><img src="x.jpg"><figcaption>Photo <a href="` + bySA + `">CC BY-SA</a></figcaption></figure></main>` +
				`<footer><a rel="license" href="https://creativecommons.org/licenses/by-nc/4.0/">site</a></footer>`,
			[]harvester.Rights{{From: FromCCLink, Value: by, Text: "c", Scope: res}, {From: FromCCLink, Value: bySA, Text: "CC BY-SA", Scope: part},
				{From: FromARel, Value: "https://creativecommons.org/licenses/by-nc/4.0/", Text: "site", Scope: siteScope}}},
		{"article footer speaks for the article; class footer outside is the site's",
			`<article><footer><a rel="license" href="` + by + `">a</a></footer></article><div id="page-footer"><a href="` + bySA + `">s</a></div>`,
			[]harvester.Rights{{From: FromARel, Value: by, Text: "a", Scope: res}, {From: FromCCLink, Value: bySA, Text: "s", Scope: siteScope}}},
		{"comments, scripts and styles are not statements",
			`<!-- <a rel="license" href="` + by + `">x</a> --><script>var l = "` + by + `"; // All rights reserved</script>` +
				`<style>/* ` + by + ` */</style><noscript><a href="` + by + `">n</a></noscript>`,
			nil},
		{"text statements",
			`<footer><p>© 2024 Example. All Rights Reserved.</p></footer><div class="footer">Inhalt lizenziert unter CC BY-SA 4.0</div>` +
				`<p>Dieser Text steht unter Creative Commons Namensnennung 4.0.</p>`,
			[]harvester.Rights{rights(FromText, "© 2024 Example. All Rights Reserved.", siteScope), rights(FromText, "Inhalt lizenziert unter CC BY-SA 4.0", siteScope),
				rights(FromText, "Dieser Text steht unter Creative Commons Namensnennung 4.0.", siteScope)}},
		{"text beside a license link is that link's",
			`<p>Licensed under <a href="` + by + `">CC BY 4.0</a>.</p><pre>licensed under CC BY</pre>`,
			[]harvester.Rights{{From: FromCCLink, Value: by, Text: "CC BY 4.0", Scope: siteScope}}},
		{"commons license templates",
			`<span class="licensetpl_link" style="display:none">http://creativecommons.org/licenses/by-sa/3.0</span><span class="licensetpl_short">CC-BY-SA-3.0</span>`,
			[]harvester.Rights{rights(FromCommons+"licensetpl_link", "http://creativecommons.org/licenses/by-sa/3.0", res),
				rights(FromCommons+"licensetpl_short", "CC-BY-SA-3.0", res)}},
		{"wayback wrapped license",
			`<a rel="license" href="https://web.archive.org/web/20160218174457/http://creativecommons.org/licenses/by-nc-sa/3.0/de/">x</a>`,
			[]harvester.Rights{{From: FromARel, Value: "http://creativecommons.org/licenses/by-nc-sa/3.0/de/", Text: "x", Scope: res}}},
		{"a license link is not a cc link when it is not a cc tool",
			`<a href="https://creativecommons.org/about/">about</a><a href="https://example.org/licenses/by/4.0/">x</a>`,
			nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := Extract("https://example.org/page", []byte("<!doctype html><html><head></head><body>"+tt.html+"</body></html>"), "text/html; charset=utf-8")
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(r.Rights, tt.want) {
				t.Errorf("rights:\n%s\nwant:\n%s", rightsList(r.Rights), rightsList(tt.want))
			}
		})
	}
}

func TestExtractMetadata(t *testing.T) {
	page := `<!doctype html><html lang="de"><head>
	<title>Site title</title>
	<meta property="og:title" content="OG title"><meta property="og:description" content="OG description">
	<meta name="description" content="Meta description"><meta name="author" content="Ada; Bob">
	<meta name="DC.creator" content="Carla"><meta name="keywords" content="Mathe, Algebra ,">
	<meta name="DC.language" content="en"><meta property="article:published_time" content="2020-01-02T03:04:05Z">
	<meta name="dc.date" content="2019">
	<link rel="canonical" href="/canonical">
	<script type="application/ld+json">{"@context":"https://schema.org","@graph":[
	  {"@type":"Organization","name":"The Site"},
	  {"@type":["LearningResource","VideoObject"],"name":"LD name","description":"LD description",
	   "author":[{"@type":"Person","name":"Dora"},{"@type":"Person","givenName":"Eve","familyName":"Ernst"}],
	   "creator":"Fritz","publisher":{"name":"Uni"},"inLanguage":{"name":"fr"},
	   "learningResourceType":[{"id":"http://w3id.org/kim/hcrt/video","prefLabel":{"de":"Video","en":"Video"}}, "Exercise"],
	   "keywords":["Geometrie","Algebra"],"datePublished":"2021-05-06","dateCreated":"2021-01-01","dateModified":"2022-02-02"}]}
	</script></head><body><h1>Heading</h1></body></html>`
	r, err := Extract("https://example.org/a/page", []byte(page), "")
	if err != nil {
		t.Fatal(err)
	}
	want := harvester.Record{
		OriginID: "https://example.org/a/page", Format: "html", URL: "https://example.org/canonical",
		Identifiers:  []string{"https://example.org/canonical"},
		Titles:       []string{"LD name", "OG title", "Heading", "Site title"},
		Descriptions: []string{"LD description", "OG description", "Meta description"},
		Creators:     []string{"Dora", "Eve Ernst", "Fritz", "Ada", "Bob", "Carla"},
		Publishers:   []string{"Uni"},
		Languages:    []string{"de", "fr", "en"},
		Types:        []string{"Video", "Exercise", "LearningResource", "VideoObject"},
		Keywords:     []string{"Mathe", "Algebra", "Geometrie"},
		Dates:        []string{"2021-05-06", "2021-01-01", "2020-01-02T03:04:05Z", "2019", "2022-02-02"},
	}
	check := func(name string, got, want []string) {
		if !slices.Equal(got, want) {
			t.Errorf("%s = %q, want %q", name, got, want)
		}
	}
	if r.URL != want.URL || r.OriginID != want.OriginID || r.Format != want.Format {
		t.Errorf("url %q origin %q format %q", r.URL, r.OriginID, r.Format)
	}
	check("identifiers", r.Identifiers, want.Identifiers)
	check("titles", r.Titles, want.Titles)
	check("descriptions", r.Descriptions, want.Descriptions)
	check("creators", r.Creators, want.Creators)
	check("publishers", r.Publishers, want.Publishers)
	check("languages", r.Languages, want.Languages)
	check("types", r.Types, want.Types)
	check("keywords", r.Keywords, want.Keywords)
	check("dates", r.Dates, want.Dates)
}

func TestExtractOGURLAndFallbacks(t *testing.T) {
	r, err := Extract("https://example.org/p", []byte(`<meta property="og:url" content="https://example.org/og"><title> A
	 title </title>`), "")
	if err != nil {
		t.Fatal(err)
	}
	if r.URL != "https://example.org/og" || !slices.Equal(r.Titles, []string{"A title"}) {
		t.Errorf("url %q titles %q", r.URL, r.Titles)
	}
	if _, err := Extract("://bad", nil, ""); err == nil || harvester.KindOf(err) != harvester.KindInvalid {
		t.Errorf("bad page URL: err %v", err)
	}
}

func TestDecode(t *testing.T) {
	latin1 := []byte("<html><head><title>K\xe4se f\xfcr M\xfcnchen</title></head></html>")
	metaLatin1 := []byte(`<html><head><meta http-equiv="Content-Type" content="text/html; charset=iso-8859-1"><title>K` + "\xe4" + `se</title></head></html>`)
	tests := []struct {
		name, ct        string
		body            []byte
		declared, from  string
		used, wantTitle string
	}{
		{"header charset", "text/html; charset=ISO-8859-1", latin1, "ISO-8859-1", "header", "windows-1252", "Käse für München"},
		{"meta http-equiv", "text/html", metaLatin1, "iso-8859-1", "meta", "windows-1252", "Käse"},
		{"meta charset", "", []byte(`<meta charset="windows-1251"><title>` + "\xcc\xee\xf1\xea\xe2\xe0" + `</title>`), "windows-1251", "meta", "windows-1251", "Москва"},
		{"bom wins over header", "text/html; charset=iso-8859-1", []byte("\xef\xbb\xbf<title>Grüße</title>"), "utf-8", "bom", "utf-8", "Grüße"},
		{"utf-16 bom", "", []byte("\xff\xfe<\x00t\x00i\x00t\x00l\x00e\x00>\x00\xe4\x00"), "utf-16le", "bom", "utf-16le", "ä"},
		{"declared utf-8 but latin-1 bytes", "text/html; charset=utf-8", latin1, "utf-8", "header", "windows-1252", "Käse für München"},
		{"declared legacy but utf-8 bytes", "", []byte(`<meta http-equiv="Content-Type" content="text/html; charset=gb2312"><title>版权所有 Grüße</title>`), "gb2312", "meta", "utf-8", "版权所有 Grüße"},
		{"nothing declared, plain ascii", "", []byte(`<title>Plain</title>`), "", "", "utf-8", "Plain"},
		{"unknown label", "text/html; charset=x-nonsense", []byte(`<title>Grüße</title>`), "x-nonsense", "header", "utf-8", "Grüße"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := extract("https://example.org/", tt.body, tt.ct)
			if err != nil {
				t.Fatal(err)
			}
			e := p.Encoding
			if e.Declared != tt.declared || e.From != tt.from || e.Used != tt.used {
				t.Errorf("encoding %+v, want declared %q from %q used %q", e, tt.declared, tt.from, tt.used)
			}
			if len(p.Record.Titles) == 0 || p.Record.Titles[0] != tt.wantTitle {
				t.Errorf("title %q, want %q", p.Record.Titles, tt.wantTitle)
			}
		})
	}
}

// TestExtractHostile feeds pages built to hurt a parser: all must come back quickly with valid
// UTF-8 and bounded values.
func TestExtractHostile(t *testing.T) {
	huge := strings.Repeat("a", 4<<20)
	tests := map[string]string{
		"huge attribute":      `<a rel="license" href="https://creativecommons.org/licenses/by/4.0/` + huge + `">x</a><img src="` + huge + `" alt="` + huge + `">`,
		"deep nesting":        strings.Repeat("<div>", 100000) + `<a rel="license" href="https://x.org/">x</a>` + strings.Repeat("</div>", 100000),
		"deep inline nesting": strings.Repeat("<b><i>", 50000) + "All rights reserved",
		"invalid utf-8":       "<title>\xff\xfe\xc3(\xed\xa0\x80</title><meta name=dc.rights content=\"\xc0\xaf\">",
		"huge json-ld":        `<script type="application/ld+json">` + strings.Repeat(`{"a":[`, 200000) + `</script>`,
		"deep json-ld":        `<script type="application/ld+json">` + strings.Repeat(`{"hasPart":`, 5000) + `{"license":"x"}` + strings.Repeat("}", 5000) + `</script>`,
		"unclosed everything": `<html><head><title>t<script>var x = "<a rel=license href=https://creativecommons.org/licenses/by/4.0/>`,
		"many links":          strings.Repeat(`<a href="/x">x</a>`, 200000),
		"nul bytes":           "<title>a\x00b</title><p>All rights\x00 reserved</p>",
	}
	for name, body := range tests {
		t.Run(name, func(t *testing.T) {
			start := time.Now()
			p, err := extract("https://example.org/", []byte(body), "text/html; charset=utf-8")
			if err != nil {
				t.Fatal(err)
			}
			r := p.Record
			for _, s := range slices.Concat(r.Titles, r.Descriptions) {
				if !utf8.ValidString(s) || len(s) > maxField {
					t.Errorf("bad field %.40q (%d bytes)", s, len(s))
				}
			}
			for _, rt := range r.Rights {
				if !utf8.ValidString(rt.Value) || len(rt.Value) > maxValue || len(rt.Text) > maxValue {
					t.Errorf("bad rights %.60q (%d bytes)", rt.Value, len(rt.Value))
				}
			}
			if len(p.Links) > maxLinks {
				t.Errorf("%d links kept", len(p.Links))
			}
			t.Logf("%s in %v", name, time.Since(start))
		})
	}
}

func TestExtractLinks(t *testing.T) {
	p, err := extract("https://example.org/dir/page", []byte(`<a href="a#frag">1</a><a href="a">2</a><a href="/b?x=1#y">3</a>`+
		`<a href="mailto:x@example.org">m</a><a href="javascript:void(0)">j</a><a href="https://other.org/">o</a><link href="/css">`), "")
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"https://example.org/dir/a", "https://example.org/b?x=1", "https://other.org/"}
	if !slices.Equal(p.Links, want) {
		t.Errorf("links %q, want %q", p.Links, want)
	}
}

// TestMetaLicenseEvidence reads pages whose only license signal is a citation_license or
// og:license meta tag: the normalizer finds CC BY 4.0 with that tag as evidence.
func TestMetaLicenseEvidence(t *testing.T) {
	for _, tag := range []string{`<meta name="citation_license" content="http://creativecommons.org/licenses/by/4.0/">`,
		`<meta property="og:license" content="https://creativecommons.org/licenses/by/4.0/">`} {
		p, err := extract("https://example.org/", []byte("<html><head><title>T</title>"+tag+"</head></html>"), "text/html")
		if err != nil {
			t.Fatal(err)
		}
		lic, _ := normalizer.License(p.Record.Rights)
		if lic.ID != "CC-BY-4.0" || len(lic.Evidence) != 1 || !strings.HasPrefix(lic.Evidence[0].From, FromMeta) || lic.Evidence[0].ID != "CC-BY-4.0" {
			t.Errorf("%s: license %q with evidence %+v, want CC-BY-4.0 from the meta tag", tag, lic.ID, lic.Evidence)
		}
	}
}
