// Package locale holds the words of Orchard's pages in every language Orchard speaks, and picks
// the language a visitor reads. The messages are data (messages/*.toml, embedded); pages only look
// them up by id.
package locale

import (
	"cmp"
	"embed"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	goi18n "github.com/nicksnyder/go-i18n/v2/i18n"
	"github.com/pelletier/go-toml/v2"
	"golang.org/x/text/language"
	"golang.org/x/text/language/display"
	"golang.org/x/text/message"

	"github.com/orchard-oer/orchard/normalizer/lang"
)

//go:embed messages/*.toml
var messageFS embed.FS

// Tags are the languages Orchard speaks, English first: it is the fallback.
var Tags = []language.Tag{language.English, language.German, language.French, language.Spanish}

// Codes are the Tags as the two-letter codes of ?lang= and the language cookie.
var Codes = func() []string {
	out := make([]string, len(Tags))
	for i, t := range Tags {
		out[i] = t.String()
	}
	return out
}()

// byText reports whether a message is found by its English text: those whose ids start with
// "kb." translate sentences Orchard's knowledge base writes in English (license explanations,
// standings, remix reasons), those with "said." what the server writes in English on forms.
func byText(id string) bool { return strings.HasPrefix(id, "kb.") || strings.HasPrefix(id, "said.") }

// Catalog is every message in every language.
type Catalog struct {
	bundle  *goi18n.Bundle
	matcher language.Matcher
	// messages holds every message of each language by id.
	messages map[string]map[string]*goi18n.Message
	// kb finds a knowledge-base message by its English text; patterns hold those with
	// placeholders.
	kb         map[string]string
	patterns   []kbPattern
	localizers map[string]*Localizer
}

type kbPattern struct {
	re    *regexp.Regexp
	id    string
	names []string
	// prefix and literal measure how specific a pattern is: the text before its first
	// placeholder, and all its text that is not placeholders.
	prefix, literal int
}

var placeholder = regexp.MustCompile(`\{\{\s*\.(\w+)\s*\}\}`)

// Load reads the embedded message files.
func Load() (*Catalog, error) {
	c := &Catalog{
		bundle:   goi18n.NewBundle(language.English),
		matcher:  language.NewMatcher(Tags),
		messages: map[string]map[string]*goi18n.Message{},
		kb:       map[string]string{},
	}
	c.bundle.RegisterUnmarshalFunc("toml", toml.Unmarshal)
	for _, code := range Codes {
		f, err := c.bundle.LoadMessageFileFS(messageFS, "messages/"+code+".toml")
		if err != nil {
			return nil, fmt.Errorf("load messages for %s: %w", code, err)
		}
		c.messages[code] = map[string]*goi18n.Message{}
		for _, m := range f.Messages {
			c.messages[code][m.ID] = m
			if code != "en" || !byText(m.ID) {
				continue
			}
			if !placeholder.MatchString(m.Other) {
				c.kb[m.Other] = m.ID
				continue
			}
			p := kbPattern{id: m.ID}
			var re strings.Builder
			re.WriteString("^")
			rest := m.Other
			for _, loc := range placeholder.FindAllStringSubmatchIndex(m.Other, -1) {
				re.WriteString(regexp.QuoteMeta(m.Other[len(m.Other)-len(rest) : loc[0]]))
				re.WriteString("(.+?)")
				p.names = append(p.names, m.Other[loc[2]:loc[3]])
				rest = m.Other[loc[1]:]
			}
			p.prefix = placeholder.FindStringIndex(m.Other)[0]
			p.literal = len(placeholder.ReplaceAllString(m.Other, ""))
			re.WriteString(regexp.QuoteMeta(rest) + "$")
			p.re = regexp.MustCompile(re.String())
			c.patterns = append(c.patterns, p)
		}
	}
	c.localizers = map[string]*Localizer{}
	for _, code := range Codes {
		c.localizers[code] = c.newLocalizer(code)
	}
	// The most specific pattern is tried first: "Not quite. {{.Sentence}}" before
	// "{{.License}} allows adaptations.", "Not quite: you named {{.Named}}, …" before
	// "Not quite: {{.Sentence}}."
	slices.SortFunc(c.patterns, func(a, b kbPattern) int {
		return cmp.Or(b.prefix-a.prefix, b.literal-a.literal, strings.Compare(a.id, b.id))
	})
	return c, nil
}

