package formats

import (
	"encoding/xml"
	"strings"

	"github.com/orchard-oer/orchard/harvester"
)

type subfield struct{ code, value string }

type marcField struct {
	tag, ind2 string
	subs      []subfield
}

func (f marcField) all(code string) []string {
	var vs []string
	for _, s := range f.subs {
		if s.code == code {
			vs = append(vs, s.value)
		}
	}
	return vs
}

// join joins the subfields with the given codes in their order.
func (f marcField) join(codes string) string {
	var parts []string
	for _, s := range f.subs {
		if strings.Contains(codes, s.code) && !blank(s.value) {
			parts = append(parts, strings.TrimSpace(s.value))
		}
	}
	return strings.Join(parts, " ")
}

// marcLeaderTypes maps leader position 06 (type of record) to a DCMI type name.
var marcLeaderTypes = map[byte]string{
	'a': "Text", 't': "Text", 'e': "Cartographic", 'f': "Cartographic", 'g': "MovingImage",
	'i': "Sound", 'j': "Sound", 'k': "StillImage", 'm': "Software", 'r': "PhysicalObject",
}

// mapMARC maps a MARC21 slim record (or every record of a collection): 245 title, 100/110/700/710
// names, 260/264 publication, 520 summary, 650/653 subjects, 655 genre, 041/008 languages,
// 856 $u links, 540 terms of use and 506 access restrictions.
func mapMARC(r *reader, start xml.StartElement, rec *harvester.Record) error {
	var lang008, date008 string
	var langs041 []string
	err := r.children(func(t xml.StartElement) error {
		switch lower(t.Name.Local) {
		case "record":
			return mapMARC(r, t, rec)
		case "leader":
			v, err := r.text()
			if len(v) > 6 {
				if typ, ok := marcLeaderTypes[v[6]]; ok {
					rec.Types = append(rec.Types, typ)
				}
			}
			return err
		case "controlfield":
			v, err := r.text()
			if attr(t, "tag") == "008" && len(v) >= 38 {
				lang008, date008 = v[35:38], v[7:11]
			}
			return err
		case "datafield":
			f := marcField{tag: attr(t, "tag"), ind2: attr(t, "ind2")}
			err := r.children(func(s xml.StartElement) error {
				v, err := r.text()
				f.subs = append(f.subs, subfield{attr(s, "code"), v})
				return err
			})
			if err == nil {
				marcDatafield(rec, f, &langs041)
			}
			return err
		}
		return r.skip()
	})
	if len(langs041) == 0 && strings.Trim(lang008, " |") != "" {
		langs041 = append(langs041, lang008)
	}
	rec.Languages = append(rec.Languages, langs041...)
	if len(rec.Dates) == 0 && strings.Trim(date008, " u|") != "" {
		rec.Dates = append(rec.Dates, date008)
	}
	return err
}

// isbdEnd is the punctuation MARC cataloguing puts at the end of a field before the next one.
const isbdEnd = " /:;,="

func marcDatafield(rec *harvester.Record, f marcField, langs *[]string) {
	switch f.tag {
	case "245":
		add(&rec.Titles, strings.TrimRight(f.join("abnp"), isbdEnd))
	case "100", "700":
		add(&rec.Creators, strings.TrimRight(f.join("aq"), ", "))
	case "110", "710":
		add(&rec.Creators, strings.TrimRight(f.join("ab"), ", "))
	case "260", "264":
		if f.tag == "264" && f.ind2 != "1" {
			return // production, distribution, manufacture or copyright, not publication
		}
		for _, v := range f.all("b") {
			add(&rec.Publishers, strings.TrimRight(v, isbdEnd))
		}
		for _, v := range f.all("c") {
			add(&rec.Dates, strings.TrimRight(v, isbdEnd+"."))
		}
	case "520":
		add(&rec.Descriptions, f.join("ab"))
	case "650", "653":
		for _, v := range f.all("a") {
			add(&rec.Subjects, strings.TrimRight(v, "."))
		}
	case "655":
		add(&rec.Types, strings.TrimRight(f.join("a"), "."))
	case "041":
		for _, v := range f.all("a") {
			v = strings.TrimSpace(v)
			// Older records run several codes together: "engfre".
			for len(v) > 3 && len(v)%3 == 0 {
				*langs = append(*langs, v[:3])
				v = v[3:]
			}
			add(langs, v)
		}
	case "020", "022", "024":
		for _, v := range f.all("a") {
			addID(&rec.Identifiers, v)
		}
	case "856":
		for _, v := range f.all("u") {
			if f.ind2 == "0" || f.ind2 == "1" {
				setURL(rec, v)
			} else {
				addID(&rec.Identifiers, v)
			}
		}
	case "540":
		marcRights(rec, f, harvester.ScopeResource)
	case "506":
		marcRights(rec, f, harvester.ScopeAccess)
	}
}

// marcRights keeps the text ($a terms, $f standardized terminology) and the URI ($u) of a
// 540 or 506 field, each as a statement.
func marcRights(rec *harvester.Record, f marcField, scope harvester.Scope) {
	text := f.join("a")
	for _, code := range []string{"a", "f", "u"} {
		for _, v := range f.all(code) {
			if code == "u" {
				addRights(rec, "marc:"+f.tag+"$u", strings.TrimSpace(v), text, scope)
			} else {
				addRights(rec, "marc:"+f.tag+"$"+code, v, "", scope)
			}
		}
	}
}
