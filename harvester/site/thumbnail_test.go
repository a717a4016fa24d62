package site

import (
	"slices"
	"testing"
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
		t.Run(tt.name, func(t *testing.T) {
			page := "<!doctype html><html><head>" + tt.head + "</head><body>" + tt.body + "</body></html>"
			r, err := Extract("https://example.org/a/page", []byte(page), "text/html")
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(r.Thumbnails, tt.want) {
				t.Errorf("thumbnails %q, want %q", r.Thumbnails, tt.want)
			}
		})
	}
}
