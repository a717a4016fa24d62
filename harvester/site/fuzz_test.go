package site

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/orchard-oer/orchard/internal/testenv"
)

// FuzzExtract checks that no page crashes extraction and that what comes out is valid UTF-8
// and bounded. Seeds live in testdata/fuzz/FuzzExtract.
func FuzzExtract(f *testing.F) {
	f.Add([]byte(`<a rel="license" href="https://creativecommons.org/licenses/by/4.0/">CC BY</a>`), "text/html")
	f.Add([]byte(`<script type="application/ld+json">{"@graph":[{"license":{"@id":"x"}}]}</script>`), "")
	f.Add([]byte("<meta charset=shift_jis><title>\x82\xa0</title>"), "text/html; charset=utf-8")
	f.Fuzz(func(t *testing.T, body []byte, contentType string) {
		p, err := extract("https://example.org/dir/page", body, contentType)
		if err != nil {
			return // a refusal is fine; a panic or a hang is not
		}
		r := p.Record
		check := func(s string, limit int) {
			if !utf8.ValidString(s) || len(s) > limit {
				t.Fatalf("bad output %.60q (%d bytes)", s, len(s))
			}
		}
		for _, fs := range [][]string{r.Titles, r.Descriptions, r.Creators, r.Languages, r.Keywords, r.Types, r.Dates} {
			for _, s := range fs {
				check(s, maxField)
			}
		}
		for _, rt := range r.Rights {
			check(rt.Value, maxValue)
			check(rt.Text, maxValue)
			if rt.Value == "" || strings.TrimSpace(rt.Value) != rt.Value {
				t.Fatalf("untrimmed or empty rights value %q", rt.Value)
			}
		}
	})
}

// BenchmarkExtract measures pages read per second on one core: typical OER pages (a few
// kilobytes of markup with JSON-LD and a license footer) and the whole corpus.
func BenchmarkExtract(b *testing.B) {
	b.Run("typical", func(b *testing.B) {
		page := []byte(typicalPage)
		b.SetBytes(int64(len(page)))
		for b.Loop() {
			if _, err := Extract("https://www.example.org/materials/x", page, "text/html; charset=utf-8"); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "pages/s")
	})
	b.Run("corpus", func(b *testing.B) {
		var pages [][]byte
		var size int64
		_ = filepath.WalkDir(filepath.Join(testenv.Corpus(b), "html"), func(p string, d os.DirEntry, err error) error {
			if err == nil && !d.IsDir() {
				data, _ := os.ReadFile(p)
				pages = append(pages, data)
				size += int64(len(data))
			}
			return nil
		})
		if len(pages) == 0 {
			b.Fatal("no pages in the corpus")
		}
		b.SetBytes(size / int64(len(pages)))
		i := 0
		for b.Loop() {
			if _, err := Extract("https://example.org/", pages[i%len(pages)], ""); err != nil {
				b.Fatal(err)
			}
			i++
		}
		b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "pages/s")
	})
}

var typicalPage = `<!doctype html><html lang="de"><head><meta charset="utf-8">
<title>Einführung in die Statistik – Open Educational Resources</title>
<meta name="description" content="Ein offener Kurs zur beschreibenden Statistik mit Videos und Übungen.">
<meta property="og:title" content="Einführung in die Statistik"><meta name="keywords" content="Statistik, Mathematik, Hochschule">
<link rel="canonical" href="https://www.example.org/materials/statistik"><link rel="stylesheet" href="/assets/site.css">
<script type="application/ld+json">{"@context":"https://schema.org","@type":"LearningResource","name":"Einführung in die Statistik",
"description":"Ein offener Kurs zur beschreibenden Statistik.","inLanguage":"de","license":"https://creativecommons.org/licenses/by-sa/4.0/",
"author":[{"@type":"Person","name":"Dr. Erika Muster"}],"learningResourceType":"Kurs","datePublished":"2023-04-01","keywords":["Statistik","Mathematik"]}</script>
<script src="/assets/app.js"></script></head><body>
<header><nav><ul><li><a href="/">Start</a></li><li><a href="/materials">Materialien</a></li><li><a href="/about">Über uns</a></li><li><a href="/contact">Kontakt</a></li></ul></nav></header>
<main><article><h1>Einführung in die Statistik</h1>
<p>Dieser Kurs führt in die beschreibende Statistik ein: Lage- und Streuungsmaße, Häufigkeitsverteilungen und einfache Grafiken.
Jede Lektion enthält ein Video, ein Skript und Übungsaufgaben mit Lösungen.</p>
<h2>Lektionen</h2><ol><li><a href="/materials/statistik/1">Daten und Merkmale</a></li><li><a href="/materials/statistik/2">Lagemaße</a></li>
<li><a href="/materials/statistik/3">Streuungsmaße</a></li><li><a href="/materials/statistik/4">Grafiken</a></li></ol>
<figure><img src="/media/histogramm.png" alt="Histogramm"><figcaption>Abbildung: Histogramm, <a href="https://creativecommons.org/licenses/by/4.0/">CC BY 4.0</a> Max Beispiel</figcaption></figure>
<p>Dieses Material steht unter der Lizenz <a rel="license" href="https://creativecommons.org/licenses/by-sa/4.0/">CC BY-SA 4.0</a>.</p>
</article></main>
<aside><h3>Ähnliche Materialien</h3><ul><li><a href="/materials/wahrscheinlichkeit">Wahrscheinlichkeit</a></li><li><a href="/materials/regression">Regression</a></li></ul></aside>
<footer><p>© 2024 Beispiel-Hochschule. Inhalte, soweit nicht anders angegeben, lizenziert unter CC BY 4.0.</p>
<a href="https://creativecommons.org/licenses/by/4.0/"><img src="https://i.creativecommons.org/l/by/4.0/88x31.png" alt="CC BY"></a>
<a href="/impressum">Impressum</a> <a href="/datenschutz">Datenschutz</a></footer>
<script>window.dataLayer=[{"page":"statistik","license":"https://creativecommons.org/licenses/by-nc/4.0/"}];</script>
</body></html>`

// FuzzParseSitemap checks that no sitemap crashes the parser and that what it returns holds
// to its bounds: trimmed locs, at most maxSitemapEntries of each kind.
func FuzzParseSitemap(f *testing.F) {
	f.Add([]byte(`<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><url><loc> https://example.org/a </loc><lastmod>2024-01-01</lastmod></url></urlset>`))
	f.Add([]byte(`<sitemapindex><sitemap><loc>https://example.org/s.xml</loc></sitemap></sitemapindex>`))
	f.Add([]byte("https://example.org/a\nnot a url\nhttps://example.org/b\n"))
	f.Add([]byte("\x1f\x8b\x08\x00\x00\x00\x00\x00"))
	f.Fuzz(func(t *testing.T, b []byte) {
		sm, err := ParseSitemap(b)
		if err != nil {
			return
		}
		if len(sm.URLs) > maxSitemapEntries || len(sm.Sitemaps) > maxSitemapEntries {
			t.Fatalf("%d URLs, %d sitemaps", len(sm.URLs), len(sm.Sitemaps))
		}
		for _, e := range append(sm.URLs, sm.Sitemaps...) {
			if e.Loc == "" || e.Loc != strings.TrimSpace(e.Loc) {
				t.Fatalf("loc %q", e.Loc)
			}
		}
	})
}
