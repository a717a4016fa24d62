package formats

import (
	"encoding/xml"
	"strings"

	"github.com/orchard-oer/orchard/harvester"
)

// lomName lower-cases a LOM element name and drops the "obaa" prefix the OBAA profile puts on
// flattened elements (obaaTitle, obaaKeyword).
func lomName(local string) string {
	n := lower(local)
	if len(n) > 4 && strings.HasPrefix(n, "obaa") {
		return n[4:]
	}
	return n
}

// LOM leaf elements holding the values of their parent: language strings, vocabulary values,
// identifier entries and dates.
var (
	lomStrings = map[string]bool{"string": true, "langstring": true}
	lomVocab   = map[string]bool{"value": true, "string": true, "langstring": true}
	lomEntry   = map[string]bool{"entry": true}
	lomDate    = map[string]bool{"datetime": true}
)

// mapLOM maps IEEE LOM and its profiles. Element names are matched without regard to case or
// namespace, because repositories write lifeCycle and lifecycle, and leave some elements of a
// record in no namespace at all.
func mapLOM(r *reader, _ xml.StartElement, rec *harvester.Record) error {
	return r.walk(func(path []string, t xml.StartElement) (bool, error) {
		n := lomName(t.Name.Local)
		section := n
		if len(path) > 0 {
			section = lomName(path[0])
		}
		switch {
		case section == "rights" && len(path) == 1:
			return true, r.lomRights(rec, t)
		case section == "general":
			return r.lomGeneral(rec, n, t)
		case section == "lifecycle" && n == "contribute":
			return true, r.lomContribute(rec)
		case n == "learningresourcetype":
			return true, r.lomInto(&rec.Types, lomVocab)
		case section == "technical" && n == "location":
			v, err := r.text()
			setURL(rec, v)
			return true, err
		case section == "technical" && n == "thumbnail":
			vs, err := r.leafValues(lomEntry)
			for _, v := range vs {
				addID(&rec.Thumbnails, v)
			}
			return true, err
		case section == "relation" && len(path) == 0:
			return true, r.lomRelation(rec)
		case section == "classification" && (n == "keyword" || n == "entry" && len(path) > 1 && path[len(path)-1] == "taxon"):
			return true, r.lomInto(&rec.Subjects, lomStrings)
		case section == "metametadata" || section == "annotation":
			return true, r.skip()
		}
		return false, nil
	})
}

// lomGeneral maps an element of the general category, including OBAA's flattened ones
// (obaaEntity, obaaDate) which carry lifecycle data there.
func (r *reader) lomGeneral(rec *harvester.Record, n string, t xml.StartElement) (bool, error) {
	switch n {
	case "title":
		return true, r.lomInto(&rec.Titles, lomStrings)
	case "description":
		return true, r.lomInto(&rec.Descriptions, lomStrings)
	case "keyword":
		return true, r.lomInto(&rec.Keywords, lomStrings)
	case "language":
		return true, r.lomInto(&rec.Languages, lomStrings)
	case "identifier":
		vs, err := r.leafValues(lomEntry)
		for _, v := range vs {
			addID(&rec.Identifiers, v)
		}
		return true, err
	case "entity":
		vs, err := r.leafValues(nil)
		for _, v := range vs {
			add(&rec.Creators, vcardName(v))
		}
		return true, err
	case "date":
		return true, r.lomInto(&rec.Dates, lomDate)
	case "learningresourcetype":
		return true, r.lomInto(&rec.Types, lomVocab)
	}
	return false, nil
}

// lomRelation reads one relation, keeping the resource it names when its kind says that it is
// a picture of the record ("hasthumbnail", "thumbnail"); other relations name other resources.
func (r *reader) lomRelation(rec *harvester.Record) error {
	var kind string
	var targets []string
	err := r.walk(func(_ []string, t xml.StartElement) (bool, error) {
		var err error
		var vs []string
		switch lomName(t.Name.Local) {
		case "kind":
			vs, err = r.leafValues(lomVocab)
			kind += " " + strings.Join(vs, " ")
		case "entry", "location":
			vs, err = r.leafValues(nil)
			targets = append(targets, vs...)
		default:
			return false, nil
		}
		return true, err
	})
	if strings.Contains(lower(kind), "thumbnail") {
		for _, v := range targets {
			addID(&rec.Thumbnails, v)
		}
	}
	return err
}

