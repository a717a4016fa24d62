// Package xmlscan reads XML held in memory into encoding/xml's tokens, as a strict
// encoding/xml Decoder that knows the HTML entities does, with a fraction of the allocations:
// names and short attribute values are interned, the tokens of attribute-less start elements
// and of end elements are shared between occurrences, and character data, comments and
// processing instructions are slices of the input unless entities or line breaks must be
// rewritten. An OAI-PMH page repeats the same few dozen element names thousands of times;
// encoding/xml allocates each name and token anew.
//
// Tokens are valid until the input slice changes; the Decoder never writes to it.
package xmlscan

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"io"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

const (
	xmlURL      = "http://www.w3.org/XML/1998/namespace"
	xmlnsPrefix = "xmlns"
	xmlPrefix   = "xml"
	// maxInterned bounds each intern table, so that a document of endless distinct names
	// costs what encoding/xml would, not more.
	maxInterned = 4096
	// maxInternedValue is the longest attribute value interned: namespace URIs and schema
	// locations repeat on every record; longer values rarely do.
	maxInternedValue = 256
)

// Decoder reads tokens from a byte slice.
type Decoder struct {
	b    []byte
	pos  int
	base int64 // bytes of earlier inputs, for InputOffset

	open    []frame   // elements started and not ended
	undo    []binding // namespace bindings to restore as elements end
	ns      map[string]string
	closing bool     // the last start element was empty: its end comes next
	toClose xml.Name // the raw name of that element
	err     error

	strs   map[string]string // interned names and values
	starts map[xml.Name]xml.Token
	ends   map[xml.Name]xml.Token
}

type frame struct {
	name xml.Name // as written, prefix not translated
	undo int      // len(undo) when the element started
}

type binding struct {
	prefix, url string
	had         bool
}

// New returns a Decoder reading b.
func New(b []byte) *Decoder {
	return &Decoder{b: b, ns: map[string]string{}, strs: map[string]string{},
		starts: map[xml.Name]xml.Token{}, ends: map[xml.Name]xml.Token{}}
}

// Continue goes on reading from b once the current input is used up, keeping the open
// elements and namespace bindings: a document can be read as a prefix and a remainder.
func (d *Decoder) Continue(b []byte) {
	d.base += int64(d.pos)
	d.b, d.pos = b, 0
}

// InputOffset is the offset, across every input, of the end of the last token read.
func (d *Decoder) InputOffset() int64 { return d.base + int64(d.pos) }

// Skip reads tokens until the end of the element most recently started.
func (d *Decoder) Skip() error {
	depth := 0
	for {
		tok, err := d.Token()
		if err != nil {
			return err
		}
		switch tok.(type) {
		case xml.StartElement:
			depth++
		case xml.EndElement:
			if depth == 0 {
				return nil
			}
			depth--
		}
	}
}

// Token returns the next token with its names translated to namespace URLs, checking that
// elements nest; it returns io.EOF at the end of the input with every element closed.
func (d *Decoder) Token() (xml.Token, error) {
	if d.err != nil {
		return nil, d.err
	}
	if d.closing {
		d.closing = false
		return d.end(d.toClose)
	}
	if d.pos >= len(d.b) {
		if len(d.open) > 0 {
			return nil, d.fail("unexpected EOF")
		}
		return nil, io.EOF
	}
	if d.b[d.pos] != '<' {
		data, err := d.text(-1, false)
		if err != nil {
			return nil, err
		}
		return xml.CharData(data), nil
	}
	d.pos++
	c, err := d.must()
	if err != nil {
		return nil, err
	}
	switch c {
	case '/':
		d.pos++
		name, ok := d.nsname()
		if !ok {
			return nil, d.fail("expected element name after </")
		}
		d.space()
		if c, err := d.must(); err != nil {
			return nil, err
		} else if c != '>' {
			return nil, d.fail("invalid characters between </" + name.Local + " and >")
		}
		d.pos++
		return d.end(name)
	case '?':
		d.pos++
		return d.procInst()
	case '!':
		d.pos++
		return d.bang()
	}
	return d.start()
}

