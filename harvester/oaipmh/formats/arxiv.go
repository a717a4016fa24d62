package formats

import (
	"encoding/xml"
	"strings"

	"github.com/orchard-oer/orchard/harvester"
)

// mapArXiv maps the arXiv and arXivRaw formats. The landing page of an arXiv id is
// https://arxiv.org/abs/<id>.
func mapArXiv(r *reader, _ xml.StartElement, rec *harvester.Record) error {
	var later []string
	err := r.children(func(t xml.StartElement) error {
		switch lower(t.Name.Local) {
		case "id":
			v, err := r.text()
			if id := strings.TrimSpace(v); id != "" {
				setURL(rec, "https://arxiv.org/abs/"+id)
			}
			return err
		case "title":
			return r.textInto(&rec.Titles)
		case "abstract":
			return r.textInto(&rec.Descriptions)
		case "authors":
			return r.arxivAuthors(rec)
		case "categories":
			v, err := r.text()
			rec.Subjects = append(rec.Subjects, strings.Fields(v)...)
			return err
		case "created":
			return r.textInto(&rec.Dates)
		case "updated":
			return r.textInto(&later)
		case "doi":
			v, err := r.text()
			rec.Identifiers = append(rec.Identifiers, strings.Fields(v)...)
			return err
		case "license":
			return r.rightsElement(rec, name(t.Name), t, harvester.ScopeResource)
		}
		return r.skip()
	})
	rec.Dates = append(rec.Dates, later...)
	return err
}

// arxivAuthors reads authors as author elements (keyname, forenames) in arXiv, or as one
// string in arXivRaw.
func (r *reader) arxivAuthors(rec *harvester.Record) error {
	var plain strings.Builder
	found := false
	err := r.walkText(&plain, func(_ []string, t xml.StartElement) (bool, error) {
		if lower(t.Name.Local) != "author" {
			return false, nil
		}
		found = true
		var key, fore string
		err := r.children(func(c xml.StartElement) error {
			v, err := r.text()
			switch lower(c.Name.Local) {
			case "keyname":
				key = strings.TrimSpace(v)
			case "forenames":
				fore = strings.TrimSpace(v)
			}
			return err
		})
		if fore != "" {
			key += ", " + fore
		}
		add(&rec.Creators, key)
		return true, err
	})
	if !found {
		add(&rec.Creators, plain.String())
	}
	return err
}