// IDs lists the message ids of one language, sorted.
func (c *Catalog) IDs(code string) []string {
	ids := make([]string, 0, len(c.messages[code]))
	for id := range c.messages[code] {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	return ids
}

// Has reports whether a message id exists (in English, and so, by the completeness test, in
// every language).
func (c *Catalog) Has(id string) bool { return c.messages["en"][id] != nil }

// Match picks the language for a visitor: the first of choices (a ?lang= value, the cookie)
// that Orchard speaks, else the best match for the Accept-Language header, else English.
func (c *Catalog) Match(acceptLanguage string, choices ...string) string {
	for _, ch := range choices {
		if slices.Contains(Codes, ch) {
			return ch
		}
	}
	tags, _, _ := language.ParseAcceptLanguage(acceptLanguage)
	_, i, conf := c.matcher.Match(tags...)
	if conf == language.No {
		return Codes[0]
	}
	return Codes[i]
}

// Localizer speaks one language.
type Localizer struct {
	Code    string
	cat     *Catalog
	loc     *goi18n.Localizer
	printer *message.Printer
	// plain holds the messages without placeholders or plural forms, written once: most
	// lookups of a page are these.
	plain map[string]string
}

// For returns the localizer of a language code; an unknown code gets English.
func (c *Catalog) For(code string) *Localizer {
	if l, ok := c.localizers[code]; ok {
		return l
	}
	return c.localizers[Codes[0]]
}

func (c *Catalog) newLocalizer(code string) *Localizer {
	l := &Localizer{Code: code, cat: c, loc: goi18n.NewLocalizer(c.bundle, code),
		printer: message.NewPrinter(language.MustParse(code)), plain: map[string]string{}}
	for id, m := range c.messages["en"] {
		if m.One != "" || strings.Contains(m.Other, "{{") {
			continue
		}
		if s, err := l.loc.Localize(&goi18n.LocalizeConfig{MessageID: id}); err == nil {
			l.plain[id] = s
		}
	}
	return l
}

// T writes a message. args are either one count (which picks the plural form and is
// available as {{.Count}}) or name/value pairs, optionally after a count. A missing message
// shows its id, which the completeness test keeps from happening.
func (l *Localizer) T(id string, args ...any) string {
	if s, ok := l.plain[id]; ok {
		return s
	}
	lc := &goi18n.LocalizeConfig{MessageID: id}
	data := map[string]any{}
	if len(args)%2 == 1 {
		if m := l.cat.messages["en"][id]; m != nil && m.One != "" {
			lc.PluralCount = args[0] // only messages that count have the forms to choose from
		}
		data["Count"] = l.Number(args[0])
		args = args[1:]
	}
	for i := 0; i+1 < len(args); i += 2 {
		name, _ := args[i].(string)
		data[name] = args[i+1]
	}
	lc.TemplateData = data
	s, err := l.loc.Localize(lc)
	if err != nil {
		return id
	}
	return s
}

// TOr writes a message, or fallback when there is no message id.
func (l *Localizer) TOr(id, fallback string) string {
	if s := l.T(id); s != id {
		return s
	}
	return fallback
}

// Known translates a sentence Orchard's knowledge base wrote in English; a sentence with no
// message stays as it is.
func (l *Localizer) Known(english string) string {
	if l.Code == Codes[0] {
		return english
	}
	if id, ok := l.cat.kb[english]; ok {
		return l.T(id)
	}
patterns:
	for _, p := range l.cat.patterns {
		m := p.re.FindStringSubmatch(english)
		if m == nil {
			continue
		}
		var args []any
		for i, name := range p.names {
			v := m[i+1]
			switch {
			case name == "Element" || name == "State":
				// A line such as "Title: missing" only fits when its words are an element's
				// name and state.
				id := "check." + strings.ToLower(name) + "." + strings.ToLower(v)
				if !l.cat.Has(id) {
					continue patterns
				}
				v = l.T(id)
			case name == "Country":
				v = l.country(v)
			case strings.HasPrefix(name, "Sentence"):
				v = l.sentence(v)
			case listNames[name]:
				v = strings.ReplaceAll(v, " and ", " "+l.T("word.and")+" ")
			case strings.HasPrefix(name, "Languages"):
				v = l.each(v, " or ", "word.or", func(s string) string {
					if code, ok := lang.Normalize(s); ok {
						if n := l.LanguageName(code); n != "" {
							return n
						}
					}
					return s
				})
			case strings.HasPrefix(name, "Types"):
				v = l.each(v, " or ", "word.or", l.typeName)
			case name == "Actions":
				v = l.each(v, " and ", "word.and", l.sentence)
			case strings.HasPrefix(name, "Clauses"):
				v = l.each(v, ", ", "", l.sentence)
			case name == "Failures":
				v = l.each(v, "; ", "", l.sentence)
			}
			args = append(args, name, v)
		}
		// A number named Count picks the plural form.
		if i := slices.Index(p.names, "Count"); i >= 0 {
			args = append([]any{m[i+1]}, slices.Delete(args, 2*i, 2*i+2)...)
		}
		return l.T(p.id, args...)
	}
	return english
}

// KnownClauses translates clauses written in English and joined by commas, "in German, under
// CC BY", one by one.
func (l *Localizer) KnownClauses(english string) string {
	if l.Code == Codes[0] {
		return english
	}
	return l.each(english, ", ", "", l.sentence)
}

// listNames are the placeholders that hold lists written in English, "A, B and C".
var listNames = map[string]bool{"Licenses": true, "Items": true, "Titles": true, "Names": true}

// each translates the parts of a list written in English, "A or B", one by one, and joins
// them with the language's word for the separator (the message id join), or with sep itself.
func (l *Localizer) each(list, sep, join string, translate func(string) string) string {
	parts := strings.Split(list, sep)
	for i, p := range parts {
		parts[i] = translate(p)
	}
	if join != "" {
		sep = " " + l.T(join) + " "
	}
	return strings.Join(parts, sep)
}

// typeName names a resource type inside a sentence: French and Spanish write it in lower case.
func (l *Localizer) typeName(id string) string {
	n := l.TOr("type."+id, id)
	if l.Code == "fr" || l.Code == "es" {
		return strings.ToLower(n)
	}
	return n
}

// sentence translates a sentence set inside another, which may have lost its capital letter.
func (l *Localizer) sentence(english string) string {
	if s := l.Known(english); s != english {
		return s
	}
	if r, size := utf8.DecodeRuneInString(english); unicode.IsLower(r) {
		if up := string(unicode.ToUpper(r)) + english[size:]; l.Known(up) != up {
			return l.Known(up)
		}
	}
	return english
}

// Number writes a number as the language groups its digits.
func (l *Localizer) Number(n any) string { return l.printer.Sprint(n) }

// dateTime are the layouts of a moment in each language.
var dateTime = map[string]string{
	"en": "2006-01-02 15:04 MST",
	"de": "02.01.2006, 15:04 MST",
	"fr": "02/01/2006 15:04 MST",
	"es": "02/01/2006 15:04 MST",
}

// When writes a moment in UTC as the language writes dates.
func (l *Localizer) When(t time.Time) string {
	return t.UTC().Format(dateTime[l.Code])
}

// dateOnly are the layouts of a day in each language.
var dateOnly = map[string]string{"en": "2006-01-02", "de": "02.01.2006", "fr": "02/01/2006", "es": "02/01/2006"}

// Date writes a date or a moment that a record gives as text (2024-05-01, or RFC 3339 with a
// time) as the language writes dates; other text, such as a year alone, stays as it is.
func (l *Localizer) Date(s string) string {
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return l.When(t)
	}
	if t, err := time.Parse(time.DateOnly, s); err == nil {
		return t.Format(dateOnly[l.Code])
	}
	return s
}

