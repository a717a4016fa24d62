package web

import (
	"bytes"
	"embed"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"net/url"
	"path"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/orchard-oer/orchard/catalog"
	"github.com/orchard-oer/orchard/curation"
	"github.com/orchard-oer/orchard/locale"
	"github.com/orchard-oer/orchard/normalizer/lang"
	"github.com/orchard-oer/orchard/normalizer/license"
)

//go:embed templates/*.html
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

// pages holds one template set per page and language, each with the shared layout; a set's
// translation functions speak its language. English is parsed at start, which also proves that
// every template parses; another language is parsed when a page is first asked for in it, so a
// catalog read in one language holds one set of templates.
type pages struct {
	catalog *locale.Catalog
	langs   map[string]*langPages
	store   atomic.Pointer[ThumbStore] // where thumbnails are looked up (pictures.go)
}

type langPages struct {
	once sync.Once
	sets map[string]*template.Template
	err  error
}

func parsePages() (*pages, error) {
	cat, err := locale.Load()
	if err != nil {
		return nil, err
	}
	p := &pages{catalog: cat, langs: map[string]*langPages{}}
	for _, code := range locale.Codes {
		p.langs[code] = &langPages{}
	}
	if _, err := p.set("error", locale.Codes[0]); err != nil {
		return nil, err
	}
	return p, nil
}

// set is the template set of a page in a language; a nil set is no such page.
func (p *pages) set(name, code string) (*template.Template, error) {
	lp := p.langs[code]
	lp.once.Do(func() { lp.sets, lp.err = p.parseSets(p.catalog.For(code)) })
	return lp.sets[name], lp.err
}

func (p *pages) parseSets(l *locale.Localizer) (map[string]*template.Template, error) {
	names, err := fs.Glob(templateFS, "templates/*.html")
	if err != nil {
		return nil, fmt.Errorf("list templates: %w", err)
	}
	sets := map[string]*template.Template{}
	for _, n := range names {
		base := strings.TrimSuffix(path.Base(n), ".html")
		if base == "layout" {
			continue
		}
		t, err := template.New(base).Funcs(funcs).Funcs(pictureFuncs).Funcs(template.FuncMap{"thumb": p.thumb}).Funcs(localFuncs(l)).ParseFS(templateFS, "templates/layout.html", n)
		if err != nil {
			return nil, fmt.Errorf("parse template %s: %w", n, err)
		}
		sets[base] = t
	}
	return sets, nil
}

// localFuncs are the template functions that speak one language: t looks a message up by id,
// kb translates a sentence of the license knowledge base.
func localFuncs(l *locale.Localizer) template.FuncMap {
	return template.FuncMap{
		"t":   l.T,
		"tOr": l.TOr,
		"kb":  l.Known,
		// kbClauses translates a list of clauses, "in German, that you may adapt".
		"kbClauses": l.KnownClauses,
		"when": func(t time.Time) string {
			if t.IsZero() {
				return "—"
			}
			return l.When(t)
		},
		"num": l.Number,
		"langName": func(code string) string {
			if n := l.LanguageName(code); n != "" && code != "" {
				return n
			}
			return langName(code)
		},
		"deed": l.Deed,
		"date": l.Date,
		// licenseTitle prefers the official translated title the knowledge base holds.
		"licenseTitle": func(id, english string) string {
			if t, ok := license.Lookup(id); ok && t.Title == english {
				if tr := t.TitleIn(l.Code); tr != english {
					return tr
				}
			}
			if s := l.TOr("label."+id, ""); s != "" {
				return s
			}
			return l.Known(english)
		},
	}
}

var funcs = template.FuncMap{
	"marked": marked,
	"status": func(l catalog.License) string { return string(l.Status()) },
	"join":   strings.Join,
	"attrs": func(a attribution) []labelled {
		return []labelled{{"text", "record.attribution.text", a.Text}, {"html", "record.attribution.html", a.HTML}, {"markdown", "record.attribution.markdown", a.Markdown}}
	},
	"curateArgs":  curateArgs,
	"add":         func(a, b int) int { return a + b },
	"list":        func(s ...string) []string { return s },
	"sourceTitle": sourceTitle,
}

// page is what every template receives: the page's own data plus who is looking.
type page struct {
	Title  string
	Viewer *viewer
	CSRF   string
	Path   string
	Data   any
	Lang   string     // the language of the page
	Langs  []langLink // the switcher's links
}

// langLink switches the page to another language.
type langLink struct {
	Code, Name, URL string
	Current         bool
}

// langCookie remembers the language a visitor chose; langParam chooses it. (lang= is taken: it
// filters searches by the language of the resources.)
const (
	langCookie = "orchard_lang"
	langParam  = "locale"
)

// maxLinkQuery bounds the query a switcher link repeats: an over-long one is not repeated.
const maxLinkQuery = 2048

// pageLang picks the language of a page: ?locale= (remembered in a cookie), the cookie, then
// Accept-Language. Given w, it also remembers a choice and builds the switcher's links to the
// same page in the other languages.
func (s *Server) pageLang(w http.ResponseWriter, r *http.Request) (string, []langLink) {
	asked := r.URL.Query().Get(langParam)
	var remembered string
	if c, err := r.Cookie(langCookie); err == nil {
		remembered = c.Value
	}
	code := s.pages.catalog.Match(r.Header.Get("Accept-Language"), asked, remembered)
	if w == nil {
		return code, nil
	}
	if asked == code && remembered != code {
		http.SetCookie(w, &http.Cookie{Name: langCookie, Value: code, Path: "/", MaxAge: 365 * 24 * 3600,
			HttpOnly: true, SameSite: http.SameSiteLaxMode, Secure: r.TLS != nil || s.cfg.SecureCookies})
	}
	links := make([]langLink, len(locale.Codes))
	for i, c := range locale.Codes {
		q := url.Values{}
		if len(r.URL.RawQuery) <= maxLinkQuery {
			q = r.URL.Query()
		}
		q.Set(langParam, c)
		u := r.URL.Path + "?" + q.Encode()
		if r.Method != http.MethodGet {
			u = "/?" + langParam + "=" + c // a form's answer cannot be asked for again: switch on the front page
		}
		links[i] = langLink{Code: c, Name: locale.Name(c), URL: u, Current: c == code}
	}
	return code, links
}

// lang is the language code pageLang picks for r.
func (s *Server) lang(r *http.Request) string {
	code, _ := s.pageLang(nil, r)
	return code
}

// localizer speaks the language pageLang picks for r, for what handlers write themselves.
func (s *Server) localizer(r *http.Request) *locale.Localizer {
	return s.pages.catalog.For(s.lang(r))
}

// render writes a page; the whole page is rendered first so that a template error becomes a 500
// rather than half a page.
func (s *Server) render(w http.ResponseWriter, r *http.Request, status int, name string, data any) {
	code, links := s.pageLang(w, r)
	t, err := s.pages.set(name, code)
	if t == nil || err != nil {
		s.log.Error("page template", "page", name, "lang", code, "err", err)
		http.Error(w, "no such page template: "+name, http.StatusInternalServerError)
		return
	}
	v := viewerOf(r)
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "layout", page{Viewer: v, CSRF: v.csrf, Path: r.URL.Path, Data: data, Lang: code, Langs: links}); err != nil {
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
