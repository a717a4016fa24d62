package xmlscan

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/orchard-oer/orchard/internal/testenv"
)

// reference is encoding/xml set up as the OAI-PMH decoder uses it.
func reference(b []byte) *xml.Decoder {
	d := xml.NewDecoder(bytes.NewReader(b))
	d.Strict = true
	d.Entity = xml.HTMLEntity
	d.CharsetReader = func(_ string, r io.Reader) (io.Reader, error) { return r, nil }
	return d
}

// show writes a token so that two streams can be compared; an attribute list that is empty
// and one that is nil read the same.
func show(tok xml.Token) string {
	switch t := tok.(type) {
	case xml.StartElement:
		s := fmt.Sprintf("start {%s}%s", t.Name.Space, t.Name.Local)
		for _, a := range t.Attr {
			s += fmt.Sprintf(" {%s}%s=%q", a.Name.Space, a.Name.Local, a.Value)
		}
		return s
	case xml.EndElement:
		return fmt.Sprintf("end {%s}%s", t.Name.Space, t.Name.Local)
	case xml.CharData:
		return fmt.Sprintf("text %q", t)
	case xml.Comment:
		return fmt.Sprintf("comment %q", t)
	case xml.ProcInst:
		return fmt.Sprintf("procinst %s %q", t.Target, t.Inst)
	case xml.Directive:
		return fmt.Sprintf("directive %q", t)
	}
	return fmt.Sprintf("%T", tok)
}

// same fails unless xmlscan reads b as encoding/xml does: the same tokens, with offsets, and an
// error (of any wording) at the same token or the end of input at the same token.
func same(t *testing.T, b []byte) {
	t.Helper()
	ref, got := reference(b), New(b)
	for n := 0; ; n++ {
		want, werr := ref.Token()
		have, herr := got.Token()
		if (werr != nil) != (herr != nil) {
			t.Fatalf("token %d: encoding/xml %s (%v), xmlscan %s (%v)\ninput %q", n, show(want), werr, show(have), herr, b)
		}
		if werr != nil {
			if errors.Is(werr, io.EOF) != errors.Is(herr, io.EOF) {
				t.Fatalf("token %d: encoding/xml ends with %v, xmlscan with %v\ninput %q", n, werr, herr, b)
			}
			return
		}
		if show(want) != show(have) {
			t.Fatalf("token %d: encoding/xml %s, xmlscan %s\ninput %q", n, show(want), show(have), b)
		}
		if ref.InputOffset() != got.InputOffset() {
			t.Fatalf("token %d (%s): offset %d, encoding/xml %d\ninput %q", n, show(have), got.InputOffset(), ref.InputOffset(), b)
		}
	}
}

var cases = []string{
	``,
	`<a/>`,
	`<?xml version="1.0" encoding="UTF-8"?>` + "\n" + `<OAI-PMH xmlns="http://www.openarchives.org/OAI/2.0/"><responseDate>2024-01-01T00:00:00Z</responseDate></OAI-PMH>`,
	`<?xml version="1.1"?><a/>`,
	`<r xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:title xml:lang="de">Zelle &amp; Kern</dc:title><dc:x a='1' b="2"/></r>`,
	`<r xmlns="urn:a"><s xmlns="urn:b"><t/></s><t/></r>`,
	`<r xmlns:p="urn:a"><p:s xmlns:p="urn:b"><p:t/></p:s><p:t/></r>`,
	`<r><q:s/></r>`,
	`<a>one&#10;two&#x41;&nbsp;&eacute;&lt;&gt;&quot;&apos;</a>`,
	"<a>line\r\nbreak\rcr</a>",
	"<a b='x\r\ny'/>",
	`<a><![CDATA[<b>not a tag</b> ]] ]]></a>`,
	`<a><![CDATA[unterminated</a>`,
	`<a><!-- a comment --><!----></a>`,
	`<a><!-- bad -- comment --></a>`,
	`<!DOCTYPE html [<!ENTITY x "y"> <!-- c --> ]><a/>`,
	`<a>text ]]> here</a>`,
	`<a>&unknown;</a>`,
	`<a>&amp</a>`,
	`<a>&#;</a>`,
	`<a>&#xZZ;</a>`,
	`<a>&#1114112;</a>`,
	`<a>&#0;</a>`,
	"<a>\x01</a>",
	"<a>\xff\xfe</a>",
	`<a>Größe café 東京</a>`,
	`<größe>x</größe>`,
	`<a></b>`,
	`<p:a xmlns:p="urn:x"></q:a>`,
	`</a>`,
	`<a>`,
	`<a b=c/>`,
	`<a b/>`,
	`<a b="<"/>`,
	`<a b="x]]>y"/>`,
	`<a   b = "1"   c='2'  >t</a  >`,
	`<a></a junk>`,
	`<1a/>`,
	`<a:b:c/>`,
	`<:a/>`,
	`<a:/>`,
	`<a/><b/>trailing`,
	`<?pi some data?><a/>`,
	`<?pi unterminated`,
	`<!-`,
	`<![CDAT[x]]>`,
	`<a xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:schemaLocation="a b"><xmlns:x/></a>`,
	`<a>` + string(bytes.Repeat([]byte("x"), 5000)) + `</a>`,
}

func TestMatchesEncodingXML(t *testing.T) {
	for _, c := range cases {
		same(t, []byte(c))
	}
}

// TestMatchesOnRecordedResponses reads every recorded response and sitemap of the corpus as
// encoding/xml does.
func TestMatchesOnRecordedResponses(t *testing.T) {
	files, _ := filepath.Glob(filepath.Join(testenv.Corpus(t), "*", "*", "*.xml"))
	if len(files) < 100 {
		t.Fatalf("%d recorded XML files in the corpus", len(files))
	}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		same(t, b)
	}
}

// TestContinue reads a document as a prefix and a remainder.
func TestContinue(t *testing.T) {
	doc := []byte(`<r xmlns:p="urn:a"><list><p:rec>1</p:rec><p:rec>2</p:rec></list></r>`)
	head := doc[:bytes.Index(doc, []byte("<list>"))+len("<list>")]
	d := New(head)
	for d.InputOffset() < int64(len(head)) {
		if _, err := d.Token(); err != nil {
			t.Fatal(err)
		}
	}
	d.Continue(doc[bytes.Index(doc, []byte("<p:rec>2")):])
	var got []string
	for {
		tok, err := d.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, show(tok))
	}
	want := []string{"start {urn:a}rec", `text "2"`, "end {urn:a}rec", "end {}list", "end {}r"}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("after Continue: %q, want %q", got, want)
	}
}

func FuzzMatchesEncodingXML(f *testing.F) {
	for _, c := range cases {
		f.Add([]byte(c))
	}
	f.Fuzz(func(t *testing.T, b []byte) { same(t, b) })
}

// BenchmarkTokens reads a recorded page of 100 LOM records with each decoder.
func BenchmarkTokens(b *testing.B) {
	page, err := os.ReadFile(filepath.Join(testenv.Corpus(b), "oai", "froac-unal", "ListRecords_lom_full.xml"))
	if err != nil {
		b.Fatal(err)
	}
	read := func(b *testing.B, next func() (xml.Token, error)) {
		for {
			if _, err := next(); err == io.EOF {
				return
			} else if err != nil {
				b.Fatal(err)
			}
		}
	}
	b.Run("encoding-xml", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			read(b, reference(page).Token)
		}
	})
	b.Run("xmlscan", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			read(b, New(page).Token)
		}
	})
}
