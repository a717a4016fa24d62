package formats

import (
	"encoding/xml"
	"strings"

	"github.com/orchard-oer/orchard/harvester"
)

type field int

const (
	fTitle field = iota + 1
	fDescription
	fCreator
	fPublisher
	fLanguage
	fSubject
	fKeyword
	fType
	fDate      // issued or created: first among the dates
	fDateLater // availability, modification: after the others
	fIdentifier
	fURL
	fRights
	fAccessRights
)

// fields maps lower-cased local names of Dublin Core, dcterms and look-alike elements of
// unknown formats (DIF, EDM) to record fields.
var fields = map[string]field{
	"title":                fTitle,
	"entry_title":          fTitle,
	"description":          fDescription,
	"abstract":             fDescription,
	"summary":              fDescription,
	"creator":              fCreator,
	"publisher":            fPublisher,
	"language":             fLanguage,
	"subject":              fSubject,
	"keyword":              fKeyword,
	"type":                 fType,
	"learningresourcetype": fType,
	"date":                 fDate,
	"issued":               fDate,
	"created":              fDate,
	"available":            fDateLater,
	"dateaccepted":         fDateLater,
	"datesubmitted":        fDateLater,
	"modified":             fDateLater,
	"identifier":           fIdentifier,
	"isshownat":            fURL,
	"rights":               fRights,
	"license":              fRights,
	"use_constraints":      fRights,
	"accessrights":         fAccessRights,
	"access_constraints":   fAccessRights,
}

// mapDC maps oai_dc, qualified DC wrappers and single dc or dcterms elements (some
// repositories put the elements straight under <metadata>, without a wrapper).
func mapDC(r *reader, start xml.StartElement, rec *harvester.Record) error {
	if f := fields[lower(start.Name.Local)]; f != 0 {
		var later []string
		err := r.field(rec, f, start, &later)
		rec.Dates = append(rec.Dates, later...)
		return err
	}
	return r.fields(rec)
}

// mapGeneric maps an unknown format by the Dublin-Core-like names inside it.
func mapGeneric(r *reader, _ xml.StartElement, rec *harvester.Record) error {
	return r.fields(rec)
}

// fields reads the element just started, mapping every descendant whose local name is in
// fields and handing nested elements of other known formats to their mapping.
func (r *reader) fields(rec *harvester.Record) error {
	var later []string
	err := r.walk(func(_ []string, t xml.StartElement) (bool, error) {
		if f := lookup(t.Name.Space); f != nil && !isDC(f) {
			return true, r.dispatch(t, rec)
		}
		fl := fields[lower(t.Name.Local)]
		if fl == 0 {
			return false, nil
		}
		return true, r.field(rec, fl, t, &later)
	})
	rec.Dates = append(rec.Dates, later...)
	return err
}

// field reads the element just started into the record field f.
func (r *reader) field(rec *harvester.Record, f field, t xml.StartElement, later *[]string) error {
	switch f {
	case fRights:
		return r.rightsElement(rec, name(t.Name), t, harvester.ScopeResource)
	case fAccessRights:
		return r.rightsElement(rec, name(t.Name), t, harvester.ScopeAccess)
	}
	v, err := r.text()
	if err != nil {
		return err
	}
	switch f {
	case fTitle:
		add(&rec.Titles, v)
	case fDescription:
		if thumbnailLink(v) {
			addID(&rec.Thumbnails, v)
		}
		add(&rec.Descriptions, v)
	case fCreator:
		add(&rec.Creators, v)
	case fPublisher:
		add(&rec.Publishers, v)
	case fLanguage:
		add(&rec.Languages, v)
	case fSubject:
		add(&rec.Subjects, v)
	case fKeyword:
		add(&rec.Keywords, v)
	case fType:
		add(&rec.Types, v)
	case fDate:
		add(&rec.Dates, v)
	case fDateLater:
		add(later, v)
	case fIdentifier:
		if lower(attr(t, "linktype")) == "thumbnail" {
			addID(&rec.Thumbnails, v)
			break
		}
		addID(&rec.Identifiers, v)
	case fURL:
		if u := attr(t, "resource"); u != "" {
			v = u
		}
		setURL(rec, strings.TrimSpace(v))
	}
	return nil
}

// thumbnailLink reports a value that is nothing but the URL of a thumbnail, which Digital
// Commons repositories write into a description.
func thumbnailLink(v string) bool {
	v = strings.TrimSpace(v)
	return !strings.ContainsAny(v, " \t\n") && strings.HasPrefix(lower(v), "http") && strings.Contains(lower(v), "thumbnail")
}

func isDC(f *format) bool {
	return f == dcFormat || f == dctermsFormat || f == dcWrapper || f == qdcWrapper
}
