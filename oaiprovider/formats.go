package oaiprovider

import (
	"strings"

	"github.com/orchard-oer/orchard/catalog"
)

// Namespaces and schemas of the response and the metadata formats.
const (
	nsOAI       = "http://www.openarchives.org/OAI/2.0/"
	schemaOAI   = "http://www.openarchives.org/OAI/2.0/OAI-PMH.xsd"
	nsXSI       = "http://www.w3.org/2001/XMLSchema-instance"
	nsOAIDC     = "http://www.openarchives.org/OAI/2.0/oai_dc/"
	schemaOAIDC = "http://www.openarchives.org/OAI/2.0/oai_dc.xsd"
	nsDC        = "http://purl.org/dc/elements/1.1/"
	nsLOM       = "http://ltsc.ieee.org/xsd/LOM"
	schemaLOM   = "http://ltsc.ieee.org/xsd/lomv1.0/lom.xsd"
)

// format is a metadata format the repository disseminates.
type format struct {
	prefix, schema, namespace string
	write                     func(w *writer, r *catalog.Record)
}

var formats = []*format{
	{"oai_dc", schemaOAIDC, nsOAIDC, writeDC},
	{"lom", schemaLOM, nsLOM, writeLOM},
}

func formatByPrefix(prefix string) (*format, bool) {
	for _, f := range formats {
		if f.prefix == prefix {
			return f, true
		}
	}
	return nil, false
}

// writeDC writes simple Dublin Core; dc:rights holds the curated license's URL and its label.
func writeDC(w *writer, r *catalog.Record) {
	w.raw(`<oai_dc:dc xmlns:oai_dc="` + nsOAIDC + `" xmlns:dc="` + nsDC + `" xmlns:xsi="` + nsXSI +
		`" xsi:schemaLocation="` + nsOAIDC + " " + schemaOAIDC + `">`)
	w.elem("dc:title", r.Title)
	for _, c := range r.Creators {
		w.elem("dc:creator", c)
	}
	for _, list := range [][]string{r.Subjects, r.Keywords} {
		for _, s := range list {
			w.elem("dc:subject", s)
		}
	}
	if r.Description != "" {
		w.elem("dc:description", r.Description)
	}
	if r.Date != "" {
		w.elem("dc:date", r.Date)
	}
	for _, t := range r.ResourceTypes {
		w.elem("dc:type", t)
	}
	if r.URL != "" {
		w.elem("dc:identifier", r.URL)
	}
	w.elem("dc:source", r.Source)
	for _, l := range r.Languages {
		w.elem("dc:language", l)
	}
	if r.License.URL != "" {
		w.elem("dc:rights", r.License.URL)
	}
	if r.License.Label != "" {
		w.elem("dc:rights", r.License.Label)
	}
	w.raw("</oai_dc:dc>")
}

// writeLOM writes IEEE LOM (the XML binding of 1484.12.3) with the curated license in its rights
// section and the harvested statements it was read from as an annotation, so that a
// librarian's decision can be reviewed downstream.
func writeLOM(w *writer, r *catalog.Record) {
	w.raw(`<lom xmlns="` + nsLOM + `" xmlns:xsi="` + nsXSI + `" xsi:schemaLocation="` + nsLOM + " " + schemaLOM + `">`)
	w.raw("<general><identifier>")
	w.elem("catalog", "URI")
	w.elem("entry", r.URL)
	w.raw("</identifier>")
	lang := ""
	if len(r.Languages) > 0 {
		lang = r.Languages[0]
	}
	langString(w, "title", lang, r.Title)
	for _, l := range r.Languages {
		w.elem("language", l)
	}
	if r.Description != "" {
		langString(w, "description", lang, r.Description)
	}
	for _, list := range [][]string{r.Subjects, r.Keywords} {
		for _, s := range list {
			langString(w, "keyword", lang, s)
		}
	}
	w.raw("</general>")
	if len(r.Creators) > 0 || r.Date != "" {
		w.raw("<lifeCycle>")
		for _, c := range r.Creators {
			w.raw("<contribute>")
			vocab(w, "role", "author")
			w.elem("entity", vcard(c))
			if r.Date != "" {
				w.raw("<date>")
				w.elem("dateTime", r.Date)
				w.raw("</date>")
			}
			w.raw("</contribute>")
		}
		w.raw("</lifeCycle>")
	}
	w.raw("<technical>")
	w.elem("location", r.URL)
	w.raw("</technical>")
	for _, t := range r.ResourceTypes {
		w.raw("<educational>")
		vocab(w, "learningResourceType", t)
		w.raw("</educational>")
	}
	w.raw("<rights>")
	vocab(w, "cost", "no")
	restricted := "yes"
	if r.License.ID == "" {
		restricted = "no"
	}
	vocab(w, "copyrightAndOtherRestrictions", restricted)
	if r.License.URL != "" || r.License.Label != "" {
		w.raw("<description>")
		for _, s := range []string{r.License.URL, r.License.Label} {
			if s != "" {
				w.raw(`<string language="x-none">`)
				escape(&w.buf, s)
				w.raw("</string>")
			}
		}
		w.raw("</description>")
	}
	w.raw("</rights>")
	if len(r.License.Evidence) > 0 || r.License.Override != nil {
		var b strings.Builder
		b.WriteString("License statements as harvested:")
		for _, e := range r.License.Evidence {
			b.WriteString(" [" + e.From + "] " + e.Value + ";")
		}
		if o := r.License.Override; o != nil {
			b.WriteString(" decided by a librarian: " + o.ID)
			if o.Note != "" {
				b.WriteString(" (" + o.Note + ")")
			}
		}
		w.raw("<annotation>")
		langString(w, "description", "en", b.String())
		w.raw("</annotation>")
	}
	w.raw("</lom>")
}

func langString(w *writer, name, lang, text string) {
	w.raw("<" + name + ">")
	if lang == "" {
		lang = "x-none"
	}
	w.raw(`<string language="`)
	escape(&w.buf, lang)
	w.raw(`">`)
	escape(&w.buf, text)
	w.raw("</string></" + name + ">")
}

func vocab(w *writer, name, value string) {
	w.raw("<" + name + ">")
	w.elem("source", "LOMv1.0")
	w.elem("value", value)
	w.raw("</" + name + ">")
}

// vcard is the minimal vCard LOM wants for a contributor.
func vcard(name string) string {
	esc := strings.NewReplacer(`\`, `\\`, ",", `\,`, ";", `\;`, "\n", " ").Replace(name)
	return "BEGIN:VCARD\nVERSION:3.0\nFN:" + esc + "\nEND:VCARD"
}