// start reads a start tag; d.pos is just after its '<'.
func (d *Decoder) start() (xml.Token, error) {
	name, ok := d.nsname()
	if !ok {
		return nil, d.fail("expected element name after <")
	}
	var attrs []xml.Attr
	for {
		d.space()
		c, err := d.must()
		if err != nil {
			return nil, err
		}
		if c == '/' {
			d.pos++
			if c, err := d.must(); err != nil {
				return nil, err
			} else if c != '>' {
				return nil, d.fail("expected /> in element")
			}
			d.pos++
			d.closing, d.toClose = true, name
			break
		}
		if c == '>' {
			d.pos++
			break
		}
		a := xml.Attr{}
		if a.Name, ok = d.nsname(); !ok {
			return nil, d.fail("expected attribute name in element")
		}
		d.space()
		if c, err := d.must(); err != nil {
			return nil, err
		} else if c != '=' {
			return nil, d.fail("attribute name without = in element")
		}
		d.pos++
		d.space()
		q, err := d.must()
		if err != nil {
			return nil, err
		}
		if q != '"' && q != '\'' {
			return nil, d.fail("unquoted or missing attribute value in element")
		}
		d.pos++
		v, err := d.text(int(q), false)
		if err != nil {
			return nil, err
		}
		if len(v) <= maxInternedValue {
			a.Value = d.intern(v)
		} else {
			a.Value = string(v)
		}
		attrs = append(attrs, a)
	}

	// Bindings declared on the element apply to its own name and attributes.
	mark := len(d.undo)
	for _, a := range attrs {
		switch {
		case a.Name.Space == xmlnsPrefix:
			d.bind(a.Name.Local, a.Value)
		case a.Name.Space == "" && a.Name.Local == xmlnsPrefix:
			d.bind("", a.Value)
		}
	}
	d.open = append(d.open, frame{name: name, undo: mark})
	d.translate(&name, true)
	if len(attrs) == 0 {
		if tok, ok := d.starts[name]; ok {
			return tok, nil
		}
		tok := xml.Token(xml.StartElement{Name: name})
		if len(d.starts) < maxInterned {
			d.starts[name] = tok
		}
		return tok, nil
	}
	for i := range attrs {
		d.translate(&attrs[i].Name, false)
	}
	return xml.StartElement{Name: name, Attr: attrs}, nil
}

// bind declares prefix, remembering what it meant before.
func (d *Decoder) bind(prefix, url string) {
	old, had := d.ns[prefix]
	d.undo = append(d.undo, binding{prefix: prefix, url: old, had: had})
	d.ns[prefix] = url
}

// end checks an end tag against the open element and translates it.
func (d *Decoder) end(name xml.Name) (xml.Token, error) {
	if len(d.open) == 0 {
		return nil, d.fail("unexpected end element </" + name.Local + ">")
	}
	f := d.open[len(d.open)-1]
	switch {
	case f.name.Local != name.Local:
		return nil, d.fail("element <" + f.name.Local + "> closed by </" + name.Local + ">")
	case f.name.Space != name.Space:
		ns := name.Space
		if ns == "" {
			ns = `""`
		}
		return nil, d.fail("element <" + f.name.Local + "> in space " + f.name.Space + " closed by </" + name.Local + "> in space " + ns)
	}
	d.open = d.open[:len(d.open)-1]
	d.translate(&name, true)
	for len(d.undo) > f.undo {
		b := d.undo[len(d.undo)-1]
		d.undo = d.undo[:len(d.undo)-1]
		if b.had {
			d.ns[b.prefix] = b.url
		} else {
			delete(d.ns, b.prefix)
		}
	}
	if tok, ok := d.ends[name]; ok {
		return tok, nil
	}
	tok := xml.Token(xml.EndElement{Name: name})
	if len(d.ends) < maxInterned {
		d.ends[name] = tok
	}
	return tok, nil
}

// translate replaces a name's prefix by the namespace it is bound to; the default namespace
// applies to element names only, and an unbound prefix stays as it is.
func (d *Decoder) translate(n *xml.Name, element bool) {
	switch {
	case n.Space == xmlnsPrefix:
		return
	case n.Space == "" && !element:
		return
	case n.Space == xmlPrefix:
		n.Space = xmlURL
	case n.Space == "" && n.Local == xmlnsPrefix:
		return
	}
	if v, ok := d.ns[n.Space]; ok {
		n.Space = v
	}
}

