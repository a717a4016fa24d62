package fetch

import (
	"bytes"
	"compress/flate"
	"compress/gzip"
	"compress/zlib"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"strings"
)

// errCorrupt marks a compressed body that does not decode: usually a transfer cut short.
var errCorrupt = errors.New("corrupt compressed body")

// maxLayers bounds how many compression layers are peeled off (some servers compress twice).
const maxLayers = 3

// decode undoes gzip and deflate compression. Servers forget to declare it, declare it and
// do not compress, or compress twice, so the bytes decide: gzip by its magic number, zlib by
// its header check, and raw deflate only when the server declared deflate.
func decode(b []byte, declared string, limit int64) ([]byte, error) {
	declaredDeflate := strings.Contains(strings.ToLower(declared), "deflate")
	for range maxLayers {
		var r io.Reader
		var err error
		switch {
		case isGzip(b):
			var zr *gzip.Reader
			zr, err = gzip.NewReader(bytes.NewReader(b))
			r = zr
		case isZlib(b) && (b[0] == 0x78 || declaredDeflate):
			r, err = zlib.NewReader(bytes.NewReader(b))
		case declaredDeflate && len(b) > 0 && !looksLikeText(b):
			r = flate.NewReader(bytes.NewReader(b))
		default:
			return b, nil
		}
		if err != nil {
			return nil, fmt.Errorf("%w: %v", errCorrupt, err)
		}
		out, err := readCapped(r, limit, gzipSize(b))
		if err != nil {
			if errors.Is(err, ErrTooLarge) {
				return nil, err
			}
			return nil, fmt.Errorf("%w: %v", errCorrupt, err)
		}
		b, declaredDeflate = out, false
	}
	return b, nil
}

// gzipSize reads the uncompressed size (modulo 4 GiB) from a gzip member's trailer, or -1.
// It is only a hint: a body of several members or a lying trailer still reads correctly.
func gzipSize(b []byte) int64 {
	if !isGzip(b) || len(b) < 18 {
		return -1
	}
	// Trusted up to a ratio XML reaches, so that a forged trailer cannot make it allocate much.
	return min(int64(binary.LittleEndian.Uint32(b[len(b)-4:])), 64*int64(len(b)))
}

func isGzip(b []byte) bool {
	return len(b) >= 3 && b[0] == 0x1f && b[1] == 0x8b && b[2] == 8
}

// isZlib checks the two-byte zlib header: deflate method, window ≤ 32K, check bits, no
// preset dictionary. Undeclared, only the usual 32K window (0x78) is trusted.
func isZlib(b []byte) bool {
	return len(b) >= 2 && b[0]&0x0f == 8 && b[0]>>4 <= 7 && (uint16(b[0])<<8|uint16(b[1]))%31 == 0 && b[1]&0x20 == 0
}

// looksLikeText guards the raw-deflate guess: a body opening like markup was not compressed
// whatever the header says.
func looksLikeText(b []byte) bool {
	t := bytes.TrimLeft(b, " \t\r\n\xef\xbb\xbf")
	return len(t) > 0 && t[0] == '<'
}
