package catalog

import "github.com/orchard-oer/orchard/vocab/isced"

// Names of the fields every index backend derives from a record for filters, facets and
// sorting. They differ from the record's own JSON names ("f_hidden", not "hidden") so that a
// backend storing both keeps them apart.
const (
	FacetPrefix      = "f_" // FacetPrefix+facet holds Record.FacetValues(facet)
	FieldHidden      = "f_hidden"
	FieldCommercial  = "f_commercial"
	FieldDerivatives = "f_derivatives"
	FieldOpen        = "f_open"
	FieldCommons     = "f_commons"
	FieldSortTitle   = "sort_title"
	FieldSortDate    = "sort_date"
	// FieldFieldLabels holds the labels of the record's fields in every language, searched
	// as text so that "Biologie" finds what is filed under biology or below.
	FieldFieldLabels = "field_labels"
)

// IndexFields returns the fields r contributes to an index by the names above: the flags
// filters use, the sort keys, and each facet's values (facets without values are left out,
// as is the date key when r has no date).
func (r *Record) IndexFields() map[string]any {
	f := map[string]any{
		FieldHidden:      r.Withheld(),
		FieldCommercial:  r.License.Commercial,
		FieldDerivatives: r.License.Derivatives,
		FieldOpen:        r.License.Open,
		FieldCommons:     r.License.Commons(),
		FieldSortTitle:   r.TitleKey(),
	}
	if l := isced.Default().Labels(r.Fields); len(l) > 0 {
		f[FieldFieldLabels] = l
	}
	if k := r.DateKey(); k != "" {
		f[FieldSortDate] = k
	}
	for _, facet := range Facets {
		if v := r.FacetValues(facet); len(v) > 0 {
			f[FacetPrefix+facet] = v
		}
	}
	return f
}

// Withheld reports whether learners must not see r: a librarian hid it or its link is broken.
// Indexes keep both under FieldHidden, so every filter that leaves hidden records out leaves
// out broken ones too.
func (r *Record) Withheld() bool { return r.Hidden || r.Broken }
