package dates

import (
	"regexp"
	"testing"

	"github.com/orchard-oer/orchard/internal/testenv"
)

func TestNormalize(t *testing.T) {
	tests := []struct {
		in   string
		iso  string
		year int
	}{
		{"2019", "2019", 2019},
		{"2019-05", "2019-05", 2019},
		{"2019-05-03", "2019-05-03", 2019},
		{"2019-5-3", "2019-05-03", 2019},
		{"2019-05-03T21:05Z", "2019-05-03T21:05Z", 2019},
		{"2018-05-03T21:05:26Z", "2018-05-03T21:05:26Z", 2018},
		{"2018-05-03T21:05:26.45+02:00", "2018-05-03T19:05:26Z", 2018},
		{"2018-12-31T23:30:00-01:00", "2019-01-01T00:30:00Z", 2019},
		{"2014-11-11 19:05:13", "2014-11-11T19:05:13", 2014},
		{"2004-05-19, 11:23:43", "2004-05-19", 2004},
		{"20190503", "2019-05-03", 2019},
		{"20070515142212.0", "2007-05-15T14:22:12", 2007},
		{"May 2019", "2019-05", 2019},
		{"12 May 2019", "2019-05-12", 2019},
		{"May 12, 2019", "2019-05-12", 2019},
		{"12. März 2019", "2019-03-12", 2019},
		{"Sept. 2001", "2001-09", 2001},
		{"décembre 1999", "1999-12", 1999},
		{"12.03.2018", "2018-03-12", 2018},
		{"2018/03/12", "2018-03-12", 2018},
		{"30-04-2012", "2012-04-30", 2012},
		{"06/06/2012", "2012-06-06", 2012},
		{"12/25/2012", "2012-12-25", 2012},
		{"03/04/2012", "2012", 2012},
		{"c. 1920", "1920", 1920},
		{"ca. 1920", "1920", 1920},
		{"circa 1920", "1920", 1920},
		{"c1920", "1920", 1920},
		{"[1985]", "1985", 1985},
		{"1985?", "1985", 1985},
		{"[1985?]", "1985", 1985},
		{"1844~", "1844", 1844},
		{"1975.", "1975", 1975},
		{"2001-2005", "2001", 2001},
		{"1841-45", "1841", 1841},
		{"1970-1979;", "1970", 1970},
		{"Boston Courier, 1844", "1844", 1844},
		{"Spring 2019", "2019", 2019},
		{" 2008-10-21 ", "2008-10-21", 2008},
		{"", "", 0},
		{"unknown", "", 0},
		{"n.d.", "", 0},
		{"2019-13", "2019", 2019}, // not a month: read as a range of years' start
		{"2019-02-30", "2019", 2019},
		{"99", "", 0},
		{"19uu", "", 0},
	}
	for _, tt := range tests {
		iso, year, ok := Normalize(tt.in)
		if iso != tt.iso || year != tt.year || ok != (tt.iso != "") {
			t.Errorf("Normalize(%q) = %q, %d, %v; want %q, %d", tt.in, iso, year, ok, tt.iso, tt.year)
		}
	}
}

var dateElement = regexp.MustCompile(`<(?:\w+:)?(?:date|datestamp|dateIssued|dateCreated|issued|created|publicationYear|dateAccepted|available)(?:\s[^>]*)?>([^<]{1,80})</`)

// TestCorpusValues normalizes every date and datestamp written in the corpus's OAI-PMH
// responses: nothing may panic, datestamps must all parse, and nearly all dates must.
func TestCorpusValues(t *testing.T) {
	counts := testenv.CorpusValues(t, dateElement)
	var failed []string
	mapped, total := 0, 0
	for v, n := range counts {
		total += n
		if _, _, ok := Normalize(v); ok {
			mapped += n
		} else {
			failed = append(failed, v)
		}
	}
	t.Logf("%d distinct dates, %d of %d occurrences normalized; not: %q", len(counts), mapped, total, failed)
	if len(counts) < 100 || float64(mapped) < 0.99*float64(total) {
		t.Errorf("only %d of %d corpus dates normalized", mapped, total)
	}
}

func BenchmarkNormalize(b *testing.B) {
	in := []string{"2019", "2019-05-03", "2018-05-03T21:05:26Z", "May 2019", "12.03.2018", "c. 1920", "2001-2005", "unknown"}
	for b.Loop() {
		for _, s := range in {
			Normalize(s)
		}
	}
}
