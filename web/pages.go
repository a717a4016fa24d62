package web

import (
	"bytes"
	"embed"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"path"
	"strings"
	"time"

	"github.com/orchard-oer/orchard/catalog"
	"github.com/orchard-oer/orchard/curation"
	"github.com/orchard-oer/orchard/normalizer/lang"
	"github.com/orchard-oer/orchard/normalizer/license"
)

//go:embed templates/*.html
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

// pages holds one template set per page, each with the shared layout.
type pages struct {
	sets map[string]*template.Template
}

func parsePages() (*pages, error) {
	names, err := fs.Glob(templateFS, "templates/*.html")
	if err != nil {
		return nil, fmt.Errorf("list templates: %w", err)
	}
	p := &pages{sets: map[string]*template.Template{}}
	for _, n := range names {
		base := strings.TrimSuffix(path.Base(n), ".html")
		if base == "layout" {
			continue
		}
		t, err := template.New(base).Funcs(funcs).Funcs(pictureFuncs).ParseFS(templateFS, "templates/layout.html", n)
		if err != nil {
			return nil, fmt.Errorf("parse template %s: %w", n, err)
		}
		p.sets[base] = t
	}
	return p, nil
}

var funcs = template.FuncMap{
	"langName": langName,
	"marked":   marked,
	"status":   func(l catalog.License) string { return string(l.Status()) },
	"when": func(t time.Time) string {
		if t.IsZero() {
			return "—"
		}
		return t.UTC().Format("2006-01-02 15:04 UTC")
	},
	"join": strings.Join,
	"attrs": func(a attribution) []labelled {
		return []labelled{{"text", "Plain text", a.Text}, {"html", "HTML", a.HTML}, {"markdown", "Markdown", a.Markdown}}
	},
	"curateArgs":  curateArgs,
	"add":         func(a, b int) int { return a + b },
	"sourceTitle": sourceTitle,
}

// page is what every template receives: the page's own data plus who is looking.
type page struct {
	Title  string
	Viewer *viewer
	CSRF   string
	Path   string
	Data   any
}

// render writes a page; the whole page is rendered first so that a template error becomes a 500
// rather than half a page.
func (s *Server) render(w http.ResponseWriter, r *http.Request, status int, name string, data any) {
	t := s.pages.sets[name]
	if t == nil {
		http.Error(w, "no such page template: "+name, http.StatusInternalServerError)
		return
	}
	v := viewerOf(r)
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "layout", page{Viewer: v, CSRF: v.csrf, Path: r.URL.Path, Data: data}); err != nil {
		s.log.Error("render page", "page", name, "err", err)
		http.Error(w, "page could not be rendered", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	if w.Header().Get("Cache-Control") == "" {
		w.Header().Set("Cache-Control", "no-store")
	}
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
}

func staticHandler() http.Handler {
	files := http.FileServerFS(staticFS)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "public, max-age=3600")
		files.ServeHTTP(w, r)
	})
}

// langName shows a language code as its English name, or the code when none is known.
func langName(code string) string {
	if n := lang.Name(code); n != "" {
		return n
	}
	return code
}

// marked passes through text that the index escaped, keeping only its <mark> tags. Anything
// else that looks like markup is escaped again, so a backend bug cannot inject HTML.
func marked(s string) template.HTML {
	var b strings.Builder
	for s != "" {
		switch {
		case strings.HasPrefix(s, "<mark>"):
			b.WriteString("<mark>")
			s = s[len("<mark>"):]
		case strings.HasPrefix(s, "</mark>"):
			b.WriteString("</mark>")
			s = s[len("</mark>"):]
		default:
			switch c := s[0]; c {
			case '<':
				b.WriteString("&lt;")
			case '>':
				b.WriteString("&gt;")
			case '"':
				b.WriteString("&#34;")
			default:
				b.WriteByte(c)
			}
			s = s[1:]
		}
	}
	return template.HTML(b.String())
}

type labelled struct{ Key, Label, Value string }

// curateData is what the curation form partial receives.
type curateData struct {
	Rec      catalog.Record
	Decision *curation.Decision
	CSRF     string
	Back     string
	Picks    []license.Tool
	Typed    *curateInput
}

// curateInput is a license form as a librarian typed it, with what was wrong with it.
type curateInput struct {
	License, Note, Error string
}

// curatePicks are the licenses the curation form offers to pick; any other id or label may be
// typed.
var curatePicks = func() []license.Tool {
	picks := remixChoices()
	if t, ok := license.Lookup("LicenseRef-All-Rights-Reserved"); ok {
		picks = append(picks, t)
	}
	return picks
}()

func curateArgs(rec catalog.Record, d any, csrf, back string, typed ...*curateInput) curateData {
	cd := curateData{Rec: rec, CSRF: csrf, Back: back, Picks: curatePicks}
	if len(typed) > 0 {
		cd.Typed = typed[0]
	}
	switch d := d.(type) {
	case *curation.Decision:
		cd.Decision = d
	case curation.Decision:
		cd.Decision = &d
	}
	return cd
}
