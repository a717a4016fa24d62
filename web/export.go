package web

import (
	"bytes"
	"fmt"
	htmltemplate "html/template"
	"net/http"
	texttemplate "text/template"
	"time"

	"github.com/orchard-oer/orchard/markdown"
	"github.com/orchard-oer/orchard/toolkit"
)

// exportToolkit answers a toolkit as a file to save, in Markdown or HTML, with every resource
// credited.
func (s *Server) exportToolkit(w http.ResponseWriter, r *http.Request, id, format string) {
	var ctype string
	switch format {
	case "markdown", "md":
		format, ctype = "markdown", "text/markdown; charset=utf-8"
	case "html":
		ctype = "text/html; charset=utf-8"
	default:
		s.fail(w, r, http.StatusBadRequest, &ParamError{"format", "must be markdown or html"})
		return
	}
	t, err := s.toolkits.Get(r.Context(), id)
	if err != nil {
		s.toolkitError(w, r, err)
		return
	}
	entries := s.entries(r.Context(), t, s.pages.catalog.For("en"))
	body, err := renderExport(format, t, entries, planViewOf(nil, entries))
	if err != nil {
		s.fail(w, r, http.StatusInternalServerError, err)
		return
	}
	ext := map[string]string{"markdown": "md", "html": "html"}[format]
	w.Header().Set("Content-Type", ctype)
	w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="toolkit-%s.%s"`, t.ID, ext))
	if format == "html" {
		// The exported file is for saving, not for running here.
		w.Header().Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'")
	}
	_, _ = w.Write(body)
}

// exportData is what both export templates receive.
type exportData struct {
	Title   string
	Date    string
	Entries []toolkitEntry
	Plan    planView // what the toolkit may become: a collection, an adaptation
}

var exportMarkdown = texttemplate.Must(texttemplate.New("md").Funcs(texttemplate.FuncMap{"md": markdown.Text, "link": markdown.Link, "quote": markdown.Quote, "add": func(a, b int) int { return a + b }}).Parse(
	`# {{md .Title}}

Exported from Orchard on {{.Date}}. Each resource is credited as its license asks.
{{range $i, $e := .Entries}}
## {{add $i 1}}. {{if $e.Rec}}{{link $e.Rec.Title $e.Rec.URL}}{{else}}{{md $e.Record}} (no longer in the catalog){{end}}
{{with $e.Note}}
{{quote .}}
{{end}}{{with $e.Rec}}
{{$e.Attr.Markdown}}
{{with .License.URL}}
License: {{link $e.Rec.License.Label .}}
{{else}}
License: unknown; ask the source before reusing this resource.
{{end}}{{end}}{{end}}{{with .Plan}}{{if .Items}}
## Remix plan

As a collection: {{if .Collection.Possible}}yes.{{else}}no.{{end}} {{md .Collection.Reason}}

As an adaptation: {{if .Adaptation.Possible}}yes.{{else if not .Adaptation.Decidable}}cannot be decided.{{else}}no.{{end}} {{md .Adaptation.Reason}}{{with .Choices}} It may carry: {{range $i, $t := .}}{{if $i}}, {{end}}{{md $t.Label}}{{end}}.{{end}}
{{end}}{{end}}`))

var exportHTML = htmltemplate.Must(htmltemplate.New("html").Funcs(htmltemplate.FuncMap{"add": func(a, b int) int { return a + b }, "raw": func(s string) htmltemplate.HTML { return htmltemplate.HTML(s) }}).Parse(
	`<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>{{.Title}}</title>
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:48rem;margin:2rem auto;padding:0 1rem;color:#1a1a1a}blockquote{border-left:4px solid #ccc;margin:0;padding-left:1rem;color:#333}.attribution{background:#f4f6f4;padding:.5rem 1rem}</style>
</head>
<body>
<h1>{{.Title}}</h1>
<p>Exported from Orchard on {{.Date}}. Each resource is credited as its license asks.</p>
<ol>
{{range .Entries}}<li>
{{if .Rec}}<h2><a href="{{.Rec.URL}}">{{.Rec.Title}}</a></h2>{{else}}<h2>{{.Record}} (no longer in the catalog)</h2>{{end}}
{{with .Note}}<blockquote>{{.}}</blockquote>{{end}}
{{if .Rec}}<div class="attribution">{{raw .Attr.HTML}}</div>{{end}}
</li>
{{end}}</ol>
{{with .Plan}}{{if .Items}}<h2>Remix plan</h2>
<p>As a collection: {{if .Collection.Possible}}yes.{{else}}no.{{end}} {{.Collection.Reason}}</p>
<p>As an adaptation: {{if .Adaptation.Possible}}yes.{{else if not .Adaptation.Decidable}}cannot be decided.{{else}}no.{{end}} {{.Adaptation.Reason}}{{with .Choices}} It may carry: {{range $i, $t := .}}{{if $i}}, {{end}}{{$t.Label}}{{end}}.{{end}}</p>
{{end}}{{end}}</body>
</html>
`))

func renderExport(format string, t *toolkit.Toolkit, entries []toolkitEntry, plan planView) ([]byte, error) {
	d := exportData{Title: t.Title, Date: time.Now().UTC().Format("2 January 2006"), Entries: entries, Plan: plan}
	var buf bytes.Buffer
	var err error
	if format == "html" {
		err = exportHTML.Execute(&buf, d)
	} else {
		err = exportMarkdown.Execute(&buf, d)
	}
	if err != nil {
		return nil, fmt.Errorf("export toolkit %s as %s: %w", t.ID, format, err)
	}
	return buf.Bytes(), nil
}
