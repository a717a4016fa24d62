package catalog

import (
	"fmt"
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// TitleKey is the key both backends sort titles by: lower case without diacritics, so that
// "Écologie" sorts beside "ecology" rather than after "zoo".
func (r *Record) TitleKey() string {
	return Fold(r.Title)
}

// DateKey is the key "newest" sorts by: the issue date when known, else the year, else empty.
// ISO 8601 dates of any precision compare correctly as strings.
func (r *Record) DateKey() string {
	switch {
	case r.Date != "":
		return r.Date
	case r.Year != 0:
		return fmt.Sprintf("%04d", r.Year)
	}
	return ""
}

// Fold lower-cases s and strips its diacritics ("Müller" → "muller", "ß" → "ss").
func Fold(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range norm.NFKD.String(s) {
		switch {
		case unicode.Is(unicode.Mn, r):
			continue
		case r == 'ß':
			b.WriteString("ss")
		default:
			b.WriteRune(unicode.ToLower(r))
		}
	}
	return b.String()
}
