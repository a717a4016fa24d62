package web

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"golang.org/x/net/html"

	"github.com/orchard-oer/orchard/internal/sourcetest"
)

// TestSourceEditsKeepSettings sets each setting of a source, edits another one through every
// edit path the server offers, and checks that the first survived.
func TestSourceEditsKeepSettings(t *testing.T) {
	h := newHarness(t)
	b := h.browser()
	b.login(h.librarian)
	api := func(method string) func(t *testing.T, f sourcetest.Field, name string) {
		return func(t *testing.T, f sourcetest.Field, name string) {
			body := map[string]any{"paused": true}
			if f.Other() == "Schedule" {
				body = map[string]any{"schedule": sourcetest.OtherSchedule}
			}
			if code, b, _ := h.do(method, "/api/admin/sources/"+name, h.librarian, body); code != http.StatusOK {
				t.Fatalf("%s: %d %s", method, code, b)
			}
		}
	}
	paths := []struct {
		name string
		edit func(t *testing.T, f sourcetest.Field, name string)
	}{
		{"api put", api(http.MethodPut)},
		{"api patch", api(http.MethodPatch)},
		{"page form", func(t *testing.T, f sourcetest.Field, name string) {
			page := "/admin/sources/" + name
			form := b.form(page, page)
			if f.Other() == "Schedule" {
				form.Set("schedule", sourcetest.OtherSchedule)
			} else {
				form.Set("paused", "true")
			}
			form.Set("action", "save")
			if code, body, _ := b.post(page, form); code != http.StatusSeeOther {
				t.Fatalf("save form: %d %s", code, body)
			}
		}},
	}
	for _, f := range sourcetest.Fields(t) {
		for i, p := range paths {
			t.Run(f.Name+"/"+p.name, func(t *testing.T) {
				name := strings.ToLower(fmt.Sprintf("%s-%d", f.Name, i))
				src := sourcetest.Base(name)
				f.Set(&src)
				if _, err := h.sys.Sources().Add(t.Context(), src); err != nil {
					t.Fatal(err)
				}
				p.edit(t, f, name)
				got, err := h.sys.Sources().Get(t.Context(), name)
				if err != nil {
					t.Fatal(err)
				}
				f.Check(t, got)
			})
		}
	}
}

// form reads the values a browser would submit with the form posting to action on page.
func (b *browser) form(page, action string) url.Values {
	b.h.t.Helper()
	code, body, _ := b.get(page)
	if code != http.StatusOK {
		b.h.t.Fatalf("%s: %d", page, code)
	}
	doc, err := html.Parse(strings.NewReader(body))
	if err != nil {
		b.h.t.Fatal(err)
	}
	vals := url.Values{}
	var in func(n *html.Node, form bool)
	in = func(n *html.Node, form bool) {
		if n.Type == html.ElementNode {
			a := attrs(n)
			switch n.Data {
			case "form":
				form = a["action"] == action
			case "input":
				checkable := a["type"] == "checkbox" || a["type"] == "radio"
				_, checked := a["checked"]
				if form && a["name"] != "" && a["type"] != "submit" && (!checkable || checked) {
					vals.Add(a["name"], a["value"])
				}
			case "textarea":
				if form && n.FirstChild != nil {
					vals.Add(a["name"], n.FirstChild.Data)
				} else if form {
					vals.Add(a["name"], "")
				}
			case "option":
				if _, sel := a["selected"]; form && sel {
					vals.Add(attrs(n.Parent)["name"], a["value"])
				}
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			in(c, form)
		}
	}
	in(doc, false)
	if vals.Get("csrf") == "" {
		b.h.t.Fatalf("no form posting to %s on %s", action, page)
	}
	return vals
}

func attrs(n *html.Node) map[string]string {
	m := map[string]string{}
	for _, a := range n.Attr {
		m[a.Key] = a.Val
	}
	return m
}

// TestSourceFormRefusesStaleSave checks that saving a source page loaded before someone else
// changed the source refuses instead of undoing their change.
func TestSourceFormRefusesStaleSave(t *testing.T) {
	h := newHarness(t)
	b := h.browser()
	b.login(h.librarian)
	if _, err := h.sys.Sources().Add(t.Context(), sourcetest.Base("demo")); err != nil {
		t.Fatal(err)
	}
	form := b.form("/admin/sources/demo", "/admin/sources/demo")
	h.call("PATCH", "/api/admin/sources/demo", h.librarian, map[string]any{"schedule": "@daily"}, 200, nil)
	form.Set("paused", "true")
	form.Set("action", "save")
	if code, body, _ := b.post("/admin/sources/demo", form); code != http.StatusConflict || !strings.Contains(body, "reload") {
		t.Errorf("stale save: %d", code)
	}
	if got, _ := h.sys.Sources().Get(t.Context(), "demo"); got.Schedule != "@daily" || got.Paused {
		t.Errorf("after a stale save: %+v", got)
	}
}
