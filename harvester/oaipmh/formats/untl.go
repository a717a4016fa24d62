package formats

import (
	"encoding/xml"

	"github.com/orchard-oer/orchard/harvester"
)

// mapUNTL maps the University of North Texas Libraries format. Its qualifier attribute says
// what a value is; rights keep it in From ("untl:rights[license]") because a license value is
// a bare code such as "by".
func mapUNTL(r *reader, _ xml.StartElement, rec *harvester.Record) error {
	var later []string
	err := r.children(func(t xml.StartElement) error {
		q := lower(attr(t, "qualifier"))
		switch lower(t.Name.Local) {
		case "title":
			return r.textInto(&rec.Titles)
		case "creator":
			return r.untlName(&rec.Creators)
		case "publisher":
			return r.untlName(&rec.Publishers)
		case "date":
			if q == "creation" || q == "issue" {
				return r.textInto(&rec.Dates)
			}
			return r.textInto(&later)
		case "language":
			return r.textInto(&rec.Languages)
		case "description":
			if q == "content" || q == "" {
				return r.textInto(&rec.Descriptions)
			}
		case "subject":
			return r.textInto(&rec.Subjects)
		case "resourcetype":
			return r.textInto(&rec.Types)
		case "identifier":
			v, err := r.text()
			switch q {
			case "itemurl":
				setURL(rec, v)
			case "thumbnailurl":
				addID(&rec.Thumbnails, v)
			default:
				addID(&rec.Identifiers, v)
			}
			return err
		case "rights":
			from := name(t.Name)
			if q != "" {
				from += "[" + attr(t, "qualifier") + "]"
			}
			scope := harvester.ScopeResource
			if q == "access" {
				scope = harvester.ScopeAccess
			}
			return r.rightsElement(rec, from, t, scope)
		}
		return r.skip()
	})
	rec.Dates = append(rec.Dates, later...)
	return err
}

// untlName reads a creator or publisher: its name child, or its text when it has none.
func (r *reader) untlName(list *[]string) error {
	vs, err := r.leafValues(map[string]bool{"name": true})
	for _, v := range vs {
		add(list, v)
	}
	return err
}
