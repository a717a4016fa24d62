// Package normalizer turns a raw harvested record into a catalog record: it reads the license
// statements, normalizes languages, resource types and dates, picks the landing URL and writes
// the attribution. It is pure: no I/O.
package normalizer

import (
	"fmt"
	"html"
	"regexp"
	"strings"
	"unicode/utf8"

	"github.com/orchard-oer/orchard/catalog"
	"github.com/orchard-oer/orchard/harvester"
	"github.com/orchard-oer/orchard/normalizer/dates"
	"github.com/orchard-oer/orchard/normalizer/lang"
	"github.com/orchard-oer/orchard/normalizer/license"
	"github.com/orchard-oer/orchard/normalizer/restype"
	"github.com/orchard-oer/orchard/normalizer/text"
	"github.com/orchard-oer/orchard/weburl"
)

// Record normalizes raw, harvested from source, into a catalog record. A deleted raw record
// becomes a deletion marker. A record that cannot be catalogued (no identifier, no title) is an
// error wrapping catalog.ErrInvalid, so that callers quarantine it and go on.
func Record(source string, raw harvester.Record) (catalog.Record, error) {
	origin := strings.TrimSpace(raw.OriginID)
	if origin == "" {
		return catalog.Record{}, fmt.Errorf("%w: record without identifier", catalog.ErrInvalid)
	}
	rec := catalog.Record{
		ID:            catalog.RecordID(source, origin),
		Source:        source,
		OriginID:      origin,
		Deleted:       raw.Deleted,
		Creators:      []string{},
		Languages:     []string{},
		Subjects:      []string{},
		ResourceTypes: []string{},
	}
	if iso, _, ok := dates.Normalize(raw.Datestamp); ok {
		rec.Datestamp = iso
	}
	if raw.Deleted {
		bound(&rec)
		return rec, nil
	}
	raw = headRaw(raw)
	rec.Title = first(raw.Titles, cleanText)
	rec.Description = first(raw.Descriptions, cleanText)
	rec.Creators = text.Creators(raw.Creators)
	rec.Languages = normalizeAll(raw.Languages, lang.Normalize)
	rec.ResourceTypes = normalizeAll(raw.Types, restype.Normalize)
	rec.Subjects = dedupe(raw.Subjects)
	rec.Keywords = dedupe(raw.Keywords)
	for _, d := range raw.Dates {
		if iso, year, ok := dates.Normalize(d); ok {
			rec.Date, rec.Year = iso, year
			break
		}
	}
	rec.URL = landingURL(raw, origin)
	rec.Thumbnail = Thumbnail(raw.Thumbnails, rec.URL)
	rec.License, _ = License(raw.Rights)
	bound(&rec)
	rec.SetFields()
	rec.Attribution = attribution(&rec)
	if err := rec.Validate(); err != nil {
		return rec, err
	}
	return rec, nil
}

// landingURL prefers the URL the source named, then the best identifier, then an origin id
// that is itself a URL (web pages). It goes through weburl.Mend, so that whatever a source
// wrote cannot escape a link in the pages and exports that show it.
func landingURL(raw harvester.Record, origin string) string {
	if u, err := weburl.Mend(raw.URL); err == nil {
		return u
	}
	if u := text.LandingURL(raw.Identifiers); u != "" {
		return u
	}
	u, _ := weburl.Mend(origin)
	return u
}

// License resolves every rights statement of a record into one license with its evidence, and
// says what was doubtful about the reading.
func License(rights []harvester.Rights) (catalog.License, []string) {
	stmts := make([]license.Statement, 0, len(rights))
	for _, r := range rights {
		stmts = append(stmts, license.Statement{From: r.From, Value: r.Value, Text: r.Text, Scope: string(r.Scope)})
	}
	res := license.Resolve(stmts)
	lic := fromTool(res.Tool)
	lic.Conflict = res.Conflict
	lic.Evidence = make([]catalog.Evidence, 0, len(res.Evidence))
	for _, e := range res.Evidence {
		lic.Evidence = append(lic.Evidence, catalog.Evidence{From: e.From, Value: e.Value, ID: e.ID})
	}
	return lic, res.Warnings
}

