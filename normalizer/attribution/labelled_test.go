package attribution

import (
	"bytes"
	"fmt"
	"os"
	"slices"
	"testing"

	"go.yaml.in/yaml/v3"
)

type labelledSet struct {
	Records map[string]struct {
		Title   string   `yaml:"title"`
		Authors []string `yaml:"authors"`
		URL     string   `yaml:"url"`
		License string   `yaml:"license"`
	} `yaml:"records"`
	Cases []struct {
		Rec     string   `yaml:"rec"`
		Text    string   `yaml:"text"`
		Adapted bool     `yaml:"adapted"`
		Bad     []string `yaml:"bad"`
		Verdict *bool    `yaml:"verdict"` // the overall verdict when it differs from "nothing bad"
	} `yaml:"cases"`
}

// confusion counts, for one element, how the checker's "wrong" agrees with the label's.
type confusion struct{ tp, fp, fn, tn int }

func (c confusion) rates() (precWrong, recWrong, precRight, recRight float64) {
	ratio := func(a, b int) float64 {
		if b == 0 {
			return 1
		}
		return float64(a) / float64(b)
	}
	return ratio(c.tp, c.tp+c.fp), ratio(c.tp, c.tp+c.fn), ratio(c.tn, c.tn+c.fn), ratio(c.tn, c.tn+c.fp)
}

// TestLabelledSet measures the checker on hand-labelled attributions: per element, precision and
// recall of both "wrong" and "right" must reach 95%, and so must the overall verdict's accuracy.
func TestLabelledSet(t *testing.T) {
	raw, err := os.ReadFile("testdata/attributions.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var set labelledSet
	dec := yaml.NewDecoder(bytes.NewReader(raw))
	dec.KnownFields(true)
	if err := dec.Decode(&set); err != nil {
		t.Fatalf("read labelled set: %v", err)
	}
	if len(set.Cases) < 150 {
		t.Fatalf("labelled set has %d cases, want at least 150", len(set.Cases))
	}
	elements := []string{"title", "author", "source", "license", "modified"}
	counts := map[string]*confusion{}
	for _, e := range elements {
		counts[e] = &confusion{}
	}
	verdicts := 0
	for i, c := range set.Cases {
		rec, ok := set.Records[c.Rec]
		if !ok {
			t.Fatalf("case %d names unknown record %q", i, c.Rec)
		}
		for _, b := range c.Bad {
			if !slices.Contains(elements, b) {
				t.Fatalf("case %d labels unknown element %q", i, b)
			}
		}
		res, err := Check(Expected{Title: rec.Title, Authors: rec.Authors, SourceURL: rec.URL,
			License: rec.License, Adapted: c.Adapted}, c.Text)
		if err != nil {
			t.Fatalf("case %d: %v", i, err)
		}
		got := map[string]Element{"title": res.Title, "author": res.Author, "source": res.Source, "license": res.License}
		if res.Modified != nil {
			got["modified"] = *res.Modified
		}
		for _, e := range elements {
			el, graded := got[e]
			if !graded {
				continue
			}
			wantWrong, gotWrong := slices.Contains(c.Bad, e), !el.Correct
			cm := counts[e]
			switch {
			case wantWrong && gotWrong:
				cm.tp++
			case gotWrong:
				cm.fp++
				t.Logf("case %d (%s): %s flagged wrongly: %s\n  %s", i, c.Rec, e, el.Problem, c.Text)
			case wantWrong:
				cm.fn++
				t.Logf("case %d (%s): %s wrong but accepted (found %q)\n  %s", i, c.Rec, e, el.Found, c.Text)
			default:
				cm.tn++
			}
		}
		wantOK := len(c.Bad) == 0
		if c.Verdict != nil {
			wantOK = *c.Verdict
		}
		if res.OK == wantOK {
			verdicts++
		} else {
			t.Logf("case %d (%s): verdict %v, want %v; problems %q", i, c.Rec, res.OK, wantOK, res.Problems)
		}
	}
	t.Logf("%d attributions; per element: precision and recall of \"wrong\", then of \"right\"", len(set.Cases))
	for _, e := range elements {
		pw, rw, pr, rr := counts[e].rates()
		line := fmt.Sprintf("%-8s wrong P %.3f R %.3f   right P %.3f R %.3f   (%+v)", e, pw, rw, pr, rr, *counts[e])
		t.Log(line)
		if min(pw, rw, pr, rr) < 0.95 {
			t.Errorf("%s below 95%%: %s", e, line)
		}
	}
	acc := float64(verdicts) / float64(len(set.Cases))
	t.Logf("overall verdict accuracy %.3f", acc)
	if acc < 0.95 {
		t.Errorf("verdict accuracy %.3f below 95%%", acc)
	}
}
