// Package amb describes catalog records as schema.org LearningResource JSON-LD in the AMB
// profile (Allgemeines Metadatenprofil für Bildungsressourcen), the form OER aggregators such
// as OERSI read from record pages and sitemaps. It is pure: no I/O.
package amb

import (
	"cmp"
	"slices"
	"strings"

	"github.com/orchard-oer/orchard/catalog"
	"github.com/orchard-oer/orchard/normalizer/restype"
)

// Context is AMB's JSON-LD context; it maps id and type to @id and @type.
const Context = "https://w3id.org/kim/amb/context.jsonld"

// Site is the Orchard that publishes the descriptions.
type Site struct {
	// BaseURL is where visitors reach Orchard, without a trailing slash.
	BaseURL string
	// Name names Orchard as the provider of its record pages; empty takes "Orchard".
	Name string
}

// PageURL is the address of a record's page.
func (s Site) PageURL(id string) string { return s.BaseURL + "/records/" + id }

// Resource is one record in AMB. Empty fields are left out.
type Resource struct {
	Context              []any     `json:"@context"`
	ID                   string    `json:"id"`
	Type                 []string  `json:"type"`
	Name                 string    `json:"name"`
	Description          string    `json:"description,omitempty"`
	Creator              []Agent   `json:"creator,omitempty"`
	InLanguage           []string  `json:"inLanguage,omitempty"`
	LearningResourceType []Concept `json:"learningResourceType,omitempty"`
	Keywords             []string  `json:"keywords,omitempty"`
	License              *Ref      `json:"license,omitempty"`
	DatePublished        string    `json:"datePublished,omitempty"`
	DateModified         string    `json:"dateModified,omitempty"`
	MainEntityOfPage     []Page    `json:"mainEntityOfPage"`
}

// Agent is a creator or provider.
type Agent struct {
	ID   string `json:"id,omitempty"`
	Type string `json:"type"`
	Name string `json:"name"`
}

// Ref points at a resource by URL.
type Ref struct {
	ID string `json:"id"`
}

// Concept is an entry of a controlled vocabulary.
type Concept struct {
	ID        string            `json:"id"`
	PrefLabel map[string]string `json:"prefLabel"`
}

// Page is a page describing the resource, with who offers it.
type Page struct {
	ID           string `json:"id"`
	Type         string `json:"type"`
	Provider     Agent  `json:"provider"`
	DateModified string `json:"dateModified,omitempty"`
}

// hcrt maps Orchard's resource types to the Hochschulcampus Ressourcentypen, the vocabulary
// AMB names for learningResourceType.
var hcrt = map[string]struct{ id, en, de string }{
	restype.Article:      {"text", "Text", "Text"},
	restype.Assessment:   {"assessment", "Assessment", "Lernkontrolle"},
	restype.Audio:        {"audio", "Audio", "Audio"},
	restype.Book:         {"textbook", "Textbook", "Lehrbuch"},
	restype.Course:       {"course", "Course", "Kurs"},
	restype.Dataset:      {"data", "Data", "Daten"},
	restype.Exercise:     {"drill_and_practice", "Drill and Practice", "Übung"},
	restype.Image:        {"image", "Image", "Bild"},
	restype.Interactive:  {"simulation", "Simulation", "Simulation"},
	restype.Lesson:       {"lesson_plan", "Lesson Plan", "Unterrichtsplanung"},
	restype.Presentation: {"slide", "Presentation", "Präsentation"},
	restype.Software:     {"application", "Software Application", "Softwareanwendung"},
	restype.Text:         {"text", "Text", "Text"},
	restype.Video:        {"video", "Video", "Video"},
	restype.Other:        {"other", "Other", "Sonstiges"},
}

// Describe returns rec in AMB. The resource's id is its own URL, or its Orchard page when the
// source named none; the pages describing it are its Orchard page and, when the source's
// identifier is a URL, the source's page, each with its provider.
func Describe(site Site, rec *catalog.Record) Resource {
	name := cmp.Or(site.Name, "Orchard")
	page := site.PageURL(rec.ID)
	r := Resource{
		Context:     []any{Context},
		ID:          cmp.Or(rec.URL, page),
		Type:        []string{"LearningResource"},
		Name:        rec.Title,
		Description: rec.Description,
		InLanguage:  rec.Languages,
		Keywords:    slices.Concat(rec.Subjects, rec.Keywords),
	}
	if len(rec.Languages) > 0 {
		r.Context = append(r.Context, map[string]string{"@language": rec.Languages[0]})
	}
	for _, c := range rec.Creators {
		r.Creator = append(r.Creator, Agent{Type: "Person", Name: c})
	}
	seen := map[string]bool{}
	for _, t := range rec.ResourceTypes {
		if v, ok := hcrt[t]; ok && !seen[v.id] {
			seen[v.id] = true
			r.LearningResourceType = append(r.LearningResourceType,
				Concept{ID: "http://w3id.org/kim/hcrt/" + v.id, PrefLabel: map[string]string{"en": v.en, "de": v.de}})
		}
	}
	if rec.License.URL != "" {
		r.License = &Ref{ID: rec.License.URL}
	}
	r.DatePublished = rec.Date
	r.DateModified = day(rec.Datestamp)
	r.MainEntityOfPage = []Page{{
		ID: page, Type: "WebPage", Provider: Agent{ID: site.BaseURL + "/", Type: "Service", Name: name},
		DateModified: rec.ListDate(),
	}}
	if isURL(rec.OriginID) && rec.OriginID != page {
		r.MainEntityOfPage = append(r.MainEntityOfPage, Page{ID: rec.OriginID, Type: "WebPage", Provider: Agent{Type: "Service", Name: rec.Source}})
	}
	return r
}

// day keeps the date part of an ISO 8601 datestamp.
func day(s string) string {
	if len(s) > len("2006-01-02") {
		return s[:len("2006-01-02")]
	}
	return s
}

func isURL(s string) bool {
	return strings.HasPrefix(s, "https://") || strings.HasPrefix(s, "http://")
}