func fromTool(t license.Tool) catalog.License {
	return catalog.License{
		ID:          t.ID,
		Family:      t.Family,
		URL:         t.URL,
		Label:       t.Label,
		Commercial:  t.Commercial,
		Derivatives: t.Derivatives,
		ShareAlike:  t.ShareAlike,
		Open:        t.Open,
	}
}

// ApplyOverride sets the license a librarian decided on. The harvested evidence stays, so that
// the decision can be reviewed; the attribution follows the new license.
func ApplyOverride(rec *catalog.Record, ov catalog.Override) error {
	t, ok := license.Lookup(ov.ID)
	if !ok {
		return fmt.Errorf("override %s: unknown license id %q", rec.ID, ov.ID)
	}
	lic := fromTool(t)
	lic.Evidence = rec.License.Evidence
	lic.Conflict = rec.License.Conflict
	lic.Override = &ov
	rec.License = lic
	rec.Attribution = attribution(rec)
	return nil
}

func attribution(rec *catalog.Record) string {
	t, ok := license.Lookup(rec.License.ID)
	if !ok {
		return ""
	}
	w := license.Work{Title: rec.Title, Author: strings.Join(rec.Creators, "; "), SourceURL: rec.URL}
	return license.Attribute(w, t, license.FormatText)
}

var tags = regexp.MustCompile(`<[^>]*>`)

// cleanText removes markup and collapses white space; descriptions often carry HTML.
func cleanText(s string) string {
	if strings.ContainsRune(s, '<') {
		s = tags.ReplaceAllString(s, " ")
	}
	if strings.ContainsRune(s, '&') {
		s = html.UnescapeString(s)
	}
	return text.Collapse(s)
}

func first(vals []string, clean func(string) string) string {
	for _, v := range vals {
		if c := clean(v); c != "" {
			return c
		}
	}
	return ""
}

// clipWords cuts s to at most n bytes with "…" at the end: at the last space of the cut if it
// keeps at least half, else at a rune boundary.
func clipWords(s string, n int) string {
	if len(s) <= n {
		return s
	}
	n -= len("…")
	cut := strings.LastIndexByte(s[:n], ' ')
	if cut < n/2 {
		cut = runeStart(s, n)
	}
	return s[:cut] + "…"
}

// runeStart is the last rune boundary of s at or before i.
func runeStart(s string, i int) int {
	for i > 0 && !utf8.RuneStart(s[i]) {
		i--
	}
	return i
}

// normalizeAll maps values through norm, dropping unknown ones and duplicates, keeping order.
func normalizeAll(vals []string, norm func(string) (string, bool)) []string {
	out := []string{}
	seen := map[string]bool{}
	for _, v := range vals {
		if n, ok := norm(v); ok && !seen[n] {
			seen[n] = true
			out = append(out, n)
		}
	}
	return out
}

// dedupe collapses white space in values and drops empty ones and exact duplicates.
func dedupe(vals []string) []string {
	return normalizeAll(vals, func(v string) (string, bool) {
		v = text.Collapse(v)
		return v, v != ""
	})
}

// Standing says in words how far a record's license lets it be reused, as pages, probes and
// the CLI show it: free culture, some rights reserved, reuse needs permission, unknown, or
// conflicting statements.
func Standing(l catalog.License) string {
	if l.Status() == catalog.StatusConflict {
		return "Conflicting license statements"
	}
	return Tool(l).Standing()
}

// Tool is the knowledge base's entry for a record's license, or one made of what the record
// holds when the knowledge base has none (an unknown license keeps its label and URL).
func Tool(l catalog.License) license.Tool {
	if t, ok := license.Lookup(l.ID); ok {
		return t
	}
	return license.Tool{ID: l.ID, Family: l.Family, URL: l.URL, Label: l.Label}
}
