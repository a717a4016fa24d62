package formats

import (
	"encoding/xml"
	"strings"

	"github.com/orchard-oer/orchard/harvester"
)

// mapDataCite maps a DataCite kernel resource. Related items, contributors and funding are
// skipped: their titles and names are not the resource's.
func mapDataCite(r *reader, start xml.StartElement, rec *harvester.Record) error {
	if lower(start.Name.Local) != "resource" {
		// A wrapper in a DataCite namespace: map the resources inside it.
		return r.fields(rec)
	}
	var titles, dates, later []string
	err := r.walk(func(path []string, t xml.StartElement) (bool, error) {
		n := lower(t.Name.Local)
		parent := ""
		if len(path) > 0 {
			parent = path[len(path)-1]
		}
		switch {
		case len(path) == 0 && (n == "relateditems" || n == "contributors" || n == "fundingreferences" ||
			n == "geolocations" || n == "relatedidentifiers"):
			return true, r.skip()
		case len(path) == 0 && n == "identifier":
			v, err := r.text()
			if strings.EqualFold(attr(t, "identifierType"), "URL") {
				setURL(rec, v)
			} else {
				addID(&rec.Identifiers, v)
			}
			return true, err
		case parent == "alternateidentifiers" && n == "alternateidentifier":
			v, err := r.text()
			switch lower(attr(t, "alternateIdentifierType")) {
			case "url":
				setURL(rec, v)
			case "doi", "handle", "hdl", "urn", "ark":
				addID(&rec.Identifiers, v)
			}
			return true, err
		case parent == "titles" && n == "title":
			v, err := r.text()
			if attr(t, "titleType") == "" {
				add(&rec.Titles, v)
			} else {
				add(&titles, v)
			}
			return true, err
		case parent == "creator" && n == "creatorname":
			return true, r.textInto(&rec.Creators)
		case len(path) == 0 && n == "publisher":
			return true, r.textInto(&rec.Publishers)
		case len(path) == 0 && n == "publicationyear":
			return true, r.textInto(&later)
		case parent == "dates" && n == "date":
			switch lower(attr(t, "dateType")) {
			case "issued", "created":
				return true, r.textInto(&dates)
			}
			return true, r.skip()
		case len(path) == 0 && n == "language":
			return true, r.textInto(&rec.Languages)
		case len(path) == 0 && n == "resourcetype":
			add(&rec.Types, attr(t, "resourceTypeGeneral"))
			return true, r.textInto(&rec.Types)
		case parent == "subjects" && n == "subject":
			return true, r.textInto(&rec.Subjects)
		case parent == "descriptions" && n == "description":
			switch lower(attr(t, "descriptionType")) {
			case "", "abstract", "other":
				return true, r.textInto(&rec.Descriptions)
			}
			return true, r.skip()
		case parent == "rightslist" && n == "rights":
			return true, r.dataciteRights(rec, t)
		}
		return false, nil
	})
	rec.Titles = append(rec.Titles, titles...)
	rec.Dates = append(append(rec.Dates, dates...), later...)
	return err
}

// dataciteRights keeps the rights text, rightsURI and an SPDX rightsIdentifier each as a
// statement.
func (r *reader) dataciteRights(rec *harvester.Record, t xml.StartElement) error {
	from := name(t.Name)
	v, err := r.text()
	addRights(rec, from, v, "", harvester.ScopeResource)
	rightsAttrs(rec, from, t, v, harvester.ScopeResource)
	if id := attr(t, "rightsIdentifier"); id != "" {
		addRights(rec, from+"@rightsIdentifier", strings.TrimSpace(id), strings.TrimSpace(v), harvester.ScopeResource)
	}
	return err
}

// textInto appends the text of the element just started to list unless it is blank.
func (r *reader) textInto(list *[]string) error {
	v, err := r.text()
	add(list, v)
	return err
}
