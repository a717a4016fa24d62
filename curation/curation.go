// Package curation holds librarians' decisions about catalog records (a license chosen with a
// note, or hiding a record from learners), where they are kept, and how they apply to a record:
// to the indexed record at once, and to every later harvest of it.
package curation

import (
	"fmt"

	"github.com/orchard-oer/orchard/catalog"
	"github.com/orchard-oer/orchard/normalizer"
	"github.com/orchard-oer/orchard/normalizer/license"
)

// Decision is what a librarian decided about one record.
type Decision struct {
	// License is set when the librarian chose the record's license.
	License *catalog.Override `json:"license,omitempty"`
	// Hidden keeps the record from learners.
	Hidden bool `json:"hidden,omitempty"`
}

// Empty reports whether the decision decides nothing, so that it need not be kept.
func (d Decision) Empty() bool { return d.License == nil && !d.Hidden }

// Apply makes rec what d says: the chosen license over the harvested one, and whether it is
// hidden. A record that still carries an override d no longer has gets its license read again
// from its evidence. The harvested evidence always stays, so a decision can be reviewed.
func Apply(rec *catalog.Record, d Decision) error {
	switch {
	case d.License != nil:
		if err := normalizer.ApplyOverride(rec, *d.License); err != nil {
			return fmt.Errorf("apply decision to %s: %w", rec.ID, err)
		}
	case rec.License.Override != nil:
		rec.License = resolveEvidence(rec.License)
	}
	rec.Hidden = d.Hidden
	return nil
}

// resolveEvidence reads a license again from its evidence, for when a librarian takes an
// override back; the next harvest reads the source's statements afresh anyway.
func resolveEvidence(l catalog.License) catalog.License {
	stmts := make([]license.Statement, 0, len(l.Evidence))
	for _, e := range l.Evidence {
		stmts = append(stmts, license.Statement{From: e.From, Value: e.Value})
	}
	res := license.Resolve(stmts)
	t := res.Tool
	return catalog.License{
		ID: t.ID, Family: t.Family, URL: t.URL, Label: t.Label, Commercial: t.Commercial,
		Derivatives: t.Derivatives, ShareAlike: t.ShareAlike, Open: t.Open,
		Evidence: l.Evidence, Conflict: res.Conflict,
	}
}
