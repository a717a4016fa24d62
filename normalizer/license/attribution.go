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

// Attribute writes an attribution for w under t: title, author, source and license, with the
// license URL whenever the tool has one. The HTML form carries the ccREL/RDFa markup of the
// Creative Commons license chooser. Public-domain tools are not licenses: the Public Domain Mark
// "marks" a work and CC0 "dedicates" it.
func Attribute(w Work, t Tool, f Format) string {
	// An attribution is one line; the URLs, the tool's too (an unknown license's URL comes
	// from the record), are http(s) only.
	w.Title, w.Author = oneLine(w.Title), oneLine(w.Author)
	w.Change = strings.ToLower(oneLine(w.Change))
	w.AuthorURL, w.SourceURL, t.URL = safeURL(w.AuthorURL), safeURL(w.SourceURL), safeURL(t.URL)
	switch f {
	case FormatHTML:
		return attributeHTML(w, t)
	case FormatMarkdown:
		return attributeMarkdown(w, t)
	}
	return attributeText(w, t)
}

// verb is how the sentence joins the work to its tool.
func verb(t Tool) string {
	switch t.ID {
	case idPDM:
		return "is marked with"
	case idCC0:
		return "is dedicated to the public domain under"
	case idPublicDomain:
		return "is in the"
	case idReserved:
		return "is protected by copyright:"
	}
	if t.Kind == KindRightsStatement {
		return "carries the rights statement"
	}
	return "is licensed under"
}

// lead begins a modification notice ("Adapted from "), "" for an unchanged work.
func (w Work) lead() string {
	if w.Change == "" {
		return ""
	}
	return strings.ToUpper(w.Change[:1]) + w.Change[1:] + " from "
}

// untitled names a work without a title.
func (w Work) untitled() string {
	if w.Change != "" {
		return "this work"
	}
	return "This work"
}

// join links the work to the verb: a modification notice speaks of the original in a clause.
func (w Work) join(t Tool) string {
	if w.Change != "" {
		return ", which " + verb(t) + " "
	}
	return " " + verb(t) + " "
}

func toolName(t Tool) string {
	switch {
	case t.ID == "":
		return "an unknown license"
	case t.ID == idPublicDomain:
		return "public domain"
	case t.ID == idReserved:
		return "all rights reserved"
	case t.Kind == KindRightsStatement:
		return t.Title
	}
	return t.Label
}

func attributeText(w Work, t Tool) string {
	var b strings.Builder
	b.WriteString(w.lead())
	if w.Title != "" {
		b.WriteString("\"" + w.Title + "\"")
	} else {
		b.WriteString(w.untitled())
	}
	if w.SourceURL != "" {
		b.WriteString(" (" + w.SourceURL + ")")
	}
	if w.Author != "" {
		b.WriteString(" by " + w.Author)
	}
	b.WriteString(w.join(t) + toolName(t) + ".")
	switch {
	case t.URL == "":
	case t.Kind == KindCC || t.Kind == KindSoftware:
		b.WriteString(" To view a copy of this license, visit " + t.URL)
	default:
		b.WriteString(" See " + t.URL)
	}
	return b.String()
}

func attributeHTML(w Work, t Tool) string {
	e := html.EscapeString
	var b strings.Builder
	b.WriteString(`<p xmlns:cc="http://creativecommons.org/ns#" xmlns:dct="http://purl.org/dc/terms/">`)
	b.WriteString(e(w.lead()))
	switch {
	case w.Title != "" && w.SourceURL != "":
		b.WriteString(`<a property="dct:title" rel="cc:attributionURL" href="` + e(w.SourceURL) + `">` + e(w.Title) + `</a>`)
	case w.Title != "":
		b.WriteString(`<span property="dct:title">` + e(w.Title) + `</span>`)
	case w.SourceURL != "":
		b.WriteString(`<a rel="cc:attributionURL" href="` + e(w.SourceURL) + `">` + w.untitled() + `</a>`)
	default:
		b.WriteString(w.untitled())
	}
	if w.Author != "" {
		b.WriteString(" by ")
		if w.AuthorURL != "" {
			b.WriteString(`<a rel="cc:attributionURL dct:creator" property="cc:attributionName" href="` +
				e(w.AuthorURL) + `">` + e(w.Author) + `</a>`)
		} else {
			b.WriteString(`<span property="cc:attributionName">` + e(w.Author) + `</span>`)
		}
	}
	b.WriteString(e(w.join(t)))
	if t.URL != "" {
		b.WriteString(`<a href="` + e(t.URL) + `" target="_blank" rel="license noopener noreferrer" style="display:inline-block;">` +
			e(toolName(t)) + `</a>`)
	} else {
		b.WriteString(e(toolName(t)))
	}
	b.WriteString("</p>")
	return b.String()
}

// attributeMarkdown links only to http(s) URLs (markdown.Link writes a URL that is not one as
// its text alone) and writes every name as literal text on one line.
func attributeMarkdown(w Work, t Tool) string {
	var b strings.Builder
	if lead := w.lead(); lead != "" {
		b.WriteString(markdown.Text(lead) + " ")
	}
	title := w.Title
	if title == "" {
		title = w.untitled()
	}
	b.WriteString(markdown.Link(title, w.SourceURL))
	if w.Author != "" {
		b.WriteString(" by " + markdown.Link(w.Author, w.AuthorURL))
	}
	b.WriteString(w.join(t) + markdown.Link(toolName(t), t.URL))
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
