package site

import (
	"bytes"
	"mime"
	"strings"
	"unicode/utf8"

	"golang.org/x/net/html"
	"golang.org/x/net/html/charset"
	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/htmlindex"
	"golang.org/x/text/encoding/unicode"
)

// prescanLimit bounds the search for a <meta> charset declaration. The HTML standard looks at
// the first 1024 bytes only, but real pages put long scripts and styles before it.
const prescanLimit = 64 << 10

// Encoding says how a page's bytes were read.
type Encoding struct {
	Declared string // the label the page or its HTTP header declared, as written; "" if none
	From     string // where the declaration came from: "bom", "header", "meta" or ""
	Used     string // canonical name of the encoding used to decode
	BOM      bool
}

// decode returns body as UTF-8. It honours, in order, a byte order mark, the charset of the
// Content-Type header and a <meta> declaration, then checks the declaration against the bytes:
// a page declared UTF-8 that is not valid UTF-8 is read as windows-1252, and a page declared in
// a legacy encoding whose non-ASCII bytes are all valid UTF-8 is read as UTF-8 (servers and
// templates often keep a stale declaration after the content was converted).
func decode(body []byte, contentType string) ([]byte, Encoding) {
	var e Encoding
	if enc, name := bomEncoding(body); enc != nil {
		e = Encoding{Declared: name, From: "bom", BOM: true}
		if label, _ := prescanMeta(body); label != "" {
			e.Declared = label // the page's own label, for reporting; the BOM still decides
		}
		return transform(body, enc, name, e)
	}
	if _, params, err := mime.ParseMediaType(contentType); err == nil && params["charset"] != "" {
		e.Declared, e.From = params["charset"], "header"
	} else if label, _ := prescanMeta(body); label != "" {
		e.Declared, e.From = label, "meta"
	}
	var enc encoding.Encoding
	name := ""
	if e.Declared != "" {
		if en, err := htmlindex.Get(strings.TrimSpace(e.Declared)); err == nil {
			enc = en
			name, _ = htmlindex.Name(en)
		}
	}
	if enc == nil {
		// Nothing usable declared: let the HTML standard's sniffing guess.
		enc, name, _ = charset.DetermineEncoding(body, "text/html")
	}
	isUTF8 := name == "utf-8"
	valid := utf8.Valid(body)
	switch {
	case !isUTF8 && e.Declared == "" && !hasNonASCII(body):
		enc, name = unicode.UTF8, "utf-8" // plain ASCII reads the same either way
	case isUTF8 && !valid:
		enc, name = charmap.Windows1252, "windows-1252"
	case !isUTF8 && valid && hasNonASCII(body) && asciiCompatible(name):
		enc, name = unicode.UTF8, "utf-8"
	}
	return transform(body, enc, name, e)
}

func transform(body []byte, enc encoding.Encoding, name string, e Encoding) ([]byte, Encoding) {
	e.Used = name
	if name == "utf-8" {
		body = bytes.TrimPrefix(body, []byte("\xef\xbb\xbf"))
		if !utf8.Valid(body) {
			body = bytes.ToValidUTF8(body, []byte("\uFFFD"))
		}
		return body, e
	}
	out, err := enc.NewDecoder().Bytes(body)
	if err != nil || !utf8.Valid(out) {
		out = bytes.ToValidUTF8(out, []byte("\uFFFD"))
	}
	return out, e
}

func bomEncoding(b []byte) (encoding.Encoding, string) {
	switch {
	case bytes.HasPrefix(b, []byte("\xef\xbb\xbf")):
		return unicode.UTF8, "utf-8"
	case bytes.HasPrefix(b, []byte("\xfe\xff")):
		return unicode.UTF16(unicode.BigEndian, unicode.ExpectBOM), "utf-16be"
	case bytes.HasPrefix(b, []byte("\xff\xfe")):
		return unicode.UTF16(unicode.LittleEndian, unicode.ExpectBOM), "utf-16le"
	}
	return nil, ""
}

func hasNonASCII(b []byte) bool {
	for _, c := range b {
		if c >= 0x80 {
			return true
		}
	}
	return false
}

// asciiCompatible reports whether an encoding keeps ASCII bytes as ASCII, so that reading its
// bytes as UTF-8 is a plausible mistake to correct. UTF-16 is not.
func asciiCompatible(name string) bool {
	return !strings.HasPrefix(name, "utf-16") && name != "replacement"
}

// prescanMeta finds the charset label of a <meta charset> or <meta http-equiv="Content-Type">
// in the head of a page. It returns the label and whether the scan reached the body.
func prescanMeta(body []byte) (string, bool) {
	if len(body) > prescanLimit {
		body = body[:prescanLimit]
	}
	z := html.NewTokenizer(bytes.NewReader(body))
	for {
		switch z.Next() {
		case html.ErrorToken:
			return "", false
		case html.StartTagToken, html.SelfClosingTagToken:
			name, hasAttr := z.TagName()
			switch string(name) {
			case "body":
				return "", true
			case "meta":
				if !hasAttr {
					continue
				}
				if label := metaCharset(z); label != "" {
					return label, false
				}
			}
		}
	}
}

func metaCharset(z *html.Tokenizer) string {
	var httpEquiv bool
	var content string
	for {
		key, val, more := z.TagAttr()
		switch strings.ToLower(string(key)) {
		case "charset":
			return strings.TrimSpace(string(val))
		case "http-equiv":
			httpEquiv = strings.EqualFold(strings.TrimSpace(string(val)), "content-type")
		case "content":
			content = string(val)
		case "value":
			// Some serializers write value= for content=; content wins when both are there.
			if content == "" {
				content = string(val)
			}
		}
		if !more {
			break
		}
	}
	if !httpEquiv || content == "" {
		return ""
	}
	if _, params, err := mime.ParseMediaType(content); err == nil {
		return params["charset"]
	}
	// Tolerate "text/html; charset = x" and similar that mime rejects.
	i := strings.Index(strings.ToLower(content), "charset=")
	if i < 0 {
		return ""
	}
	return strings.Trim(strings.TrimSpace(content[i+len("charset="):]), `"';`)
}
