package oaipmh

import (
	"bytes"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"

	"golang.org/x/net/html/charset"
	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/unicode"
)

// toUTF8 turns a response body into clean UTF-8 that encoding/xml accepts, whatever the server
// did wrong:
//   - a byte-order mark is dropped, and UTF-16 is transcoded;
//   - the encoding in the XML declaration is honoured (through the WHATWG tables of
//     x/net/html/charset), unless the bytes are plainly UTF-8 in spite of it, which is common;
//   - bytes invalid in UTF-8 are read as Windows-1252, the usual culprit;
//   - characters XML forbids (C0 controls, U+FFFE, U+FFFF), raw or as character references,
//     are dropped.
//
// The decoder then reads UTF-8 only, so its CharsetReader passes everything through.
func toUTF8(b []byte) []byte {
	switch {
	case bytes.HasPrefix(b, []byte("\xef\xbb\xbf")):
		b = b[3:]
	case bytes.HasPrefix(b, []byte("\xfe\xff")), bytes.HasPrefix(b, []byte("\xff\xfe")):
		if u, err := unicode.UTF16(unicode.BigEndian, unicode.ExpectBOM).NewDecoder().Bytes(b); err == nil {
			return sanitize(u)
		}
	}
	if label := declaredEncoding(b); label != "" && !isUTF8Label(label) && !plainUTF8(b) {
		if enc, _ := charset.Lookup(label); enc != nil {
			if u, err := enc.NewDecoder().Bytes(b); err == nil {
				b = u
			}
		}
	}
	return sanitize(b)
}

var encodingAttr = regexp.MustCompile(`^\s*<\?xml[^>]*?encoding\s*=\s*["']([A-Za-z0-9._:-]+)["']`)

// declaredEncoding reads the encoding label of the XML declaration, if any.
func declaredEncoding(b []byte) string {
	m := encodingAttr.FindSubmatch(b[:min(len(b), 200)])
	if m == nil {
		return ""
	}
	return strings.ToLower(string(m[1]))
}

func isUTF8Label(l string) bool {
	switch l {
	case "utf-8", "utf8", "us-ascii", "ascii", "utf-16", "utf16":
		// A UTF-16 label without a BOM is a lie: the bytes are ASCII-compatible.
		return true
	}
	return false
}

// plainUTF8 says whether b is valid UTF-8 with some multi-byte characters: such text is UTF-8
// whatever the declaration claims, since Latin-1 text almost never forms valid UTF-8 sequences.
func plainUTF8(b []byte) bool {
	ascii := true
	for _, c := range b {
		if c >= utf8.RuneSelf {
			ascii = false
			break
		}
	}
	return !ascii && utf8.Valid(b)
}

// sanitize repairs invalid UTF-8 and drops characters XML forbids. It returns b itself when
// nothing needs doing, which is the common case.
func sanitize(b []byte) []byte {
	if clean(b) {
		return b
	}
	out := make([]byte, 0, len(b))
	for i := 0; i < len(b); {
		c := b[i]
		if c < utf8.RuneSelf {
			switch {
			case c == '&' && i+2 < len(b) && b[i+1] == '#':
				if n, ok := illegalRef(b[i:]); ok {
					i += n
					continue
				}
			case c < 0x20 && c != '\t' && c != '\n' && c != '\r':
				i++
				continue
			}
			out = append(out, c)
			i++
			continue
		}
		r, size := utf8.DecodeRune(b[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			out = utf8.AppendRune(out, charmap.Windows1252.DecodeByte(c))
		case r == 0xFFFE || r == 0xFFFF:
		default:
			out = append(out, b[i:i+size]...)
		}
		i += size
	}
	return out
}

// clean is sanitize's fast path: true when b needs no repair.
func clean(b []byte) bool {
	for i, c := range b {
		if c < 0x20 && c != '\t' && c != '\n' && c != '\r' {
			return false
		}
		if c == '&' && i+2 < len(b) && b[i+1] == '#' {
			if _, ok := illegalRef(b[i:]); ok {
				return false
			}
		}
	}
	return utf8.Valid(b) && !bytes.Contains(b, []byte("\xef\xbf\xbe")) && !bytes.Contains(b, []byte("\xef\xbf\xbf"))
}

// illegalRef reports whether b starts with a character reference to a character XML forbids,
// and its length.
func illegalRef(b []byte) (int, bool) {
	end := bytes.IndexByte(b[:min(len(b), 12)], ';')
	if end < 3 {
		return 0, false
	}
	num, base := string(b[2:end]), 10
	if num[0] == 'x' || num[0] == 'X' {
		num, base = num[1:], 16
	}
	v, err := strconv.ParseUint(num, base, 32)
	if err != nil {
		return 0, false
	}
	return end + 1, !xmlChar(rune(v))
}

// xmlChar is the XML 1.0 Char production.
func xmlChar(r rune) bool {
	return r == 0x09 || r == 0x0A || r == 0x0D ||
		r >= 0x20 && r <= 0xD7FF || r >= 0xE000 && r <= 0xFFFD || r >= 0x10000 && r <= 0x10FFFF
}
