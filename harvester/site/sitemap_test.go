package site

import (
	"bytes"
	"compress/gzip"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"testing"

	"github.com/orchard-oer/orchard/internal/testenv"
)

func TestCorpusSitemaps(t *testing.T) {
	corpus := testenv.Corpus(t)
	expected := testenv.ExpectedByPath(t, "sitemap/")
	if len(expected) < 3 {
		t.Fatalf("want EXPECTED rows for 3 sitemaps, got %d", len(expected))
	}
	for path, rows := range expected {
		t.Run(path, func(t *testing.T) {
			b, err := os.ReadFile(filepath.Join(corpus, path))
			if err != nil {
				t.Fatal(err)
			}
			sm, err := ParseSitemap(b)
			if err != nil {
				t.Fatal(err)
			}
			for _, e := range sm.URLs {
				if e.Loc == "" || e.Loc[0] != 'h' || e.Loc[len(e.Loc)-1] <= ' ' {
					t.Errorf("loc not trimmed: %q", e.Loc)
				}
			}
			for _, row := range rows {
				n, _ := strconv.Atoi(row.Value)
				switch row.Field {
				case "url_count":
					if len(sm.URLs) != n {
						t.Errorf("%d URLs, want %d", len(sm.URLs), n)
					}
				case "locs_with_surrounding_whitespace":
					if sm.Padded != n {
						t.Errorf("%d padded locs, want %d", sm.Padded, n)
					}
				default:
					t.Errorf("unknown field %q", row.Field)
				}
			}
		})
	}
}

func gz(t testing.TB, b []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	w := gzip.NewWriter(&buf)
	if _, err := w.Write(b); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestParseSitemap(t *testing.T) {
	index := []byte(`<?xml version="1.0" encoding="UTF-8"?>
<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
  <sitemap><loc> https://example.org/a.xml </loc><lastmod>2024-01-02</lastmod></sitemap>
  <sitemap><loc>https://example.org/b.xml.gz</loc></sitemap>
</sitemapindex>`)
	urlset := []byte(`<?xml version="1.0" encoding="ISO-8859-1"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" xmlns:image="http://www.google.com/schemas/sitemap-image/1.1">
  <url><loc>https://example.org/1</loc><lastmod>2024-05-06T07:08:09+00:00</lastmod>
    <image:image><image:loc>https://example.org/1.jpg</image:loc></image:image></url>
  <url><loc>
     https://example.org/2
  </loc></url>
  <url><lastmod>2020</lastmod></url>
</urlset>`)
	tests := []struct {
		name        string
		body        []byte
		index       bool
		urls, sites []SitemapEntry
		padded      int
		fails       bool
	}{
		{name: "index", body: index, index: true, padded: 1,
			sites: []SitemapEntry{{"https://example.org/a.xml", "2024-01-02"}, {"https://example.org/b.xml.gz", ""}}},
		{name: "urlset", body: urlset, padded: 1,
			urls: []SitemapEntry{{"https://example.org/1", "2024-05-06T07:08:09+00:00"}, {"https://example.org/2", ""}}},
		{name: "gzipped", body: gz(t, urlset), padded: 1,
			urls: []SitemapEntry{{"https://example.org/1", "2024-05-06T07:08:09+00:00"}, {"https://example.org/2", ""}}},
		{name: "no namespace, truncated", body: []byte(`<urlset><url><loc>https://e.org/x</loc></url><url><loc>https://e.org/y`),
			urls: []SitemapEntry{{"https://e.org/x", ""}}},
		{name: "text", body: []byte("\n https://e.org/a\nnot a url\nhttps://e.org/b\n"),
			urls: []SitemapEntry{{"https://e.org/a", ""}, {"https://e.org/b", ""}}},
		{name: "html is no sitemap", body: []byte(`<!doctype html><html><body>hi</body></html>`), fails: true},
		{name: "rss is no sitemap", body: []byte(`<rss><channel></channel></rss>`), fails: true},
		{name: "empty", body: nil, fails: true},
		{name: "broken gzip", body: []byte{0x1f, 0x8b, 8, 0, 1}, fails: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sm, err := ParseSitemap(tt.body)
			if tt.fails {
				if err == nil {
					t.Fatalf("want an error, got %+v", sm)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if sm.Index != tt.index || !slices.Equal(sm.URLs, tt.urls) || !slices.Equal(sm.Sitemaps, tt.sites) || sm.Padded != tt.padded {
				t.Errorf("got %+v", sm)
			}
		})
	}
}
