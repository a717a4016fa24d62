package site

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/orchard-oer/orchard/harvester"
	"github.com/orchard-oer/orchard/internal/testenv"
	"github.com/orchard-oer/orchard/normalizer/license"
)

// expectedRow is one row of the corpus's EXPECTED.tsv.
type expectedRow = testenv.Row

// corpusPage extracts one corpus page; its URL is made from its path under html/.
func corpusPage(t testing.TB, corpus, rel string) *page {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(corpus, rel))
	if err != nil {
		t.Fatal(err)
	}
	p, err := extract("https://"+strings.TrimPrefix(rel, "html/"), b, "")
	if err != nil {
		t.Fatalf("extract %s: %v", rel, err)
	}
	return p
}

// TestCorpusPages runs every corpus page through extraction and checks the signals,
// charsets and judgements of EXPECTED.tsv.
func TestCorpusPages(t *testing.T) {
	corpus := testenv.Corpus(t)
	expected := testenv.ExpectedByPath(t, "html/")
	var pages []string
	err := filepath.WalkDir(filepath.Join(corpus, "html"), func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			rel, _ := filepath.Rel(corpus, p)
			pages = append(pages, filepath.ToSlash(rel))
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(pages) < 60 {
		t.Fatalf("found %d corpus pages, want at least 60", len(pages))
	}
	checked := 0
	for _, rel := range pages {
		t.Run(strings.TrimPrefix(rel, "html/"), func(t *testing.T) {
			p := corpusPage(t, corpus, rel)
			checkValidUTF8(t, p.Record)
			for _, row := range expected[rel] {
				checked++
				checkRow(t, p, row)
			}
		})
	}
	if checked < 250 {
		t.Errorf("checked %d EXPECTED rows, want at least 250", checked)
	}
}

func checkValidUTF8(t *testing.T, r harvester.Record) {
	t.Helper()
	all := slices.Concat(r.Titles, r.Descriptions, r.Creators, r.Languages, r.Keywords, r.Types, r.Dates)
	for _, rt := range r.Rights {
		all = append(all, rt.Value, rt.Text, rt.From)
	}
	for _, s := range all {
		if !utf8.ValidString(s) {
			t.Errorf("invalid UTF-8 in %q", s)
		}
	}
}

func checkRow(t *testing.T, p *page, row expectedRow) {
	t.Helper()
	rights := p.Record.Rights
	switch {
	case row.Field == "declared_charset":
		checkCharset(t, p.Encoding, row)
	case row.Field == "quirk":
		checkQuirk(t, p, row)
	case row.Field == "expected_page_license":
		checkJudgement(t, p, row)
	case row.Field == "license_signal":
		// "(none)": the page has no license signal at all.
		if len(rights) > 0 {
			t.Errorf("want no license signal, got %v", rights)
		}
	case strings.HasPrefix(row.Field, "license_signal:"):
		checkSignal(t, rights, strings.TrimPrefix(row.Field, "license_signal:"), row)
	default:
		t.Errorf("unknown EXPECTED field %q", row.Field)
	}
}

func checkCharset(t *testing.T, e Encoding, row expectedRow) {
	t.Helper()
	if strings.Contains(row.Notes, "BOM") && !e.BOM {
		t.Errorf("byte order mark not seen")
	}
	if e.Declared == "" {
		// Wikimedia Commons fragments and some captures declare nothing in the page: the
		// value recorded is what the server sent, so it is compared with what was used.
		if !strings.EqualFold(e.Used, row.Value) {
			t.Errorf("charset used %q, want %q", e.Used, row.Value)
		}
		return
	}
	if !strings.EqualFold(e.Declared, row.Value) {
		t.Errorf("declared charset %q (from %s), want %q", e.Declared, e.From, row.Value)
	}
}

func checkQuirk(t *testing.T, p *page, row expectedRow) {
	t.Helper()
	switch {
	case strings.Contains(row.Value, "but bytes are UTF-8"):
		if p.Encoding.Used != "utf-8" {
			t.Errorf("decoded as %s, want utf-8 (%s)", p.Encoding.Used, row.Value)
		}
	case strings.Contains(row.Value, "bytes really ISO-8859-1"):
		if p.Encoding.Used != "windows-1252" {
			t.Errorf("decoded as %s, want windows-1252 (%s)", p.Encoding.Used, row.Value)
		}
		if d := strings.Join(p.Record.Descriptions, " "); !strings.Contains(d, "günstigen") {
			t.Errorf("description not decoded: %q", d)
		}
	}
}

// signalFrom maps a signal kind of EXPECTED.tsv to the From values Extract gives it.
func signalFrom(kind string) (from []string, ok bool) {
	switch {
	case strings.HasPrefix(kind, "rel-license(<link"):
		return []string{FromLinkRel}, true
	case strings.HasPrefix(kind, "rel-license(<a"):
		return []string{FromARel}, true
	case kind == `json-ld "license"`:
		return []string{FromJSONLD}, true
	case kind == "badge-img":
		return []string{FromBadge}, true
	case kind == "plain <a> to CC (no rel=license)":
		return []string{FromCCLink}, true
	case strings.HasPrefix(kind, "microdata"):
		return []string{FromMicrodata}, true
	case strings.HasPrefix(kind, "commons "):
		return []string{FromCommons + strings.TrimPrefix(kind, "commons ")}, true
	case strings.HasPrefix(kind, `meta name="`):
		name := strings.ToLower(strings.TrimSuffix(strings.TrimPrefix(kind, `meta name="`), `"`))
		return []string{FromMeta + name}, true
	}
	return nil, false
}

func checkSignal(t *testing.T, rights []harvester.Rights, kind string, row expectedRow) {
	t.Helper()
	value := strings.TrimPrefix(row.Value, "(value=)")
	switch {
	case strings.HasPrefix(kind, "cc-url only inside comment/script"):
		// A trap: a CC URL that only a comment or a script string holds is no signal.
		for _, r := range rights {
			if sameURL(r.Value, value) {
				t.Errorf("trap URL %s taken as a signal: %+v", value, r)
			}
		}
		return
	case kind == "text":
		// "All rights reserved" (or a translation) anywhere in the page, text or meta.
		for _, r := range rights {
			if hasAny(strings.ToLower(r.Value), reservedPhrases) {
				return
			}
		}
		t.Errorf("no all-rights-reserved statement in %v", rights)
		return
	case kind == `meta name="dc.rightsAgent"`:
		// dc.rightsAgent names whom to ask (a mail address); it states no rights.
		return
	case strings.HasPrefix(kind, "embedded JS") || strings.HasPrefix(kind, "H5P JSON"):
		// Application state in scripts is not read: it is no statement about the page, and
		// reading it would also pick up the URL traps of other pages.
		return
	case strings.HasPrefix(kind, "plain relative <a>"):
		// A link whose text says "Creative Commons license" but leads to a site page names no
		// license; EXPECTED agrees the page has no license signal proper.
		return
	case strings.HasPrefix(kind, "visible text (photo credits"):
		for _, r := range rights {
			for _, u := range strings.Split(value, " ; ") {
				if sameURL(r.Value, u) && r.Scope != harvester.ScopePart {
					t.Errorf("photo credit %s taken as a page statement: %+v", u, r)
				}
			}
		}
		return
	case strings.HasPrefix(kind, "meta DC.rights scheme"):
		return // the scheme only marks the value as a URI; the value is checked by its own row
	}
	from, ok := signalFrom(kind)
	if !ok {
		t.Errorf("unknown signal kind %q", kind)
		return
	}
	for _, r := range rights {
		if !slices.Contains(from, r.From) {
			continue
		}
		if sameURL(r.Value, value) || collapse(r.Value) == collapse(value) {
			return
		}
	}
	t.Errorf("signal %s %q not found in:\n%s", kind, value, rightsList(rights))
}

func rightsList(rs []harvester.Rights) string {
	var b strings.Builder
	for _, r := range rs {
		b.WriteString("  " + rightsString(r) + "\n")
	}
	return b.String()
}

// normURL lets URLs be compared as EXPECTED writes them: scheme, "www.", case and a trailing
// slash do not matter, nor does a Wayback prefix.
func normURL(s string) string {
	s = strings.ToLower(strings.TrimSpace(unwrapWayback(s)))
	for _, p := range []string{"https:", "http:", "//", "www."} {
		s = strings.TrimPrefix(s, p)
	}
	return strings.TrimSuffix(s, "/")
}

// sameURL compares a resolved URL with one as written; a relative one matches by its end.
func sameURL(got, want string) bool {
	if got == "" || want == "" {
		return false
	}
	g, w := normURL(got), normURL(want)
	if strings.HasPrefix(want, "/") && !strings.HasPrefix(want, "//") || strings.HasPrefix(want, "#") {
		return strings.HasSuffix(g, w)
	}
	return g == w
}

// kindRank orders signals by strength when judging a page without license reading: declared
// metadata first, then machine-readable markup, then plain links and buttons.
var kindRank = []string{FromJSONLD, FromLinkRel, FromARel, FromMicrodata, FromRDFa, FromMeta,
	FromCommons + "licensetpl_link", FromUseRights, FromCCLink, FromBadge}

func rank(from string) int {
	for i, k := range kindRank {
		if from == k || strings.HasPrefix(from, k) && strings.HasSuffix(k, " ") {
			return i
		}
	}
	return len(kindRank)
}

// pageLicense is the URL a page's statements point to: the resource scope before the site
// scope (parts never speak for the page), a Creative Commons tool before any other URL, then
// the strongest kind of signal. Links to the page itself (href="#license") are pointers to
// a statement, not one.
func pageLicense(p *page) (string, bool) {
	best, bestKey := "", 1<<30
	for _, r := range p.Record.Rights {
		if r.Scope == harvester.ScopePart || !strings.Contains(r.Value, "/") || strings.Contains(r.Value, " ") {
			continue
		}
		if stripFragment(r.Value) == stripFragment(p.Record.OriginID) {
			continue
		}
		key := rank(r.From)
		if !license.IsToolURL(r.Value) {
			key += 100
		}
		if r.Scope != harvester.ScopeResource {
			key += 1000
		}
		if key < bestKey {
			best, bestKey = r.Value, key
		}
	}
	return best, best != ""
}

func hasReserved(rs []harvester.Rights) bool {
	for _, r := range rs {
		if r.Scope != harvester.ScopePart && hasAny(strings.ToLower(r.Value), reservedPhrases) {
			return true
		}
	}
	return false
}

// checkJudgement compares the URL of the strongest page-level statement with the hand
// judgement. The license reading itself (ids, conflicts) is the normalizer's; here it is
// enough that the right statement comes first and that what a conflict needs is there.
func checkJudgement(t *testing.T, p *page, row expectedRow) {
	t.Helper()
	got, ok := pageLicense(p)
	want := row.Value
	switch {
	case strings.HasPrefix(want, "none"):
		if ok && license.IsToolURL(got) {
			t.Errorf("page license %s, want none (%s)", got, row.Notes)
		}
	case strings.HasPrefix(want, "unknown-non-CC: "):
		u := strings.TrimPrefix(want, "unknown-non-CC: ")
		if strings.HasPrefix(u, "/") && !ok {
			// mozilla.org: the link's only claim is its text ("Creative Commons license")
			// and it leads to a site page; Orchard reads no signal there, which ends up
			// unknown just the same.
			return
		}
		if !sameURL(got, u) {
			t.Errorf("page license %q, want the non-CC %s", got, u)
		}
	case strings.HasPrefix(want, "conflict: "):
		first := strings.Fields(strings.TrimPrefix(want, "conflict: "))[0]
		if !sameURL(got, first) || !hasReserved(p.Record.Rights) {
			t.Errorf("want %s and an all-rights-reserved statement to conflict, got %q and\n%s", first, got, rightsList(p.Record.Rights))
		}
	case strings.HasPrefix(want, "multi: "):
		n := strings.Count(want, "|") + 1
		var links []string
		for _, r := range p.Record.Rights {
			if r.From == FromCommons+"licensetpl_short" && r.Scope == harvester.ScopeResource {
				links = append(links, r.Value)
			}
		}
		if len(links) != n {
			t.Errorf("want %d licenses to choose from, got %v", n, links)
		}
	case strings.HasPrefix(want, "public-domain"):
		found := false
		for _, r := range p.Record.Rights {
			found = found || r.Scope == harvester.ScopeResource && strings.EqualFold(r.Value, "public domain")
		}
		if !found {
			t.Errorf("no public domain statement in\n%s", rightsList(p.Record.Rights))
		}
	default:
		if !sameURL(got, want) {
			t.Errorf("page license %q, want %s (%s)\n%s", got, want, row.Notes, rightsList(p.Record.Rights))
		}
	}
}
