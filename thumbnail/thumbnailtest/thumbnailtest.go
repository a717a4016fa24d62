// Package thumbnailtest draws the pictures that tests of thumbnails fetch, store and serve.
package thumbnailtest

import (
	"bytes"
	"encoding/binary"
	"hash/crc32"
	"image"
	"image/color"
	"image/png"
	"testing"
)

// Gradient is a w×h picture whose colours change across it; with alpha its left half is
// translucent.
func Gradient(w, h int, alpha bool) image.Image {
	img := image.NewNRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			a := uint8(255)
			if alpha && x < w/2 {
				a = 100
			}
			img.Set(x, y, color.NRGBA{uint8(x * 255 / w), uint8(y * 255 / h), 90, a})
		}
	}
	return img
}

// PNG encodes img.
func PNG(t testing.TB, img image.Image) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// Bomb is a valid PNG of one pixel whose header claims w×h pixels: a few hundred bytes that
// would take w×h×4 bytes of memory to decode.
func Bomb(t testing.TB, w, h uint32) []byte {
	b := PNG(t, Gradient(1, 1, false))
	// The IHDR chunk follows the 8-byte signature: length, type, then width and height, and
	// its CRC over type and data.
	binary.BigEndian.PutUint32(b[16:], w)
	binary.BigEndian.PutUint32(b[20:], h)
	binary.BigEndian.PutUint32(b[29:], crc32.ChecksumIEEE(b[12:29]))
	return b
}
