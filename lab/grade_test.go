package lab

import (
	"errors"
	"strings"
	"testing"
)

var (
	photo = Facts{ID: "en-photo", Title: "Photosynthesis", URL: "https://alpha.example/photo", Creators: []string{"Ada Lovelace"},
		License: "CC-BY-4.0", Languages: []string{"en"}, Types: []string{"text"}}
	zelle = Facts{ID: "de-zelle", Title: "Die Zelle", URL: "https://alpha.example/zelle", Creators: []string{"Jürgen Müller"},
		License: "CC-BY-SA-3.0-DE", Languages: []string{"de"}, Types: []string{"video"}}
	educ   = Facts{ID: "fr-educ", Title: "L'éducation", License: "CC-BY-NC-4.0", Languages: []string{"fr"}, Types: []string{"text"}}
	cells  = Facts{ID: "en-cells", Title: "Cells", License: "CC-BY-ND-4.0", Languages: []string{"en", "de"}, Types: []string{"text", "image"}}
	nino   = Facts{ID: "es-nino", Title: "El niño", License: "CC0-1.0", Languages: []string{"es"}, Types: []string{"video"}}
	bysa4  = Facts{ID: "en-sa", Title: "Shared", License: "CC-BY-SA-4.0", Languages: []string{"en"}}
	apple  = Facts{ID: "en-apple", Title: "Apples", License: "CC-BY-4.0", Unclear: true, Languages: []string{"en"}}
	hidden = Facts{ID: "en-hidden", Title: "Withdrawn", License: "CC-BY-4.0", Hidden: true, Languages: []string{"en"}}
	arr    = Facts{ID: "en-history", Title: "History", License: "LicenseRef-All-Rights-Reserved", Languages: []string{"en"}}
)