// lomContribute reads one lifeCycle contribution: authors become creators, publishers
// publishers; other roles (editor, validator) are left out.
func (r *reader) lomContribute(rec *harvester.Record) error {
	var role string
	var entities, dates []string
	err := r.walk(func(_ []string, t xml.StartElement) (bool, error) {
		var err error
		var vs []string
		switch lomName(t.Name.Local) {
		case "role":
			vs, err = r.leafValues(lomVocab)
			if len(vs) > 0 && role == "" {
				role = vs[0]
			}
		case "entity":
			vs, err = r.leafValues(nil)
			for _, v := range vs {
				entities = append(entities, vcardName(v))
			}
		case "date":
			vs, err = r.leafValues(lomDate)
			dates = append(dates, vs...)
		default:
			return false, nil
		}
		return true, err
	})
	switch lower(strings.TrimSpace(role)) {
	case "publisher", "editora", "editorial", "éditeur", "herausgeber":
		for _, e := range entities {
			add(&rec.Publishers, e)
		}
	case "", "author", "autor", "autora", "auteur", "autore", "creator", "criador", "urheber":
		for _, e := range entities {
			add(&rec.Creators, e)
		}
		for _, d := range dates {
			add(&rec.Dates, d)
		}
	}
	return err
}

// lomRights reads one child of the rights category: cost, copyrightAndOtherRestrictions or
// description. From keeps the element's name as written.
func (r *reader) lomRights(rec *harvester.Record, t xml.StartElement) error {
	from := "lom:rights/" + t.Name.Local
	vs, err := r.leafValues(lomVocab)
	for _, v := range vs {
		addRights(rec, from, v, "", harvester.ScopeResource)
	}
	rightsAttrs(rec, from, t, strings.Join(vs, " "), harvester.ScopeResource)
	return err
}

func (r *reader) lomInto(list *[]string, leaves map[string]bool) error {
	vs, err := r.leafValues(leaves)
	for _, v := range vs {
		add(list, v)
	}
	return err
}

// leafValues reads the element just started. It returns the text of each descendant named in
// leaves (each language string of a LangString, the value of a vocabulary pair), or, when there
// is none, all the element's text as one value, since many repositories write plain text.
func (r *reader) leafValues(leaves map[string]bool) ([]string, error) {
	var all strings.Builder
	var vs []string
	found := false
	err := r.walkText(&all, func(_ []string, t xml.StartElement) (bool, error) {
		if !leaves[lomName(t.Name.Local)] {
			return false, nil
		}
		v, err := r.text()
		found = true
		if !blank(v) {
			vs = append(vs, v)
		}
		return true, err
	})
	if !found && !blank(all.String()) {
		vs = append(vs, all.String())
	}
	return vs, err
}

// vcardName returns the formatted name of a vCard (FN, else N as "Family, Given"), and any
// other text unchanged.
func vcardName(v string) string {
	if !strings.Contains(strings.ToUpper(v), "BEGIN:VCARD") {
		return v
	}
	// Unfold continuation lines (RFC 6350, 3.2) before reading properties.
	v = strings.NewReplacer("\r\n ", "", "\n ", "", "\r\n\t", "", "\n\t", "").Replace(v)
	var n string
	for _, line := range strings.FieldsFunc(v, func(r rune) bool { return r == '\n' || r == '\r' }) {
		line = strings.TrimSpace(line)
		key, val, ok := strings.Cut(line, ":")
		if !ok {
			continue
		}
		key, _, _ = strings.Cut(strings.ToUpper(key), ";")
		switch key {
		case "FN":
			if !blank(val) {
				return strings.TrimSpace(val)
			}
		case "N":
			parts := strings.Split(val, ";")
			if len(parts) > 1 && !blank(parts[1]) {
				n = strings.TrimSpace(parts[0]) + ", " + strings.TrimSpace(parts[1])
			} else {
				n = strings.TrimSpace(parts[0])
			}
		}
	}
	if n != "" {
		return n
	}
	return v
}
