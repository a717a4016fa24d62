package formats

import (
	"encoding/xml"
	"strings"

	"github.com/orchard-oer/orchard/harvester"
)

// mapMODS maps a MODS record (or every record of a modsCollection). Only top-level elements
// describe the resource; a relatedItem contributes its access conditions alone.
func mapMODS(r *reader, start xml.StartElement, rec *harvester.Record) error {
	var titles, later []string
	err := r.children(func(t xml.StartElement) error {
		switch lower(t.Name.Local) {
		case "mods":
			return mapMODS(r, t, rec)
		case "titleinfo":
			return r.modsTitle(t, rec, &titles)
		case "name":
			return r.modsName(rec)
		case "abstract":
			return r.textInto(&rec.Descriptions)
		case "subject":
			return r.modsSubject(rec)
		case "genre", "typeofresource":
			return r.textInto(&rec.Types)
		case "language":
			return r.walk(func(_ []string, t xml.StartElement) (bool, error) {
				if lower(t.Name.Local) != "languageterm" {
					return false, nil
				}
				return true, r.textInto(&rec.Languages)
			})
		case "origininfo":
			return r.modsOrigin(rec, &later)
		case "identifier":
			v, err := r.text()
			addID(&rec.Identifiers, v)
			return err
		case "location":
			return r.modsLocation(rec)
		case "accesscondition":
			return r.rightsElement(rec, name(t.Name), t, modsAccessScope(t, harvester.ScopeResource))
		case "relateditem":
			return r.modsRelated(rec, t)
		}
		return r.skip()
	})
	rec.Titles = append(rec.Titles, titles...)
	rec.Dates = append(rec.Dates, later...)
	return err
}

// modsAccessScope gives access scope to restrictions on access, def to other conditions.
func modsAccessScope(t xml.StartElement, def harvester.Scope) harvester.Scope {
	switch lower(strings.Join(strings.Fields(attr(t, "type")), "")) {
	case "restrictiononaccess", "accessrestriction":
		return harvester.ScopeAccess
	}
	return def
}

// modsTitle reads a titleInfo: the main title goes first, alternative and translated ones to
// alt.
func (r *reader) modsTitle(t xml.StartElement, rec *harvester.Record, alt *[]string) error {
	var nonSort, title string
	err := r.children(func(c xml.StartElement) error {
		v, err := r.text()
		switch lower(c.Name.Local) {
		case "nonsort":
			nonSort = v
		case "title":
			title = v
		}
		return err
	})
	if blank(title) {
		return err
	}
	if !blank(nonSort) {
		title = strings.TrimSpace(nonSort) + " " + strings.TrimLeft(title, " \t\r\n")
	}
	if attr(t, "type") == "" {
		add(&rec.Titles, title)
	} else {
		add(alt, title)
	}
	return err
}

// modsName reads a name: a person or body with a creator role (or none) is a creator, one with
// a publisher role a publisher.
func (r *reader) modsName(rec *harvester.Record) error {
	var family, given, display string
	var parts, roles []string
	err := r.walk(func(_ []string, c xml.StartElement) (bool, error) {
		switch lower(c.Name.Local) {
		case "namepart":
			v, err := r.text()
			switch attr(c, "type") {
			case "family":
				family = v
			case "given":
				given = v
			case "":
				add(&parts, v)
			}
			return true, err
		case "displayform":
			v, err := r.text()
			display = v
			return true, err
		case "roleterm":
			v, err := r.text()
			roles = append(roles, lower(strings.TrimSpace(v)))
			return true, err
		}
		return false, nil
	})
	n := display
	switch {
	case !blank(family) && !blank(given):
		n = strings.TrimSpace(family) + ", " + strings.TrimSpace(given)
	case blank(n) && len(parts) > 0:
		n = strings.Join(parts, ", ")
	case blank(n):
		n = family + given
	}
	switch {
	case hasAny(roles, "pbl", "publisher"):
		add(&rec.Publishers, n)
	case len(roles) == 0 || hasAny(roles, "aut", "author", "cre", "creator", "art", "artist", "pht", "photographer", "cmp", "composer"):
		add(&rec.Creators, n)
	}
	return err
}

func (r *reader) modsSubject(rec *harvester.Record) error {
	return r.children(func(c xml.StartElement) error {
		switch lower(c.Name.Local) {
		case "topic", "geographic", "temporal", "genre", "occupation":
			return r.textInto(&rec.Subjects)
		}
		return r.skip()
	})
}

func (r *reader) modsOrigin(rec *harvester.Record, later *[]string) error {
	return r.children(func(c xml.StartElement) error {
		switch lower(c.Name.Local) {
		case "dateissued", "datecreated", "copyrightdate":
			return r.textInto(&rec.Dates)
		case "datemodified", "datecaptured", "dateother", "datevalid":
			return r.textInto(later)
		case "publisher":
			return r.textInto(&rec.Publishers)
		}
		return r.skip()
	})
}

// modsLocation reads location/url: the one shown in context (or marked as primary display) is
// the landing page; a preview is the record's thumbnail.
func (r *reader) modsLocation(rec *harvester.Record) error {
	return r.walk(func(_ []string, c xml.StartElement) (bool, error) {
		if lower(c.Name.Local) != "url" {
			return false, nil
		}
		v, err := r.text()
		access := lower(attr(c, "access"))
		switch {
		case access == "preview":
			addID(&rec.Thumbnails, v)
		case access == "object in context" || lower(attr(c, "usage")) == "primary display":
			if u := strings.TrimSpace(v); u != "" {
				rec.URL = u
				addID(&rec.Identifiers, u)
			}
		default:
			addID(&rec.Identifiers, v)
		}
		return true, err
	})
}

// modsRelated keeps the access conditions of a related item. They describe a whole the record
// belongs to (host, series) or a part of it (constituent), not the record itself, and are
// scoped accordingly.
func (r *reader) modsRelated(rec *harvester.Record, t xml.StartElement) error {
	scope := harvester.ScopeSite
	if lower(attr(t, "type")) == "constituent" {
		scope = harvester.ScopePart
	}
	return r.walk(func(_ []string, c xml.StartElement) (bool, error) {
		if lower(c.Name.Local) != "accesscondition" {
			return false, nil
		}
		return true, r.rightsElement(rec, "mods:relatedItem/"+name(c.Name), c, modsAccessScope(c, scope))
	})
}

func hasAny(list []string, vs ...string) bool {
	for _, v := range vs {
		if contains(list, v) {
			return true
		}
	}
	return false
}
