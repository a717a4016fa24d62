package weburl

import (
	"errors"
	"net/url"
	"strings"
	"testing"
)

func TestParse(t *testing.T) {
	tests := []struct {
		in   string
		want string // Clean's output; empty when refused
	}{
		{"https://example.org/a/b?c=d#e", "https://example.org/a/b?c=d#e"},
		{"HTTP://Example.org", "http://Example.org"},
		{"http://example.org:8080/x", "http://example.org:8080/x"},
		{"http://[::1]:8080/x", "http://[::1]:8080/x"},
		{"https://de.wikipedia.org/wiki/Baum_(Begriffskl%C3%A4rung)", "https://de.wikipedia.org/wiki/Baum_%28Begriffskl%C3%A4rung%29"},
		{`http://example.org/a"b'c`, "http://example.org/a%22b%27c"},
		{"http://example.org/?q=<script>", "http://example.org/?q=%3Cscript%3E"},
		{"http://example.org/?q=a|b^c`d{e}", "http://example.org/?q=a%7Cb%5Ec%60d%7Be%7D"},
		{`http://example.org/a\b`, "http://example.org/a%5Cb"},
		{"https://example.org/ü", "https://example.org/%C3%BC"},
		{"javascript:alert(1)", ""},
		{"ftp://example.org/x", ""},
		{"mailto:someone@example.org", ""},
		{"//example.org/x", ""},
		{"/relative/path", ""},
		{"http://", ""},
		{"http:///path", ""},
		{"http:example.org", ""},
		{"http://:80/", ""},
		{"http://exa(mple.org/", ""},
		{"http://example.org/a b", ""},
		{" http://example.org/", ""},
		{"http://example.org/\n# heading", ""},
		{"http://example.org/\t", ""},
		{"http://example.org/\x00", ""},
		{"http://example.org/\u00a0", ""},
		{"http://example.org/\u2028", ""},
		{"", ""},
	}
	for _, tt := range tests {
		got, err := Clean(tt.in)
		if tt.want == "" {
			if err == nil || !errors.Is(err, ErrInvalid) {
				t.Errorf("Clean(%q) = %q, %v; want ErrInvalid", tt.in, got, err)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("Clean(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
		}
	}
}

func TestMend(t *testing.T) {
	tests := []struct {
		in, want string
	}{
		{"  https://example.org/a  \n", "https://example.org/a"},
		{"http://example.org/a) [CLICK](javascript:alert(1)) (", "http://example.org/a%29%20%5BCLICK%5D%28javascript:alert%281%29%29%20%28"},
		{"http://example.org/a\n# injected\nb", "http://example.org/a%0A#%20injected%0Ab"},
		{"http://example.org/a\u00a0b", "http://example.org/a%C2%A0b"},
		{"javascript:alert(1)", ""},
		{"http://exa mple.org/", ""},
		{"not a url", ""},
	}
	for _, tt := range tests {
		got, err := Mend(tt.in)
		if tt.want == "" {
			if err == nil {
				t.Errorf("Mend(%q) = %q, want an error", tt.in, got)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("Mend(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
		}
	}
}

// FuzzParse checks that whatever Parse accepts comes out safe, parses again and stays the
// same when cleaned twice.
func FuzzParse(f *testing.F) {
	for _, s := range []string{"https://example.org/a?b=c#d", "http://[::1]:1/(x)", "http://h/a) [x](javascript:y) ("} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		for _, clean := range []func(string) (string, error){Clean, Mend} {
			out, err := clean(raw)
			if err != nil {
				continue
			}
			u, err := Parse(out)
			if err != nil {
				t.Fatalf("%q cleaned to %q, which does not parse: %v", raw, out, err)
			}
			if again := String(u); again != out {
				t.Fatalf("%q cleaned to %q, then to %q", raw, out, again)
			}
			rest := strings.TrimPrefix(out, (&url.URL{Scheme: u.Scheme, User: u.User, Host: u.Host}).String())
			if i := strings.IndexFunc(rest, func(r rune) bool { return r < 0x80 && escaped[r] }); i >= 0 {
				t.Fatalf("%q cleaned to %q, with %q left in", raw, out, rest[i])
			}
		}
	})
}

func TestRedact(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"https://example.org/oai", "https://example.org/oai"},
		{"https://user:pw@example.org/oai", "https://xxxxx@example.org/oai"},
		{"https://user@example.org", "https://xxxxx@example.org"},
		{"get https://a:b@h/x?u=c@d: HTTP 500", "get https://xxxxx@h/x?u=c@d: HTTP 500"},
		{`Get "http://u:p%40ss@h:8/": EOF; then http://v:q@i/`, `Get "http://xxxxx@h:8/": EOF; then http://xxxxx@i/`},
		{"http://u:p@ss@h/", "http://xxxxx@h/"},
		{"mail me@example.org", "mail me@example.org"},
		{"//u:p@h", "//xxxxx@h"},
		{"http://h/p@q", "http://h/p@q"},
	} {
		if got := Redact(tc.in); got != tc.want {
			t.Errorf("Redact(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

// FuzzRedact checks that no password survives Redact, wherever the URL sits in the text.
func FuzzRedact(f *testing.F) {
	for _, s := range []string{"x https://u:secret@h/", "http://a:secret@b@c?d", "//:secret@", "a//b//c:secret@d"} {
		f.Add("get ", s, " failed")
	}
	f.Fuzz(func(t *testing.T, before, raw, after string) {
		u, err := url.Parse(raw)
		if err != nil || u.User == nil || u.Host == "" {
			return
		}
		pw, ok := u.User.Password()
		if !ok || len(pw) < 4 || strings.Contains(before+after, pw) || strings.Contains(u.Host+u.Path+u.RawQuery+u.Fragment, pw) {
			return
		}
		out := Redact(before + " " + u.String() + " " + after)
		if strings.Contains(out, pw) {
			t.Fatalf("password %q left in %q", pw, out)
		}
	})
}
