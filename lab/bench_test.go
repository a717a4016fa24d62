package lab

import "testing"

// BenchmarkGrade grades one answer of each kind, as a class full of learners does at once.
func BenchmarkGrade(b *testing.B) {
	cases := []struct {
		q     Question
		facts []Facts
		a     Answer
		found *Facts
	}{
		{Question{Kind: KindLicense}, []Facts{zelle}, Answer{License: "CC BY-SA 3.0 DE"}, nil},
		{Question{Kind: KindMay, Action: ActionShareAdapted, License: "CC-BY-SA-4.0"}, []Facts{photo}, Answer{Choice: "yes"}, nil},
		{Question{Kind: KindAttribution}, []Facts{photo}, Answer{Text: "“Photosynthesis” by Ada Lovelace, https://alpha.example/photo, licensed under CC BY 4.0 (https://creativecommons.org/licenses/by/4.0/)"}, nil},
		{Question{Kind: KindCombine}, []Facts{bysa4, educ}, Answer{Choice: "no"}, nil},
		{Question{Kind: KindFind, Find: &Find{Languages: []string{"de"}, Derivatives: true}}, nil, Answer{Record: "de-zelle"}, &zelle},
	}
	for _, c := range cases {
		b.Run(string(c.q.Kind), func(b *testing.B) {
			for b.Loop() {
				if _, err := Grade(c.q, c.facts, c.a, c.found); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
