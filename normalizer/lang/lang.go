// Package lang normalizes the language values of harvested records ("English", "Deutsch",
// "ger", "deu", "de-DE", "en_US", "pt-BR", "français") to ISO 639-1 codes where a language
// has one and to ISO 639-3 codes otherwise, and names codes in English for facets.
//
// Lookups try, in order: the value as a code (639-1, 639-2/B, 639-2/T, 639-3) or a name
// (English, the language's own name, a few exonyms in the main European languages), each
// without case or accents; the primary subtag of a BCP 47 or POSIX locale ("pt" of "pt-BR");
// the value without a parenthetical ("Greek (modern)"); and the first of several values
// separated by ";", "," or "/".
package lang

import (
	"strings"
	"unicode/utf8"
)

// index maps folded codes and names to the normalized code.
var index = map[string]string{}

// names maps normalized codes to English names.
var names = map[string]string{}

func init() {
	for _, l := range append(iso6391[:len(iso6391):len(iso6391)], iso6393...) {
		code := l.code1
		if code == "" {
			code = l.codeT
		}
		names[code] = l.name
		for _, k := range []string{l.code1, l.codeB, l.codeT, l.name} {
			if k != "" {
				put(k, code)
			}
		}
	}
	for k, c := range individual {
		put(k, c)
	}
	for _, m := range []map[string]string{aliases, native, exonyms} {
		for k, c := range m {
			put(k, c)
		}
	}
}

// put adds a key without overriding an earlier one: codes and English names win over the
// looser tables.
func put(k, code string) {
	k = fold(strings.ToLower(k))
	if _, ok := index[k]; !ok {
		index[k] = code
	}
}

// Normalize returns the ISO 639-1 code of the language s names, or its ISO 639-3 code when it
// has no 639-1 code; ok is false (and code empty) when s names no language Orchard knows,
// including "und".
func Normalize(s string) (code string, ok bool) {
	s = strings.TrimRight(strings.ToLower(strings.TrimSpace(s)), " ;,.")
	if s == "" {
		return "", false
	}
	if c, ok := lookup(s); ok {
		return c, true
	}
	if strings.ContainsAny(s, ";,/") {
		for part := range strings.FieldsFuncSeq(s, func(r rune) bool { return r == ';' || r == ',' || r == '/' }) {
			if c, ok := lookup(strings.TrimSpace(part)); ok {
				return c, true
			}
		}
	}
	// Codes separated by spaces: "en fr".
	if f := strings.Fields(s); len(f) > 1 && len(f[0]) <= 3 {
		return lookup(f[0])
	}
	return "", false
}

func lookup(s string) (string, bool) {
	if c, ok := index[s]; ok {
		return c, true
	}
	f := fold(s)
	if c, ok := index[f]; ok {
		return c, true
	}
	// A locale: de-DE, en_US, zh-Hans-CN; x-… and i-… are not languages.
	if i := strings.IndexAny(f, "-_"); i >= 2 && i <= 3 {
		if c, ok := index[f[:i]]; ok {
			return c, true
		}
	}
	if i := strings.IndexAny(f, "(（"); i > 0 {
		if c, ok := index[strings.TrimSpace(f[:i])]; ok {
			return c, true
		}
	}
	return "", false
}

// Name returns the English name of a code Normalize returns, or "" for an unknown code.
func Name(code string) string {
	return names[strings.ToLower(code)]
}

// accents folds the accented Latin letters of language names to their base letters.
var accents = strings.NewReplacer(
	"á", "a", "à", "a", "â", "a", "ä", "a", "ã", "a", "å", "a", "ą", "a", "ă", "a",
	"ç", "c", "č", "c", "ć", "c", "ď", "d", "é", "e", "è", "e", "ê", "e", "ë", "e", "ě", "e", "ę", "e", "ə", "e",
	"í", "i", "ì", "i", "î", "i", "ï", "i", "ł", "l", "ñ", "n", "ň", "n", "ń", "n",
	"ó", "o", "ò", "o", "ô", "o", "ö", "o", "õ", "o", "ø", "o", "ř", "r", "š", "s", "ś", "s", "ş", "s", "ș", "s",
	"ť", "t", "ț", "t", "ú", "u", "ù", "u", "û", "u", "ü", "u", "ů", "u", "ý", "y", "ž", "z", "ź", "z", "ż", "z",
	"ß", "ss", "ʻ", "'", "‘", "'",
)

// fold removes accents from Latin letters; ASCII input is returned as is.
func fold(s string) string {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return accents.Replace(s)
		}
	}
	return s
}
