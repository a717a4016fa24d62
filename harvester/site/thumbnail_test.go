package site

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/orchard-oer/orchard/internal/testenv"
	"github.com/orchard-oer/orchard/normalizer"
)

// TestExtractThumbnails reads a page's pictures from schema.org (JSON-LD and microdata), Open
// Graph and Twitter cards, resolved against the page, best first.
func TestExtractThumbnails(t *testing.T) {
	tests := []struct {
		name string
		head string
		body string
		want []string
	}{
		{"og:image, relative",
			`<meta property="og:image" content="/img/cover.png">`, ``,
			[]string{"https://example.org/img/cover.png"}},
		{"twitter:image by name, protocol-relative",
			`<meta name="twitter:image" content="//cdn.example.net/t.jpg">`, ``,
			[]string{"https://cdn.example.net/t.jpg"}},
		{"twitter:image:src by property",
			`<meta property="twitter:image:src" content="t.jpg">`, ``,
			[]string{"https://example.org/a/t.jpg"}},
		{"json-ld thumbnailUrl before image, before og:image",
			`<meta property="og:image" content="https://example.org/og.png">
			<script type="application/ld+json">{"@type":"LearningResource","name":"x","image":{"@type":"ImageObject","contentUrl":"big.png"},"thumbnailUrl":"https://example.org/small.png"}</script>`, ``,
			[]string{"https://example.org/small.png", "https://example.org/a/big.png", "https://example.org/og.png"}},
		{"json-ld image list of strings",
			`<script type="application/ld+json">{"@type":"VideoObject","image":["https://example.org/1.jpg","https://example.org/2.jpg"]}</script>`, ``,
			[]string{"https://example.org/1.jpg", "https://example.org/2.jpg"}},
		{"microdata image and thumbnailUrl after og:image",
			`<meta property="og:image" content="https://example.org/og.png">`,
			`<div itemscope itemtype="https://schema.org/LearningResource"><img itemprop="image" src="pic.jpg" alt=""><link itemprop="thumbnailUrl" href="/thumb.jpg"></div>`,
			[]string{"https://example.org/og.png", "https://example.org/a/pic.jpg", "https://example.org/thumb.jpg"}},
		{"the same picture twice is kept once",
			`<meta property="og:image" content="https://example.org/x.png"><meta name="twitter:image" content="https://example.org/x.png">`, ``,
			[]string{"https://example.org/x.png"}},
		{"none", ``, `<img src="/decoration.png" alt="">`, nil},
	}
	for _, tt := range tests {
		page := "<!doctype html><html><head>" + tt.head + "</head><body>" + tt.body + "</body></html>"
		r, err := Extract("https://example.org/a/page", []byte(page), "text/html")
		if err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		// The catalog record keeps the first: the best the page names.
		picked, first := normalizer.Thumbnail(r.Thumbnails, r.URL), ""
		if len(tt.want) > 0 {
			first = tt.want[0]
		}
		if !slices.Equal(r.Thumbnails, tt.want) || picked != first {
			t.Errorf("%s: thumbnails %q, picked %q; want %q", tt.name, r.Thumbnails, picked, tt.want)
		}
	}
}

// TestCorpusThumbnails reads the pictures of real pages: Open Graph on a blog and an OER portal,
// JSON-LD image objects before Open Graph on a journal article.
func TestCorpusThumbnails(t *testing.T) {
	corpus := testenv.Corpus(t)
	for _, tt := range []struct {
		rel, first string
		n          int
	}{
		{"html/creativecommons.org/blog-post.html", "https://creativecommons.org/wp-content/uploads/2016/05/global_affiliates_map.png", 1},
		{"html/hoou/tutorial-lernen-lernen.html", "https://www.hoou.de/assets/images/HOOU_blau-99b15099ccc345a363a32fd63cc900d5.png", 1},
		{"html/nature.com/articles-s41586-021-03819-2.html", "https://media.springernature.com/lw1200/springer-static/image/art%3A10.1038%2Fs41586-021-03819-2/MediaObjects/41586_2021_3819_Fig1_HTML.png", 7},
		{"html/github.com/repo-page.html", "https://opengraph.githubassets.com/269d23b56f85a1ea9bd3cf5b2f34ddbce8cfaff7a74c6561f59d84db67b8efc1/steventroughtonsmith/marzipanify", 1},
	} {
		b, err := os.ReadFile(filepath.Join(corpus, tt.rel))
		if err != nil {
			t.Fatal(err)
		}
		r, err := Extract("https://"+strings.TrimPrefix(tt.rel, "html/"), b, "")
		if err != nil {
			t.Fatal(err)
		}
		if len(r.Thumbnails) != tt.n || r.Thumbnails[0] != tt.first {
			t.Errorf("%s: thumbnails %q, want %d beginning with %s", tt.rel, r.Thumbnails, tt.n, tt.first)
		}
	}
}
