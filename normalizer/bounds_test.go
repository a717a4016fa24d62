package normalizer

import (
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/orchard-oer/orchard/harvester"
)

func TestRecordFieldsAreBounded(t *testing.T) {
	words := func(n int) string { return strings.Repeat("Wörter ", n) }
	many := func(n int, v string) []string {
		out := make([]string, n)
		for i := range out {
			out[i] = v + strings.Repeat("x", i%97) + string(rune('a'+i%26)) + strings.Repeat("y", i/26)
		}
		return out
	}
	base := func() harvester.Record {
		return harvester.Record{OriginID: "oai:x:1", Titles: []string{"A title"}, URL: "https://example.org/1",
			Rights: []harvester.Rights{{From: "dc:rights", Value: "CC BY 4.0"}}}
	}
	for _, tc := range []struct {
		name   string
		change func(*harvester.Record)
		want   []string
	}{
		{"nothing long", func(*harvester.Record) {}, nil},
		{"8 MiB title", func(r *harvester.Record) { r.Titles = []string{words(8 << 20 / 8)} }, []string{cutTitle}},
		{"title of one 8 MiB word", func(r *harvester.Record) { r.Titles = []string{strings.Repeat("é", 4<<20)} }, []string{cutTitle}},
		{"long description", func(r *harvester.Record) { r.Descriptions = []string{"<p>" + words(10000) + "</p>"} }, []string{cutDescription}},
		{"long creator", func(r *harvester.Record) { r.Creators = []string{"Doe, " + words(100)} }, []string{cutCreators}},
		{"many creators", func(r *harvester.Record) { r.Creators = many(10000, "Name ") }, []string{cutCreators}},
		{"many subjects and keywords", func(r *harvester.Record) { r.Subjects, r.Keywords = many(500, "s"), many(60, "k") }, []string{cutSubjects, cutKeywords}},
		{"long subject", func(r *harvester.Record) { r.Subjects = []string{words(100)} }, []string{cutSubjects}},
		{"long URL", func(r *harvester.Record) { r.URL = "https://example.org/" + strings.Repeat("a", 3000) }, []string{cutURL}},
		{"long origin", func(r *harvester.Record) { r.OriginID = "oai:" + strings.Repeat("o", 3000) }, []string{cutOriginID}},
		{"long rights statement", func(r *harvester.Record) { r.Rights[0].Value = "CC BY 4.0 " + words(1<<20) }, []string{cutEvidence}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			raw := base()
			tc.change(&raw)
			rec, err := Record("src", raw)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(rec.Truncated, tc.want) {
				t.Errorf("truncated = %q, want %q", rec.Truncated, tc.want)
			}
			for _, f := range []struct {
				name string
				vals []string
				max  int
			}{
				{"origin_id", []string{rec.OriginID}, maxURL},
				{"url", []string{rec.URL}, maxURL},
				{"title", []string{rec.Title}, maxTitle},
				{"description", []string{rec.Description}, maxDescription},
				{"creators", rec.Creators, maxName},
				{"subjects", rec.Subjects, maxTerm},
				{"keywords", rec.Keywords, maxTerm},
			} {
				for _, v := range f.vals {
					if len(v) > f.max || !utf8.ValidString(v) {
						t.Errorf("%s has %d bytes (bound %d), valid UTF-8 %v", f.name, len(v), f.max, utf8.ValidString(v))
					}
				}
			}
			if len(rec.Creators) > maxCreators || len(rec.Subjects) > maxTerms || len(rec.Keywords) > maxTerms {
				t.Errorf("%d creators, %d subjects, %d keywords", len(rec.Creators), len(rec.Subjects), len(rec.Keywords))
			}
			for _, e := range rec.License.Evidence {
				if len(e.Value) > maxEvidence {
					t.Errorf("evidence of %d bytes", len(e.Value))
				}
			}
			if len(rec.Attribution) > maxTitle+maxCreators*(maxName+2)+maxURL+200 {
				t.Errorf("attribution of %d bytes", len(rec.Attribution))
			}
		})
	}
}

func TestClipWordsCutsAtWordsAndRunes(t *testing.T) {
	for _, tc := range []struct {
		in   string
		n    int
		want string
	}{
		{"short", 10, "short"},
		{"one two three four", 12, "one two…"},
		{"ééééé", 8, "éé…"},
		{"a ééééééééé", 10, "a éé…"},
	} {
		if got := clipWords(tc.in, tc.n); got != tc.want || len(got) > max(tc.n, len(tc.in)) {
			t.Errorf("clipWords(%q, %d) = %q, want %q", tc.in, tc.n, got, tc.want)
		}
	}
}
