package license

import "testing"

var sink Reading

func benchParse(b *testing.B, in string) {
	b.ReportAllocs()
	for b.Loop() {
		sink = Parse(in)
	}
	if sink.Tool.ID == "" {
		b.Fatalf("Parse(%q) recognised nothing", in)
	}
}

func BenchmarkParseURL(b *testing.B) {
	benchParse(b, "https://creativecommons.org/licenses/by-nc-sa/3.0/de/deed.en")
}

func BenchmarkParseURLMessy(b *testing.B) {
	benchParse(b, " <HTTP://www.creativecommons.org//licenses/by/4.0/legalcode.txt?ref=chooser-v1> ")
}

func BenchmarkParseBadge(b *testing.B) {
	benchParse(b, "https://i.creativecommons.org/l/by-sa/4.0/88x31.png")
}

func BenchmarkParseSPDX(b *testing.B) {
	benchParse(b, "CC-BY-NC-ND-3.0-IGO")
}

func BenchmarkParseText(b *testing.B) {
	benchParse(b, "Creative Commons Namensnennung - Weitergabe unter gleichen Bedingungen 4.0 International")
}

func BenchmarkParseTextShort(b *testing.B) {
	benchParse(b, "CC BY-SA 3.0 DE")
}

func BenchmarkParseHTML(b *testing.B) {
	benchParse(b, `<a rel="license" href="http://creativecommons.org/licenses/by-nc-sa/3.0/fr/"><img src="https://i.creativecommons.org/l/by-nc-sa/3.0/fr/88x31.png"/></a>`)
}
