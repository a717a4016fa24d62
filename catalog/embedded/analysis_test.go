package embedded

import (
	"math/rand/v2"
	"slices"
	"testing"
)

// TestWordsAsAnalyzed holds the split of words to the folded analyzer's: texts mixing letters,
// digits, the characters that may join words, apostrophes and letters that fold to ASCII or not.
func TestWordsAsAnalyzed(t *testing.T) {
	a, err := newAnalyzers()
	if err != nil {
		t.Fatal(err)
	}
	texts := []string{
		"", "Photosynthesis in C4 plants.", "e.g. 3.14, 1,000; 2;3 a:b a.1 1.a a,b",
		"l'éducation d’école", "Straße Œuvre ﬁne", "snake_case _x_ __", "日本語のテキスト",
		"end.", "...a..b..", "a.b.c 1.2.3 a1.5 x:1", "Tab\there\nnew line", "ÀÉÎ.ÕÜ",
	}
	rng := rand.New(rand.NewPCG(1, 2))
	alphabet := []rune("aZ9 .:,;_'-\n\"éß’日")
	for range 2000 {
		r := make([]rune, rng.IntN(12))
		for i := range r {
			r[i] = alphabet[rng.IntN(len(alphabet))]
		}
		texts = append(texts, string(r))
	}
	for _, text := range texts {
		want := map[string]struct{}{}
		for _, tok := range a.folded.Analyze([]byte(text)) {
			want[string(tok.Term)] = struct{}{}
		}
		got := map[string]struct{}{}
		a.words(text, got)
		if w, g := sorted(want), sorted(got); !slices.Equal(w, g) {
			t.Errorf("words(%q) = %q, want %q", text, g, w)
		}
	}
}

func sorted(m map[string]struct{}) []string {
	out := keys(m)
	slices.Sort(out)
	return out
}