// Name is the language's name in itself, as a switcher shows it.
func Name(code string) string {
	switch code {
	case "de":
		return "Deutsch"
	case "fr":
		return "Français"
	case "es":
		return "Español"
	}
	return "English"
}

// LanguageName is a language code's name in this localizer's language, or "" when it has none.
func (l *Localizer) LanguageName(code string) string {
	t, err := language.Parse(code)
	if err != nil {
		return ""
	}
	return display.Tags(language.MustParse(l.Code)).Name(t)
}

// Deed is the address of a Creative Commons license's deed in this language: the deed of
// https://creativecommons.org/licenses/by/4.0/ in German is …/by/4.0/deed.de. Other addresses
// stay as they are.
func (l *Localizer) Deed(url string) string {
	const cc = "https://creativecommons.org/"
	if !strings.HasPrefix(url, cc) || strings.Contains(url, "deed") || strings.Contains(url, "legalcode") {
		return url
	}
	if !strings.HasSuffix(url, "/") {
		url += "/"
	}
	return url + "deed." + l.Code
}

// regions finds a region by its English name, for sentences that name a country in English.
var regions = func() map[string]language.Region {
	out := map[string]language.Region{}
	for a := 'A'; a <= 'Z'; a++ {
		for b := 'A'; b <= 'Z'; b++ {
			r, err := language.ParseRegion(string([]rune{a, b}))
			if err != nil {
				continue
			}
			if n := display.English.Regions().Name(r); n != "" {
				out[n] = r
			}
		}
	}
	return out
}()

// portRegions are the regions Creative Commons' ports name otherwise than CLDR does.
var portRegions = map[string]string{"Czech Republic": "CZ", "Korea": "KR", "Macedonia": "MK"}

// country names a country, given by its English name, in this localizer's language; a port
// that is no country ("IGO", "UK: Scotland") has a message of its own.
func (l *Localizer) country(english string) string {
	r, ok := regions[english]
	if code, alias := portRegions[english]; alias {
		r, ok = language.MustParseRegion(code), true
	}
	if !ok {
		return l.Known(english)
	}
	if n := display.Regions(language.MustParse(l.Code)).Name(r); n != "" {
		return n
	}
	return english
}
