package license

import (
	"github.com/orchard-oer/orchard/normalizer/text"
	"html"
	"strings"

	"github.com/orchard-oer/orchard/markdown"
	"github.com/orchard-oer/orchard/weburl"
)

// Work is what an attribution names: title, author, source (TASL with the license).
type Work struct {
	Title     string
	Author    string
	AuthorURL string
	SourceURL string
	// Change says how the work was modified, as a past participle ("adapted", "translated"),
	// and makes the attribution a modification notice: "Adapted from "Title" by A, which is
	// licensed under …". Empty for the work as it is.
	Change string
}

// Common modifications.
const (
	ChangeAdapted    = "adapted"
	ChangeTranslated = "translated"
)

// Format is an attribution's output format.
type Format string

const (
	FormatText     Format = "text"
	FormatHTML     Format = "html"
	FormatMarkdown Format = "markdown"
)

// Attribute writes an attribution for w under t in English: title, author, source and license,
// with the license URL whenever the tool has one. The HTML form carries the ccREL/RDFa markup of
// the Creative Commons license chooser. Public-domain tools are not licenses: the Public Domain
// Mark "marks" a work and CC0 "dedicates" it.
func Attribute(w Work, t Tool, f Format) string { return AttributeIn(w, t, f, "en") }

// AttributeIn is Attribute in a language ("en", "de", "fr", "es"; English for others), in the
// words of Creative Commons' own deeds in that language.
func AttributeIn(w Work, t Tool, f Format, lang string) string {
	// An attribution is one line; the URLs, the tool's too (an unknown license's URL comes
	// from the record), are http(s) only.
	w.Title, w.Author = oneLine(w.Title), oneLine(w.Author)
	w.Change = strings.ToLower(oneLine(w.Change))
	w.AuthorURL, w.SourceURL, t.URL = safeURL(w.AuthorURL), safeURL(w.SourceURL), safeURL(t.URL)
	a := attribution{Work: w, t: t, p: wordingOf(lang)}
	switch f {
	case FormatHTML:
		return a.html()
	case FormatMarkdown:
		return a.markdown()
	}
	return a.text()
}

// attribution is one work's credit line being written in one language.
type attribution struct {
	Work
	t Tool
	p *wording
}

// verb is how the sentence joins the work to its tool: the words before the tool's name, and
// those after it that some languages need ("ist mit CC0 1.0 der Gemeinfreiheit gewidmet").
func (a attribution) verb() (before, after string) {
	v := a.p.verbs
	if a.Change != "" {
		v = a.p.clauses // a modification notice speaks of the original in a clause
	}
	key := "licensed"
	switch {
	case a.t.ID == idPDM:
		key = "marked"
	case a.t.ID == idCC0:
		key = "dedicated"
	case a.t.ID == idPublicDomain:
		key = "public"
	case a.t.ID == idReserved:
		key = "reserved"
	case a.t.Kind == KindRightsStatement:
		key = "statement"
	}
	before, after, _ = strings.Cut(v[key], "%s")
	return before, after
}

// lead begins a modification notice ("Adapted from "), "" for an unchanged work.
func (a attribution) lead() string {
	if a.Change == "" {
		return ""
	}
	if l, ok := a.p.leads[a.Change]; ok {
		return l
	}
	if a.p == &english {
		return strings.ToUpper(a.Change[:1]) + a.Change[1:] + " from "
	}
	return a.p.leads[ChangeAdapted]
}

// untitled names a work without a title.
func (a attribution) untitled() string {
	if a.Change != "" {
		return a.p.thisWorkInClause
	}
	return a.p.thisWork
}

func (a attribution) toolName() string {
	switch {
	case a.t.ID == "":
		return a.p.unknown
	case a.t.ID == idPublicDomain:
		return a.p.publicDomain
	case a.t.ID == idReserved:
		return a.p.reserved
	case a.t.Kind == KindRightsStatement:
		return a.t.Title
	}
	return a.t.Label
}

func (a attribution) text() string {
	var b strings.Builder
	b.WriteString(a.lead())
	if a.Title != "" {
		b.WriteString(a.p.open + a.Title + a.p.close)
	} else {
		b.WriteString(a.untitled())
	}
	if a.SourceURL != "" {
		b.WriteString(" (" + a.SourceURL + ")")
	}
	if a.Author != "" {
		b.WriteString(a.p.by + a.Author)
	}
	before, after := a.verb()
	b.WriteString(before + a.toolName() + after + ".")
	switch {
	case a.t.URL == "":
	case a.t.Kind == KindCC || a.t.Kind == KindSoftware:
		b.WriteString(a.p.view + a.t.URL)
	default:
		b.WriteString(a.p.see + a.t.URL)
	}
	return b.String()
}

func (a attribution) html() string {
	e := html.EscapeString
	var b strings.Builder
	b.WriteString(`<p xmlns:cc="http://creativecommons.org/ns#" xmlns:dct="http://purl.org/dc/terms/">`)
	b.WriteString(e(a.lead()))
	switch {
	case a.Title != "" && a.SourceURL != "":
		b.WriteString(`<a property="dct:title" rel="cc:attributionURL" href="` + e(a.SourceURL) + `">` + e(a.Title) + `</a>`)
	case a.Title != "":
		b.WriteString(`<span property="dct:title">` + e(a.Title) + `</span>`)
	case a.SourceURL != "":
		b.WriteString(`<a rel="cc:attributionURL" href="` + e(a.SourceURL) + `">` + e(a.untitled()) + `</a>`)
	default:
		b.WriteString(e(a.untitled()))
	}
	if a.Author != "" {
		b.WriteString(e(a.p.by))
		if a.AuthorURL != "" {
			b.WriteString(`<a rel="cc:attributionURL dct:creator" property="cc:attributionName" href="` +
				e(a.AuthorURL) + `">` + e(a.Author) + `</a>`)
		} else {
			b.WriteString(`<span property="cc:attributionName">` + e(a.Author) + `</span>`)
		}
	}
	before, after := a.verb()
	b.WriteString(e(before))
	if a.t.URL != "" {
		b.WriteString(`<a href="` + e(a.t.URL) + `" target="_blank" rel="license noopener noreferrer" style="display:inline-block;">` +
			e(a.toolName()) + `</a>`)
	} else {
		b.WriteString(e(a.toolName()))
	}
	b.WriteString(e(after) + "</p>")
	return b.String()
}

// markdown links only to http(s) URLs (markdown.Link writes a URL that is not one as its text
// alone) and writes every name as literal text on one line.
func (a attribution) markdown() string {
	var b strings.Builder
	if lead := a.lead(); lead != "" {
		b.WriteString(markdown.Text(lead) + " ")
	}
	title := a.Title
	if title == "" {
		title = a.untitled()
	}
	b.WriteString(markdown.Link(title, a.SourceURL))
	if a.Author != "" {
		b.WriteString(a.p.by + markdown.Link(a.Author, a.AuthorURL))
	}
	before, after := a.verb()
	b.WriteString(before + markdown.Link(a.toolName(), a.t.URL) + after)
	return b.String()
}

// oneLine collapses runs of white space, line breaks among them, to one space.
func oneLine(s string) string { return text.Collapse(s) }

// safeURL keeps only http(s) URLs, written so that they cannot end a link target early: an
// attribution never carries a javascript: link or an injected one.
func safeURL(u string) string {
	u, _ = weburl.Mend(u)
	return u
}
