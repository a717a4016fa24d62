package restype

import (
	"regexp"
	"testing"

	"github.com/orchard-oer/orchard/internal/testenv"
)

func TestNormalize(t *testing.T) {
	tests := []struct{ in, want string }{
		{"Text", Text}, {"text", Text}, {"Image;", Image}, {"StillImage", Image}, {"MovingImage", Video},
		{"http://purl.org/dc/dcmitype/Text", Text}, {"http://purl.org/dc/dcmitype/MovingImage", Video},
		{"http://purl.org/dc/dcmitype/InteractiveResource", Interactive}, {"Sound", Audio},
		{"https://w3id.org/kim/hcrt/video", Video}, {"https://w3id.org/kim/hcrt/worksheet", Exercise},
		{"https://w3id.org/kim/hcrt/drill_and_practice", Exercise}, {"https://w3id.org/kim/hcrt/lesson_plan", Lesson},
		{"https://w3id.org/kim/hcrt/educational_game", Interactive}, {"https://w3id.org/kim/hcrt/textbook", Book},
		{"https://w3id.org/kim/hcrt/course", Course}, {"https://w3id.org/kim/hcrt/slide", Presentation},
		{"info:eu-repo/semantics/article", Article}, {"info:eu-repo/semantics/bachelorThesis", Text},
		{"info:eu-repo/semantics/bookPart", Book}, {"info:eu-repo/semantics/conferenceObject", Article},
		{"info:eu-repo/semantics/lecture", Lesson}, {"info:eu-repo/semantics/other", Other},
		{"Article", Article}, {"Journal Article", Article}, {"Video", Video}, {"Lecture", Lesson},
		{"Arbeitsblatt", Exercise}, {"Course", Course}, {"Book", Book}, {"Dataset", Dataset},
		{"narrative_text", Text}, {"Simulacao", Interactive}, {"Dissertação", Text}, {"text_book", Book},
		{"sound recording-nonmusical", Audio}, {"still image", Image}, {"Audio-visual", Video},
		{"Interactive Simulation", Interactive}, {"Software", Software}, {"questionnaire", Assessment},
		{"self assessment", Assessment}, {"Quiz", Assessment}, {"Präsentation", Presentation},
		{"Photographs", Image}, {"PhysicalObject", Other}, {"Collection", Other},
		{"", ""}, {"Electronic Resource", ""}, {"xyz", ""}, {"info:eu-repo/semantics/", ""},
	}
	for _, tt := range tests {
		got, ok := Normalize(tt.in)
		if got != tt.want || ok != (tt.want != "") {
			t.Errorf("Normalize(%q) = %q, %v; want %q", tt.in, got, ok, tt.want)
		}
	}
}

// TestVocabulary checks that every table entry names a type of the vocabulary.
func TestVocabulary(t *testing.T) {
	for term, typ := range terms {
		if _, ok := rank[typ]; !ok {
			t.Errorf("term %q maps to %q, not in Vocabulary", term, typ)
		}
		if got, _ := Normalize(term); got != typ {
			t.Errorf("Normalize(%q) = %q, table says %q", term, got, typ)
		}
	}
}

var typeElement = regexp.MustCompile(`<(?:\w+:)?(?:type|resourceType|learningResourceType|obaaLearningResourceType|genre|typeOfResource)(?:\s[^>]*)?>([^<]{1,120})</`)

// TestCorpusValues maps every type value written in the corpus's OAI-PMH records: nothing may
// panic, and the common ones must map.
func TestCorpusValues(t *testing.T) {
	counts := testenv.CorpusValues(t, typeElement)
	// Publication states that repositories write into dc:type; they are not resource types.
	notTypes := regexp.MustCompile(`(?i)^(info:eu-repo/semantics/)?(accepted|published|submitted|updated) ?version$|^(non)?peerreviewed$|^none$|^oneyear$`)
	mapped, total := 0, 0
	var unmapped []string
	for v, n := range counts {
		if notTypes.MatchString(v) {
			if _, ok := Normalize(v); ok {
				t.Errorf("publication state %q maps to a type", v)
			}
			continue
		}
		total += n
		if _, ok := Normalize(v); ok {
			mapped += n
		} else if n >= 5 {
			unmapped = append(unmapped, v)
		}
	}
	t.Logf("%d distinct types, %d of %d occurrences mapped; unmapped seen 5 times or more: %q", len(counts), mapped, total, unmapped)
	for _, v := range []string{"Text", "Article", "Dataset", "Image", "info:eu-repo/semantics/article", "Thesis"} {
		if counts[v] == 0 {
			t.Errorf("corpus has no %q any more; pick another common value", v)
		}
	}
	if float64(mapped) < 0.9*float64(total) {
		t.Errorf("only %d of %d corpus types mapped", mapped, total)
	}
}