func TestGrade(t *testing.T) {
	findDE := &Find{Languages: []string{"de"}, Types: []string{"video"}, Derivatives: true, Commercial: true}
	tests := []struct {
		name    string
		q       Question
		facts   []Facts
		a       Answer
		found   *Facts
		correct bool
		field   string // of a refusal
		says    string // in the summary
		explain string // in the explanation
	}{
		{"license right by id", Question{Kind: KindLicense}, []Facts{zelle}, Answer{License: "CC-BY-SA-3.0-DE"}, nil, true, "", "Right", "Germany"},
		{"license right by name", Question{Kind: KindLicense}, []Facts{zelle}, Answer{License: "CC BY-SA 3.0 DE"}, nil, true, "", "Right", "You must: share your adaptations"},
		{"license right by deed link", Question{Kind: KindLicense}, []Facts{photo}, Answer{License: "https://creativecommons.org/licenses/by/4.0/deed.de"}, nil, true, "", "Right", ""},
		{"license port missing", Question{Kind: KindLicense}, []Facts{zelle}, Answer{License: "CC BY-SA 3.0"}, nil, false, "", "port differs", ""},
		{"license wrong version", Question{Kind: KindLicense}, []Facts{zelle}, Answer{License: "CC BY-SA 4.0"}, nil, false, "", "version is 3.0", ""},
		{"license wrong elements", Question{Kind: KindLicense}, []Facts{photo}, Answer{License: "CC BY-NC 4.0"}, nil, false, "", "elements differ", ""},
		{"license unknown name", Question{Kind: KindLicense}, []Facts{photo}, Answer{License: "free to use"}, nil, false, "", "not a license Orchard knows", ""},
		{"license empty", Question{Kind: KindLicense}, []Facts{photo}, Answer{}, nil, false, "license", "", ""},

		{"may share yes", Question{Kind: KindMay, Action: ActionShare}, []Facts{cells}, Answer{Choice: "yes"}, nil, true, "", "allows copying", ""},
		{"may share reserved", Question{Kind: KindMay, Action: ActionShare}, []Facts{arr}, Answer{Choice: "yes"}, nil, false, "", "no permission", "rights holder"},
		{"may adapt ND no", Question{Kind: KindMay, Action: ActionAdapt}, []Facts{cells}, Answer{Choice: "No"}, nil, true, "", "only as it is", "You must not: share adapted"},
		{"may adapt ND yes", Question{Kind: KindMay, Action: ActionAdapt}, []Facts{cells}, Answer{Choice: "yes"}, nil, false, "", "Not quite", ""},
		{"may commercial NC", Question{Kind: KindMay, Action: ActionCommercial}, []Facts{educ}, Answer{Choice: "yes"}, nil, false, "", "forbids", ""},
		{"may commercial CC0", Question{Kind: KindMay, Action: ActionCommercial}, []Facts{nino}, Answer{Choice: "yes"}, nil, true, "", "allows commercial", ""},
		{"may share adapted BY under BY-SA", Question{Kind: KindMay, Action: ActionShareAdapted, License: "CC-BY-SA-4.0"}, []Facts{photo}, Answer{Choice: "yes"}, nil, true, "", "may go out under CC BY-SA 4.0", ""},
		{"may share adapted BY-SA under BY", Question{Kind: KindMay, Action: ActionShareAdapted, License: "CC-BY-4.0"}, []Facts{bysa4}, Answer{Choice: "yes"}, nil, false, "", "may not go out", "same license"},
		{"may no choice", Question{Kind: KindMay, Action: ActionShare}, []Facts{photo}, Answer{Choice: "maybe"}, nil, false, "choice", "", ""},

		{"attribution right", Question{Kind: KindAttribution}, []Facts{photo},
			Answer{Text: "“Photosynthesis” by Ada Lovelace, https://alpha.example/photo, licensed under CC BY 4.0 (https://creativecommons.org/licenses/by/4.0/)"}, nil, true, "", "Right", "License: correct"},
		{"attribution wrong license", Question{Kind: KindAttribution}, []Facts{photo},
			Answer{Text: "“Photosynthesis” by Ada Lovelace, https://alpha.example/photo, licensed under CC BY-NC 4.0 (https://creativecommons.org/licenses/by-nc/4.0/)"}, nil, false, "", "Not quite", "License: wrong"},
		{"attribution without author", Question{Kind: KindAttribution}, []Facts{photo},
			Answer{Text: "Photosynthesis, https://alpha.example/photo, CC BY 4.0 https://creativecommons.org/licenses/by/4.0/"}, nil, false, "", "Not quite", "Author: missing"},
		{"attribution HTML with a script", Question{Kind: KindAttribution}, []Facts{photo},
			Answer{Text: `<script>alert(1)</script><a href="https://alpha.example/photo">Photosynthesis</a> by Ada Lovelace is licensed under <a href="https://creativecommons.org/licenses/by/4.0/">CC BY 4.0</a>`}, nil, true, "", "Right", ""},
		{"attribution adapted without notice", Question{Kind: KindAttribution, Adapted: true}, []Facts{photo},
			Answer{Text: "“Photosynthesis” by Ada Lovelace, https://alpha.example/photo, licensed under CC BY 4.0 (https://creativecommons.org/licenses/by/4.0/)"}, nil, false, "", "Not quite", "Modified: missing"},
		{"attribution of 1 MB", Question{Kind: KindAttribution}, []Facts{photo}, Answer{Text: strings.Repeat("a", 1<<20)}, nil, false, "text", "", ""},
		{"attribution empty", Question{Kind: KindAttribution}, []Facts{photo}, Answer{Text: "  "}, nil, false, "text", "", ""},

		{"combine clash", Question{Kind: KindCombine}, []Facts{bysa4, educ}, Answer{Choice: "no"}, nil, true, "", "cannot be combined", "clash"},
		{"combine clash said yes", Question{Kind: KindCombine}, []Facts{bysa4, educ}, Answer{Choice: "yes", License: "CC BY-SA 4.0"}, nil, false, "", "cannot be combined", ""},
		{"combine BY with CC0 under BY-SA", Question{Kind: KindCombine}, []Facts{photo, nino}, Answer{Choice: "yes", License: "CC BY-SA 4.0"}, nil, true, "", "may go out under CC BY-SA 4.0", ""},
		{"combine BY-SA under BY", Question{Kind: KindCombine}, []Facts{photo, bysa4}, Answer{Choice: "yes", License: "CC-BY-4.0"}, nil, false, "", "Half right", ""},
		{"combine possible said no", Question{Kind: KindCombine}, []Facts{photo, nino}, Answer{Choice: "no"}, nil, false, "", "they can be combined", ""},
		{"combine ND", Question{Kind: KindCombine}, []Facts{photo, cells}, Answer{Choice: "no"}, nil, true, "", "Right", "Cells"},

		{"find right", Question{Kind: KindFind, Find: findDE}, nil, Answer{Record: "de-zelle"}, &zelle, true, "", "fits", "✓ in German"},
		{"find wrong language", Question{Kind: KindFind, Find: findDE}, nil, Answer{Record: "es-nino"}, &nino, false, "", "not in German (it is in Spanish)", "✓ a video"},
		{"find wrong permission", Question{Kind: KindFind, Find: &Find{Derivatives: true}}, nil, Answer{Record: "en-cells"}, &cells, false, "", "only as it is", ""},
		{"find open", Question{Kind: KindFind, Find: &Find{Open: true, Families: []string{"CC-BY"}}}, nil, Answer{Record: "en-photo"}, &photo, true, "", "Right", "open license"},
		{"find hidden", Question{Kind: KindFind, Find: &Find{Languages: []string{"en"}}}, nil, Answer{Record: "en-hidden"}, &hidden, false, "", "took it out", ""},
		{"find unclear", Question{Kind: KindFind, Find: &Find{Languages: []string{"en"}}}, nil, Answer{Record: "en-apple"}, &apple, false, "", "unclear", ""},
		{"find not in catalog", Question{Kind: KindFind, Find: &Find{Languages: []string{"en"}}}, nil, Answer{Record: "gone"}, nil, false, "record", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := Grade(tt.q, tt.facts, tt.a, tt.found)
			if tt.field != "" {
				var fe *FieldError
				if !errors.As(err, &fe) || fe.Field != tt.field {
					t.Fatalf("error %v, want a refusal of %q", err, tt.field)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if r.Correct != tt.correct || !strings.Contains(r.Summary, tt.says) {
				t.Errorf("correct %v, summary %q; want %v and %q", r.Correct, r.Summary, tt.correct, tt.says)
			}
			if all := strings.Join(r.Explanation, "\n"); len(r.Explanation) == 0 || !strings.Contains(all, tt.explain) {
				t.Errorf("explanation lacks %q:\n%s", tt.explain, all)
			}
		})
	}
}

func TestValidate(t *testing.T) {
	ok := func(q Question) Set { return Set{Title: "Week 1", Questions: []Question{q}} }
	tests := []struct {
		name  string
		set   Set
		field string
	}{
		{"fine", ok(Question{Kind: KindLicense, Records: []string{"en-photo"}}), ""},
		{"fine pick", ok(Question{Kind: KindCombine, Picks: []Pick{{Families: []string{"CC-BY"}}, {Families: []string{"CC0"}}}}), ""},
		{"no title", Set{Questions: []Question{{Kind: KindLicense, Records: []string{"a"}}}}, "title"},
		{"no questions", Set{Title: "x"}, "questions"},
		{"unknown kind", ok(Question{Kind: "essay", Records: []string{"a"}}), "questions[1].kind"},
		{"two records for license", ok(Question{Kind: KindLicense, Records: []string{"a", "b"}}), "questions[1].records"},
		{"one record to combine", ok(Question{Kind: KindCombine, Records: []string{"a"}}), "questions[1].records"},
		{"records and picks", ok(Question{Kind: KindLicense, Records: []string{"a"}, Picks: []Pick{{}}}), "questions[1].records"},
		{"bad record id", ok(Question{Kind: KindLicense, Records: []string{"a b"}}), "questions[1].records"},
		{"may without action", ok(Question{Kind: KindMay, Records: []string{"a"}}), "questions[1].action"},
		{"share adapted without version", ok(Question{Kind: KindMay, Action: ActionShareAdapted, License: "CC-BY-SA", Records: []string{"a"}}), "questions[1].license"},
		{"find without criteria", ok(Question{Kind: KindFind, Find: &Find{}}), "questions[1].find"},
		{"find with a record", ok(Question{Kind: KindFind, Records: []string{"a"}, Find: &Find{Open: true}}), "questions[1].records"},
		{"find bad family", ok(Question{Kind: KindFind, Find: &Find{Families: []string{"CC-BY-4.0"}}}), "questions[1].find"},
		{"pick unknown license", ok(Question{Kind: KindLicense, Picks: []Pick{{Licenses: []string{"CC-XY"}}}}), "questions[1].picks"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.set.Validate()
			var fe *FieldError
			if tt.field == "" && err != nil || tt.field != "" && (!errors.As(err, &fe) || fe.Field != tt.field) {
				t.Fatalf("error %v, want a refusal of %q", err, tt.field)
			}
		})
	}
}
