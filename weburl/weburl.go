// Package weburl reads the absolute http(s) URLs that enter Orchard: source addresses typed by
// an operator, and the page, landing and license URLs that harvested records carry. What it
// accepts it writes back in a form that is safe as a link target in Markdown and HTML: nothing
// in it can end a Markdown link, open a tag or quote, or break a line.
package weburl

import (
	"errors"
	"fmt"
	"net/url"
	"strings"
	"unicode/utf8"
)

// ErrInvalid wraps every refusal.
var ErrInvalid = errors.New("not an absolute http(s) URL")

// Parse reads raw as an absolute http or https URL with a host. Input with whitespace or
// control characters anywhere is refused, since it has been cut, joined or tampered with.
func Parse(raw string) (*url.URL, error) {
	if i := strings.IndexFunc(raw, unsafeRune); i >= 0 {
		return nil, fmt.Errorf("%w: %q has a space or control character at byte %d", ErrInvalid, Redact(raw), i)
	}
	if !httpScheme(raw) {
		// Most values tried as URLs are not (license names, local identifiers): refuse them
		// before parsing, with an error that is written out only if someone reads it.
		return nil, notHTTP(raw)
	}
	u, err := url.Parse(raw)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrInvalid, Redact(err.Error()))
	}
	u.Scheme = strings.ToLower(u.Scheme)
	if u.Opaque != "" || u.Host == "" || u.Hostname() == "" {
		return nil, fmt.Errorf("%w: %q has no host", ErrInvalid, Redact(raw))
	}
	if strings.ContainsFunc(u.Hostname(), func(r rune) bool { return r < 0x80 && escaped[r] }) {
		return nil, fmt.Errorf("%w: %q has characters no host name has", ErrInvalid, Redact(raw))
	}
	return u, nil
}

// httpScheme reports whether raw starts with http: or https:, in any case.
func httpScheme(raw string) bool {
	scheme, _, ok := strings.Cut(raw, ":")
	return ok && (strings.EqualFold(scheme, "http") || strings.EqualFold(scheme, "https"))
}

// notHTTP is ErrInvalid for a value that is not an http(s) URL.
type notHTTP string

func (e notHTTP) Error() string {
	scheme, _, ok := strings.Cut(string(e), ":")
	if !ok || strings.ContainsAny(scheme, "/?#") {
		return fmt.Sprintf("%v: %q has no scheme", ErrInvalid, Redact(string(e)))
	}
	return fmt.Sprintf("%v: %q has scheme %q", ErrInvalid, Redact(string(e)), strings.ToLower(scheme))
}

func (e notHTTP) Unwrap() error { return ErrInvalid }

// String writes u back with the characters that could end or break a link target in Markdown
// or HTML percent-encoded: spaces, quotes, parentheses, angle and other brackets, backslashes
// and control characters. The result means the same URL to a web server.
func String(u *url.URL) string {
	s := u.String()
	if !strings.ContainsFunc(s, func(r rune) bool { return r < 0x80 && escaped[r] }) {
		return s // the common case: nothing to encode
	}
	// The authority is written as Parse checked it (brackets around an IPv6 host stay).
	auth := (&url.URL{Scheme: u.Scheme, User: u.User, Host: u.Host}).String()
	var b strings.Builder
	start := 0
	if strings.HasPrefix(s, auth) {
		b.WriteString(auth)
		start = len(auth)
	}
	for i := start; i < len(s); i++ {
		c := s[i]
		if c < 0x80 && escaped[c] {
			fmt.Fprintf(&b, "%%%02X", c)
			continue
		}
		b.WriteByte(c)
	}
	return b.String()
}

// Clean parses raw strictly and writes it back safely.
func Clean(raw string) (string, error) {
	u, err := Parse(raw)
	if err != nil {
		return "", err
	}
	return String(u), nil
}

// Mend reads a URL as a harvested record wrote it: surrounding space is dropped and spaces or
// control characters inside are percent-encoded before it is parsed, so that a landing URL
// with a stray space still leads to its page, while nothing it carries can escape a link.
func Mend(raw string) (string, error) {
	raw = strings.TrimSpace(raw)
	if !httpScheme(raw) {
		return "", notHTTP(raw)
	}
	if !strings.ContainsFunc(raw, unsafeRune) {
		return Clean(raw)
	}
	var b strings.Builder
	for _, r := range raw {
		if unsafeRune(r) {
			for _, c := range utf8.AppendRune(nil, r) {
				fmt.Fprintf(&b, "%%%02X", c)
			}
			continue
		}
		b.WriteRune(r)
	}
	return Clean(b.String())
}

// unsafeRune reports whitespace and control characters, Unicode's included.
func unsafeRune(r rune) bool {
	return r <= ' ' || r == 0x7f || (r >= 0x80 && r <= 0x9f) || r == 0x85 || r == 0xa0 ||
		r == 0x1680 || (r >= 0x2000 && r <= 0x200a) || r == 0x2028 || r == 0x2029 ||
		r == 0x202f || r == 0x205f || r == 0x3000 || r == 0xfeff
}

// escaped marks the ASCII bytes String percent-encodes.
var escaped = func() (t [0x80]bool) {
	for c := range 0x21 {
		t[c] = true
	}
	t[0x7f] = true
	for _, c := range " \"'()<>[]{}`\\^|" {
		t[c] = true
	}
	return t
}()

// Redact hides the userinfo (user:password@) of every URL in s, so that a source URL that
// carries credentials can be logged, shown or put in an error. It works on text rather than
// on parsed URLs because it must also clean messages and URLs that do not parse.
func Redact(s string) string {
	if !strings.Contains(s, "@") {
		return s
	}
	var b strings.Builder
	for {
		i := strings.Index(s, "//")
		if i < 0 {
			break
		}
		b.WriteString(s[:i+2])
		s = s[i+2:]
		// The authority ends where the path, query, fragment or the text around the URL begins.
		end := strings.IndexFunc(s, func(r rune) bool {
			return r == '/' || r == '?' || r == '#' || r == '\\' || r == '"' || r == '\'' || r == '<' || r == '>' || r == '`' || unsafeRune(r)
		})
		if end < 0 {
			end = len(s)
		}
		if at := strings.LastIndexByte(s[:end], '@'); at >= 0 {
			b.WriteString(redacted + "@")
			s = s[at+1:]
		}
	}
	b.WriteString(s)
	return b.String()
}

// redacted stands for hidden userinfo.
const redacted = "xxxxx"