// procInst reads <?target inst?>; d.pos is after "<?".
func (d *Decoder) procInst() (xml.Token, error) {
	target, ok := d.name()
	if !ok {
		return nil, d.fail("expected target name after <?")
	}
	d.space()
	i := bytes.Index(d.b[d.pos:], []byte("?>"))
	if i < 0 {
		d.pos = len(d.b)
		return nil, d.fail("unexpected EOF")
	}
	inst := d.b[d.pos : d.pos+i]
	d.pos += i + 2
	if target == "xml" {
		if v := procInstParam("version", string(inst)); v != "" && v != "1.0" {
			d.err = fmt.Errorf("xml: unsupported version %q; only version 1.0 is supported", v)
			return nil, d.err
		}
	}
	return xml.ProcInst{Target: target, Inst: inst}, nil
}

// procInstParam is the value of param="value" (or 'value') in a processing instruction.
func procInstParam(param, s string) string {
	for {
		i := strings.Index(s, param+"=")
		if i < 0 || i+len(param)+1 >= len(s) {
			return ""
		}
		s = s[i+len(param)+1:]
		if q := s[0]; q == '"' || q == '\'' {
			if j := strings.IndexByte(s[1:], q); j >= 0 {
				return s[1 : j+1]
			}
			return ""
		}
	}
}

// bang reads a comment, a CDATA section or a directive; d.pos is after "<!".
func (d *Decoder) bang() (xml.Token, error) {
	c, err := d.must()
	if err != nil {
		return nil, err
	}
	switch c {
	case '-':
		d.pos++
		if c, err := d.must(); err != nil {
			return nil, err
		} else if c != '-' {
			return nil, d.fail("invalid sequence <!- not part of <!--")
		}
		d.pos++
		// The first "--" must end the comment.
		start := d.pos
		i := bytes.Index(d.b[d.pos:], []byte("--"))
		if i < 0 || d.pos+i+2 >= len(d.b) {
			d.pos = len(d.b)
			return nil, d.fail("unexpected EOF")
		}
		d.pos += i + 2
		if d.b[d.pos] != '>' {
			return nil, d.fail(`invalid sequence "--" not allowed in comments`)
		}
		d.pos++
		return xml.Comment(d.b[start : d.pos-3]), nil
	case '[':
		d.pos++
		if len(d.b)-d.pos < len("CDATA[") {
			d.pos = len(d.b)
			return nil, d.fail("unexpected EOF")
		}
		if string(d.b[d.pos:d.pos+6]) != "CDATA[" {
			return nil, d.fail("invalid <![ sequence")
		}
		d.pos += 6
		data, err := d.text(-1, true)
		if err != nil {
			return nil, err
		}
		return xml.CharData(data), nil
	}
	return d.directive()
}

// directive reads <!DOCTYPE …> and the like: nested angle brackets count unless quoted, and
// a comment inside becomes a space. d.pos is after "<!", at a byte.
func (d *Decoder) directive() (xml.Token, error) {
	out := []byte{d.b[d.pos]} // the byte after "<!" is the directive's, whatever it is
	d.pos++
	var quote byte
	depth := 0
	for {
		c, err := d.must()
		if err != nil {
			return nil, err
		}
		d.pos++
		if quote == 0 && c == '>' && depth == 0 {
			return xml.Directive(out), nil
		}
		switch {
		case c == quote:
			quote = 0
		case quote != 0:
		case c == '\'' || c == '"':
			quote = c
		case c == '>':
			depth--
		case c == '<':
			if bytes.HasPrefix(d.b[d.pos:], []byte("!--")) {
				i := bytes.Index(d.b[d.pos+3:], []byte("-->"))
				if i < 0 {
					d.pos = len(d.b)
					return nil, d.fail("unexpected EOF")
				}
				d.pos += 3 + i + 3
				out = append(out, ' ')
				continue
			}
			depth++
		}
		out = append(out, c)
	}
}

