package catalog

import "github.com/orchard-oer/orchard/vocab/isced"

// SetFields files the record under the ISCED-F fields its subjects name (by label in any of the
// vocabulary's languages, or by notation), with their broader fields; subjects that name none
// stay as they are.
func (r *Record) SetFields() {
	r.Fields = isced.Default().Fields(r.Subjects)
}
