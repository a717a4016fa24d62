// Package thumbnail turns the bytes a source serves as a record's picture into a small image
// Orchard can serve itself. It is pure: the caller fetches, this package only checks, decodes,
// scales and encodes.
package thumbnail

import (
	"bytes"
	"errors"
	"fmt"
	"image"
	"image/gif"
	"image/jpeg"
	"image/png"
	"io"

	"golang.org/x/image/draw"
	"golang.org/x/image/webp"
)

// Limits bound the work one picture may cost.
type Limits struct {
	// MaxBytes is the largest picture read; the fetch is cut there.
	MaxBytes int64
	// MaxPixels is the most pixels (width × height) a picture may declare; larger ones are
	// refused before decoding, since a small file can declare a vast canvas.
	MaxPixels int64
	// Size is the longest side of a thumbnail in pixels.
	Size int
}

// Defaults of Limits.
const (
	DefaultMaxBytes  = 5 << 20
	DefaultMaxPixels = 40_000_000
	DefaultSize      = 320
)

// WithDefaults fills the zero fields of l.
func (l Limits) WithDefaults() Limits {
	if l.MaxBytes <= 0 {
		l.MaxBytes = DefaultMaxBytes
	}
	if l.MaxPixels <= 0 {
		l.MaxPixels = DefaultMaxPixels
	}
	if l.Size <= 0 {
		l.Size = DefaultSize
	}
	return l
}

// Refusals. Each is permanent for the bytes given: trying again gives the same answer.
var (
	ErrNotImage = errors.New("not an image")
	ErrTooLarge = errors.New("too large")
)

// Image is an encoded thumbnail.
type Image struct {
	Data          []byte
	ContentType   string // image/jpeg or image/png
	Width, Height int
}

// decoders by the format the bytes' signature names; the declared Content-Type is never trusted.
var decoders = map[string]struct {
	decode func(io.Reader) (image.Image, error)
	config func(io.Reader) (image.Config, error)
}{
	"image/png":  {png.Decode, png.DecodeConfig},
	"image/jpeg": {jpeg.Decode, jpeg.DecodeConfig},
	"image/gif":  {gif.Decode, gif.DecodeConfig},
	"image/webp": {webp.Decode, webp.DecodeConfig},
}

// Make checks that data is a PNG, JPEG, GIF or WebP image within l, decodes it and scales it
// so that its longer side is at most l.Size. Pictures with transparency are written as PNG,
// the rest as JPEG.
func Make(data []byte, l Limits) (Image, error) {
	l = l.WithDefaults()
	if int64(len(data)) > l.MaxBytes {
		return Image{}, fmt.Errorf("%w: %d bytes, the limit is %d", ErrTooLarge, len(data), l.MaxBytes)
	}
	kind := sniff(data)
	dec, ok := decoders[kind]
	if !ok {
		return Image{}, fmt.Errorf("%w: the bytes begin with none of the signatures of PNG, JPEG, GIF or WebP", ErrNotImage)
	}
	cfg, err := dec.config(bytes.NewReader(data))
	if err != nil {
		return Image{}, fmt.Errorf("%w: %s header: %v", ErrNotImage, kind, err)
	}
	if cfg.Width <= 0 || cfg.Height <= 0 {
		return Image{}, fmt.Errorf("%w: %s of %d×%d pixels", ErrNotImage, kind, cfg.Width, cfg.Height)
	}
	if int64(cfg.Width)*int64(cfg.Height) > l.MaxPixels {
		return Image{}, fmt.Errorf("%w: %d×%d pixels, the limit is %d", ErrTooLarge, cfg.Width, cfg.Height, l.MaxPixels)
	}
	src, err := dec.decode(bytes.NewReader(data))
	if err != nil {
		return Image{}, fmt.Errorf("%w: decode %s: %v", ErrNotImage, kind, err)
	}
	return encode(scale(src, l.Size))
}

// sniff names the format whose signature data begins with.
func sniff(data []byte) string {
	switch {
	case bytes.HasPrefix(data, []byte("\x89PNG\r\n\x1a\n")):
		return "image/png"
	case bytes.HasPrefix(data, []byte("\xff\xd8\xff")):
		return "image/jpeg"
	case bytes.HasPrefix(data, []byte("GIF87a")), bytes.HasPrefix(data, []byte("GIF89a")):
		return "image/gif"
	case len(data) >= 15 && string(data[:4]) == "RIFF" && string(data[8:15]) == "WEBPVP8":
		return "image/webp"
	}
	return ""
}

// scale fits src into a size×size box, keeping its proportions; a smaller image is kept as it
// is.
func scale(src image.Image, size int) image.Image {
	b := src.Bounds()
	w, h := b.Dx(), b.Dy()
	if w <= size && h <= size {
		return src
	}
	if w >= h {
		w, h = size, max(1, h*size/w)
	} else {
		w, h = max(1, w*size/h), size
	}
	dst := image.NewRGBA(image.Rect(0, 0, w, h))
	draw.CatmullRom.Scale(dst, dst.Bounds(), src, b, draw.Src, nil)
	return dst
}

func encode(img image.Image) (Image, error) {
	var buf bytes.Buffer
	out := Image{Width: img.Bounds().Dx(), Height: img.Bounds().Dy()}
	if opaque(img) {
		out.ContentType = "image/jpeg"
		if err := jpeg.Encode(&buf, img, &jpeg.Options{Quality: 82}); err != nil {
			return Image{}, fmt.Errorf("encode thumbnail: %w", err)
		}
	} else {
		out.ContentType = "image/png"
		enc := png.Encoder{CompressionLevel: png.BestCompression}
		if err := enc.Encode(&buf, img); err != nil {
			return Image{}, fmt.Errorf("encode thumbnail: %w", err)
		}
	}
	out.Data = buf.Bytes()
	return out, nil
}

func opaque(img image.Image) bool {
	if o, ok := img.(interface{ Opaque() bool }); ok {
		return o.Opaque()
	}
	return false
}
