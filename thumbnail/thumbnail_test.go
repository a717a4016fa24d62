package thumbnail

import (
	"bytes"
	"errors"
	"image"
	"image/gif"
	"image/jpeg"
	"os"
	"testing"

	"github.com/orchard-oer/orchard/thumbnail/thumbnailtest"
)

func encoded(t *testing.T, enc func(*bytes.Buffer) error) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := enc(&b); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// TestMake decodes only what sniffs as an image, within the limits, and scales it down.
func TestMake(t *testing.T) {
	webp, err := os.ReadFile("testdata/gradient-640x480.webp") // made with cwebp from a gradient
	if err != nil {
		t.Fatal(err)
	}
	gradient, pngOf := thumbnailtest.Gradient, func(img image.Image) []byte { return thumbnailtest.PNG(t, img) }
	bomb := thumbnailtest.Bomb(t, 50_000, 50_000)
	tests := []struct {
		name     string
		data     []byte
		wantType string
		w, h     int
		err      error
	}{
		{"wide png", pngOf(gradient(640, 320, false)), "image/jpeg", 320, 160, nil},
		{"tall png with transparency stays png", pngOf(gradient(100, 400, true)), "image/png", 80, 320, nil},
		{"small jpeg kept at its size", encoded(t, func(b *bytes.Buffer) error { return jpeg.Encode(b, gradient(120, 90, false), nil) }), "image/jpeg", 120, 90, nil},
		{"gif", encoded(t, func(b *bytes.Buffer) error { return gif.Encode(b, gradient(400, 400, false), nil) }), "image/jpeg", 320, 320, nil},
		{"webp", webp, "image/jpeg", 320, 240, nil},
		{"html", []byte("<!DOCTYPE html><html><body>hello</body></html>"), "", 0, 0, ErrNotImage},
		{"svg is not decoded", []byte(`<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"/>`), "", 0, 0, ErrNotImage},
		{"truncated png", pngOf(gradient(50, 50, false))[:60], "", 0, 0, ErrNotImage},
		{"empty", nil, "", 0, 0, ErrNotImage},
		{"dimension bomb", bomb, "", 0, 0, ErrTooLarge},
		{"too many bytes", append(pngOf(gradient(10, 10, false)), make([]byte, 2<<20)...), "", 0, 0, ErrTooLarge},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			img, err := Make(tt.data, Limits{MaxBytes: 1 << 20, MaxPixels: 1_000_000})
			if !errors.Is(err, tt.err) {
				t.Fatalf("err %v, want %v", err, tt.err)
			}
			if err != nil {
				return
			}
			cfg, format, err := image.DecodeConfig(bytes.NewReader(img.Data))
			if err != nil {
				t.Fatal(err)
			}
			if img.ContentType != tt.wantType || "image/"+format != tt.wantType || cfg.Width != tt.w || cfg.Height != tt.h ||
				img.Width != tt.w || img.Height != tt.h {
				t.Errorf("got %s (%s) %d×%d, want %s %d×%d", img.ContentType, format, cfg.Width, cfg.Height, tt.wantType, tt.w, tt.h)
			}
		})
	}
}
