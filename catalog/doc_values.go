package catalog

import "strconv"

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
		return nonEmpty(r.Source)
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

func nonEmpty(s string) []string {
	if s == "" {
		return nil
	}
	return []string{s}
}
