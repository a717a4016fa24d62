package normalizer

import (
	"strings"
	"testing"

	"github.com/orchard-oer/orchard/harvester"
)

// TestThumbnail picks the first picture Orchard may fetch and refuses the hostile ones.
func TestThumbnail(t *testing.T) {
	const landing = "https://oer.example.org/items/7"
	tests := []struct {
		name       string
		candidates []string
		want       string
	}{
		{"absolute https", []string{"https://cdn.example.org/7.png"}, "https://cdn.example.org/7.png"},
		{"relative to the landing page", []string{"thumbs/7.jpg"}, "https://oer.example.org/items/thumbs/7.jpg"},
		{"root-relative", []string{"/t/7.jpg"}, "https://oer.example.org/t/7.jpg"},
		{"spaces are mended", []string{" https://example.org/a b.png "}, "https://example.org/a%20b.png"},
		{"javascript: refused, next taken", []string{"javascript:alert(1)", "https://example.org/ok.png"}, "https://example.org/ok.png"},
		{"data: refused", []string{"data:image/png;base64,iVBORw0KGgo="}, ""},
		{"file: refused", []string{"file:///etc/passwd"}, ""},
		{"ftp: refused", []string{"ftp://example.org/x.png"}, ""},
		{"loopback address refused", []string{"http://127.0.0.1/x.png"}, ""},
		{"private address refused", []string{"http://10.1.2.3/x.png", "http://192.168.0.1/x.png"}, ""},
		{"link-local metadata address refused", []string{"http://169.254.169.254/latest/meta-data/"}, ""},
		{"ipv6 loopback refused", []string{"http://[::1]/x.png"}, ""},
		{"ipv4-mapped loopback refused", []string{"http://[::ffff:127.0.0.1]/x.png"}, ""},
		{"localhost refused", []string{"http://localhost:8080/x.png", "http://a.localhost/x.png"}, ""},
		{"single-label host refused", []string{"http://intranet/x.png"}, ""},
		{"public address accepted", []string{"http://93.184.216.34/x.png"}, "http://93.184.216.34/x.png"},
		{"too long refused", []string{"https://example.org/" + strings.Repeat("a", 3000)}, ""},
		{"none", nil, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Thumbnail(tt.candidates, landing); got != tt.want {
				t.Errorf("Thumbnail(%q) = %q, want %q", tt.candidates, got, tt.want)
			}
		})
	}
}

// TestRecordThumbnail carries the picture into the catalog record.
func TestRecordThumbnail(t *testing.T) {
	rec, err := Record("demo", harvester.Record{OriginID: "oai:x:1", Titles: []string{"T"}, URL: "https://example.org/r/1",
		Thumbnails: []string{"javascript:void(0)", "../pics/1.png"}})
	if err != nil {
		t.Fatal(err)
	}
	if rec.Thumbnail != "https://example.org/pics/1.png" {
		t.Errorf("thumbnail %q", rec.Thumbnail)
	}
}