// text reads character data up to '<' (quote < 0), to the closing quote of an attribute
// value, or to "]]>" in a CDATA section, with entities replaced and line ends made "\n".
// Data with nothing to replace is a slice of the input.
func (d *Decoder) text(quote int, cdata bool) ([]byte, error) {
	start := d.pos
	if !cdata { // the common case: printable ASCII up to the end
		i := start
		for i < len(d.b) && plain(d.b[i]) && int(d.b[i]) != quote {
			i++
		}
		switch {
		case quote < 0 && (i == len(d.b) || d.b[i] == '<'):
			d.pos = i
			return d.b[start:i], nil
		case quote >= 0 && i < len(d.b) && int(d.b[i]) == quote:
			d.pos = i + 1
			return d.b[start:i], nil
		}
	}
	return d.slowText(start, quote, cdata)
}

// plain is a byte text can hold as it is: printable ASCII but for '<', '&' and ']', a tab
// or a line feed.
func plain(c byte) bool {
	return c == '\t' || c == '\n' || c >= 0x20 && c < utf8.RuneSelf && c != '<' && c != '&' && c != ']'
}

// slowText is text for data with entities, carriage returns, "]" or bytes beyond ASCII. It
// copies only when the data differs from the input.
func (d *Decoder) slowText(start, quote int, cdata bool) ([]byte, error) {
	var buf []byte // the data, once it differs from the input
	var b0, b1 byte
	i, end := start, -1
	for end < 0 {
		if i >= len(d.b) {
			d.pos = i
			switch {
			case cdata:
				return nil, d.fail("unexpected EOF in CDATA section")
			case quote >= 0:
				return nil, d.fail("unexpected EOF")
			}
			end = i
			break
		}
		c := d.b[i]
		switch {
		case quote < 0 && b0 == ']' && b1 == ']' && c == '>':
			if !cdata {
				d.pos = i
				return nil, d.fail("unescaped ]]> not in CDATA section")
			}
			end = i - 2
			if buf != nil {
				buf = buf[:len(buf)-2]
			}
			i++
			continue
		case c == '<' && !cdata:
			if quote >= 0 {
				d.pos = i
				return nil, d.fail("unescaped < inside quoted string")
			}
			end = i
			continue
		case quote >= 0 && int(c) == quote:
			end = i
			i++
			continue
		case c == '&' && !cdata:
			if buf == nil {
				buf = append([]byte(nil), d.b[start:i]...)
			}
			text, n, err := d.entity(i)
			if err != nil {
				return nil, err
			}
			buf = append(buf, text...)
			i += n
			b0, b1 = 0, 0
			continue
		case c == '\r':
			if buf == nil {
				buf = append([]byte(nil), d.b[start:i]...)
			}
			buf = append(buf, '\n')
		case b1 == '\r' && c == '\n': // written as the '\r'
		default:
			if buf != nil {
				buf = append(buf, c)
			}
		}
		b0, b1 = b1, c
		i++
	}
	d.pos = i
	data := buf
	if data == nil {
		data = d.b[start:end]
	}
	for rest := data; len(rest) > 0; {
		r, size := utf8.DecodeRune(rest)
		if r == utf8.RuneError && size == 1 {
			return nil, d.fail("invalid UTF-8")
		}
		if !inCharRange(r) {
			return nil, d.fail(fmt.Sprintf("illegal character code %U", r))
		}
		rest = rest[size:]
	}
	return data, nil
}

