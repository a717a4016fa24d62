package normalizer

import (
	"github.com/orchard-oer/orchard/catalog"
	"github.com/orchard-oer/orchard/harvester"
	"slices"
)

// Bounds on what one harvested record brings into the catalog. A source may send anything; a
// record in the catalog is read by people and shipped with every search hit, so each field is cut
// to a size no real record needs, and the record names the fields that were cut.
const (
	maxTitle       = 1000 // bytes
	maxDescription = 4000 // bytes
	maxName        = 300  // bytes of one creator
	maxCreators    = 50
	maxTerm        = 200 // bytes of one subject or keyword
	maxTerms       = 50  // subjects, and keywords
	maxURL         = 2048
	maxEvidence    = 1000 // bytes of one rights statement kept as evidence

	// What normalizing reads of a raw record at most: the first values of a list, and the start
	// of each value. Enough to fill every field above after markup and repeats are dropped.
	maxRawValues = 200
	maxRawValue  = 64 << 10
)

// Names of record fields as they appear in the truncated list.
const (
	cutOriginID    = "origin_id"
	cutURL         = "url"
	cutTitle       = "title"
	cutDescription = "description"
	cutCreators    = "creators"
	cutSubjects    = "subjects"
	cutKeywords    = "keywords"
	cutEvidence    = "license.evidence"
)

// headRaw keeps the start of a raw record that normalizing reads, so that a huge field costs no
// more than a sane one. It copies the lists it cuts and leaves raw's own untouched.
func headRaw(raw harvester.Record) harvester.Record {
	for _, l := range []*[]string{&raw.Identifiers, &raw.Titles, &raw.Descriptions, &raw.Creators,
		&raw.Languages, &raw.Subjects, &raw.Keywords, &raw.Types, &raw.Dates} {
		if !slices.ContainsFunc(*l, long) && len(*l) <= maxRawValues {
			continue // nothing to cut: the list is shared, not copied
		}
		vals := (*l)[:min(len(*l), maxRawValues)]
		*l = make([]string, len(vals))
		for i, v := range vals {
			(*l)[i] = head(v, maxRawValue)
		}
	}
	raw.URL = head(raw.URL, maxRawValue)
	if len(raw.Rights) > maxRawValues || slices.ContainsFunc(raw.Rights, func(r harvester.Rights) bool { return long(r.Value) || long(r.Text) }) {
		rights := raw.Rights[:min(len(raw.Rights), maxRawValues)]
		raw.Rights = make([]harvester.Rights, len(rights))
		for i, r := range rights {
			r.Value, r.Text = head(r.Value, maxRawValue), head(r.Text, maxRawValue)
			raw.Rights[i] = r
		}
	}
	return raw
}

// long reports a raw value headRaw cuts.
func long(s string) bool { return len(s) > maxRawValue }

// head cuts s to at most n bytes at a rune boundary.
func head(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:runeStart(s, n)]
}

// bound cuts rec's fields to their bounds and lists the fields it cut in rec.Truncated. A URL
// over its bound is left out rather than cut: a URL cut short leads somewhere else.
func bound(rec *catalog.Record) {
	var cut []string
	note := func(field string, was bool) {
		if was {
			cut = append(cut, field)
		}
	}
	note(cutOriginID, clip(&rec.OriginID, maxURL))
	if len(rec.URL) > maxURL {
		rec.URL = ""
		note(cutURL, true)
	}
	note(cutTitle, clip(&rec.Title, maxTitle))
	note(cutDescription, clip(&rec.Description, maxDescription))
	note(cutCreators, clipAll(&rec.Creators, maxName, maxCreators))
	note(cutSubjects, clipAll(&rec.Subjects, maxTerm, maxTerms))
	note(cutKeywords, clipAll(&rec.Keywords, maxTerm, maxTerms))
	evidence := false
	for i := range rec.License.Evidence {
		evidence = clip(&rec.License.Evidence[i].Value, maxEvidence) || evidence
	}
	note(cutEvidence, evidence)
	rec.Truncated = cut
}

// clip cuts *s to at most n bytes, at a word boundary when there is one, and reports whether it
// cut.
func clip(s *string, n int) bool {
	c := clipWords(*s, n)
	cut := c != *s
	*s = c
	return cut
}

// clipAll keeps the first max values of *vals, each clipped to n bytes, and reports whether it
// cut anything.
func clipAll(vals *[]string, n, max int) bool {
	cut := len(*vals) > max
	if cut {
		*vals = (*vals)[:max]
	}
	for i := range *vals {
		cut = clip(&(*vals)[i], n) || cut
	}
	return cut
}
