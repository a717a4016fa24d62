package catalog

import (
	"slices"
	"strconv"
)

// FacetValues returns the values a record contributes to a facet; backends index these so
// that facet counts agree between them.
func (r *Record) FacetValues(facet string) []string {
	switch facet {
	case FacetLicense:
		return nonEmpty(r.License.ID)
	case FacetFamily:
		return nonEmpty(r.License.Family)
	case FacetLanguage:
		return r.Languages
	case FacetType:
		return r.ResourceTypes
	case FacetSource:
		return r.SourceNames()
	case FacetSubject:
		return r.Subjects
	case FacetField:
		return r.Fields
	case FacetYear:
		if r.Year == 0 {
			return nil
		}
		return []string{strconv.Itoa(r.Year)}
	case FacetStatus:
		return []string{string(r.License.Status())}
	case FacetOpenness:
		return []string{r.License.Openness()}
	}
	return nil
}

// SourceNames lists the sources offering the record: its own, and those of the records merged
// into it.
func (r *Record) SourceNames() []string {
	out := nonEmpty(r.Source)
	for _, s := range r.Sources {
		if s.Source != "" && !slices.Contains(out, s.Source) {
			out = append(out, s.Source)
		}
	}
	return out
}

func nonEmpty(s string) []string {
	if s == "" {
		return nil
	}
	return []string{s}
}