// entity reads the reference at d.b[at] ('&') and returns its text and length.
func (d *Decoder) entity(at int) (string, int, error) {
	i := at + 1
	if i >= len(d.b) {
		d.pos = len(d.b)
		return "", 0, d.fail("unexpected EOF")
	}
	var text string
	ok := false
	if d.b[i] == '#' {
		i++
		base := 10
		if i < len(d.b) && d.b[i] == 'x' {
			base = 16
			i++
		}
		digits := i
		for i < len(d.b) && ('0' <= d.b[i] && d.b[i] <= '9' || base == 16 && ('a' <= d.b[i] && d.b[i] <= 'f' || 'A' <= d.b[i] && d.b[i] <= 'F')) {
			i++
		}
		if i >= len(d.b) {
			d.pos = len(d.b)
			return "", 0, d.fail("unexpected EOF")
		}
		if d.b[i] == ';' {
			n, err := strconv.ParseUint(string(d.b[digits:i]), base, 64)
			if err == nil && n <= unicode.MaxRune {
				text, ok = string(rune(n)), true
			}
			i++
		}
	} else {
		j := i
		for j < len(d.b) && (d.b[j] >= utf8.RuneSelf || isNameByte(d.b[j])) {
			j++
		}
		if j >= len(d.b) {
			d.pos = len(d.b)
			return "", 0, d.fail("unexpected EOF")
		}
		if d.b[j] == ';' {
			if name := d.b[i:j]; isName(name) {
				switch string(name) {
				case "lt":
					text, ok = "<", true
				case "gt":
					text, ok = ">", true
				case "amp":
					text, ok = "&", true
				case "apos":
					text, ok = "'", true
				case "quot":
					text, ok = `"`, true
				default:
					text, ok = xml.HTMLEntity[string(name)]
				}
			}
			j++
		}
		i = j
	}
	if ok {
		return text, i - at, nil
	}
	ent := string(d.b[at:i])
	if !strings.HasSuffix(ent, ";") {
		ent += " (no semicolon)"
	}
	d.pos = i
	return "", 0, d.fail("invalid character entity " + ent)
}

// nsname reads a name and splits it at its colon.
func (d *Decoder) nsname() (xml.Name, bool) {
	s, ok := d.name()
	if !ok {
		return xml.Name{}, false
	}
	space, local, found := strings.Cut(s, ":")
	switch {
	case strings.Count(s, ":") > 1:
		return xml.Name{}, false
	case !found || space == "" || local == "":
		return xml.Name{Local: s}, true
	}
	return xml.Name{Space: space, Local: local}, true
}

// name reads an XML name, interned.
func (d *Decoder) name() (string, bool) {
	start := d.pos
	for d.pos < len(d.b) && (d.b[d.pos] >= utf8.RuneSelf || isNameByte(d.b[d.pos])) {
		d.pos++
	}
	b := d.b[start:d.pos]
	if len(b) == 0 {
		return "", false
	}
	if s, ok := d.strs[string(b)]; ok {
		return s, true // checked when it was first seen
	}
	if !isName(b) {
		d.fail("invalid XML name: " + string(b))
		return "", false
	}
	return d.intern(b), true
}

func (d *Decoder) intern(b []byte) string {
	if s, ok := d.strs[string(b)]; ok {
		return s
	}
	s := string(b)
	if len(d.strs) < maxInterned {
		d.strs[s] = s
	}
	return s
}

// space skips white space.
func (d *Decoder) space() {
	for d.pos < len(d.b) {
		switch d.b[d.pos] {
		case ' ', '\r', '\n', '\t':
			d.pos++
		default:
			return
		}
	}
}

// must is the byte at d.pos, or an unexpected EOF.
func (d *Decoder) must() (byte, error) {
	if d.pos >= len(d.b) {
		return 0, d.fail("unexpected EOF")
	}
	return d.b[d.pos], nil
}

// fail records a syntax error at the current line; every later call returns it.
func (d *Decoder) fail(msg string) error {
	if d.err == nil {
		d.err = &xml.SyntaxError{Msg: msg, Line: 1 + bytes.Count(d.b[:min(d.pos, len(d.b))], []byte("\n"))}
	}
	return d.err
}

func isNameByte(c byte) bool {
	return 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' ||
		c == '_' || c == ':' || c == '.' || c == '-'
}

// isName checks the name production: for ASCII, a letter, '_' or ':' first, then also digits,
// '.' and '-'. Names beyond ASCII are rare and their character classes intricate: encoding/xml
// judges them, so that both accept the same documents.
func isName(s []byte) bool {
	for i, c := range s {
		switch {
		case c >= utf8.RuneSelf:
			_, err := xml.NewDecoder(bytes.NewReader(append(append([]byte("<"), s...), "/>"...))).RawToken()
			return err == nil
		case i == 0 && !('A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || c == '_' || c == ':'):
			return false
		}
	}
	return true
}

func inCharRange(r rune) bool {
	return r == 0x09 || r == 0x0A || r == 0x0D || r >= 0x20 && r <= 0xD7FF ||
		r >= 0xE000 && r <= 0xFFFD || r >= 0x10000 && r <= 0x10FFFF
}
