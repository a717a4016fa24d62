package remix

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/orchard-oer/orchard/normalizer/license"
)

func items(ids ...string) []Item {
	out := make([]Item, len(ids))
	for i, id := range ids {
		out[i] = Item{Title: "Work " + string(rune('A'+i)), Author: "Author " + string(rune('A'+i)),
			SourceURL: "https://example.org/" + string(rune('a'+i)), License: id}
	}
	return out
}

// TestChart40 follows Creative Commons' chart of which 4.0 licenses (and the public-domain tools)
// may be combined in an adaptation, with the license the result carries.
func TestChart40(t *testing.T) {
	const (
		pd   = "CC0-1.0"
		by   = "CC-BY-4.0"
		sa   = "CC-BY-SA-4.0"
		nc   = "CC-BY-NC-4.0"
		ncsa = "CC-BY-NC-SA-4.0"
		nd   = "CC-BY-ND-4.0"
		ncnd = "CC-BY-NC-ND-4.0"
	)
	all := []string{pd, "CC-PDM-1.0", by, sa, nc, ncsa, nd, ncnd}
	// yes[a][b] holds the license the chart gives the result, "" where the chart says no.
	yes := map[string]map[string]string{
		pd:   {pd: pd, "CC-PDM-1.0": pd, by: by, sa: sa, nc: nc, ncsa: ncsa},
		by:   {by: by, sa: sa, nc: nc, ncsa: ncsa},
		sa:   {sa: sa},
		nc:   {nc: nc, ncsa: ncsa},
		ncsa: {ncsa: ncsa},
	}
	yes["CC-PDM-1.0"] = yes[pd]
	for _, a := range all {
		for _, b := range all {
			want := yes[a][b]
			if want == "" {
				want = yes[b][a]
			}
			got := New(items(a, b)).Adaptation
			if got.Possible != (want != "") {
				t.Errorf("%s + %s: possible %v, want %v (%s)", a, b, got.Possible, want != "", got.Reason)
				continue
			}
			if want != "" && !slices.Contains(got.Licenses, want) {
				t.Errorf("%s + %s: may carry %v, want %s among them", a, b, got.Licenses, want)
			}
			if want == "" && got.Clash == nil && len(got.Blockers) == 0 {
				t.Errorf("%s + %s: impossible without a clash or a blocker named", a, b)
			}
			if coll := New(items(a, b)).Collection; !coll.Possible {
				t.Errorf("%s + %s: a collection of CC works must be possible: %s", a, b, coll.Reason)
			}
		}
	}
}

func TestPortsAndOneWay(t *testing.T) {
	tests := []struct {
		ids      []string
		possible bool
		carry    []string // licenses the result may carry (all of them must be listed)
		never    []string // licenses it must not be offered
	}{
		{[]string{"CC-BY-SA-3.0-DE", "CC-BY-SA-4.0"}, true, []string{"CC-BY-SA-4.0"}, []string{"CC-BY-SA-3.0-DE", "CC-BY-4.0"}},
		{[]string{"CC-BY-SA-3.0-DE", "CC-BY-SA-3.0"}, true, []string{"CC-BY-SA-3.0", "CC-BY-SA-4.0"}, nil},
		{[]string{"CC-BY-3.0-DE", "CC-BY-SA-3.0-AT"}, true, []string{"CC-BY-SA-4.0", "CC-BY-SA-3.0-AT"}, []string{"CC-BY-3.0-DE"}},
		{[]string{"CC-BY-NC-SA-3.0-FR", "CC-BY-NC-SA-4.0"}, true, []string{"CC-BY-NC-SA-4.0"}, []string{"CC-BY-SA-4.0"}},
		{[]string{"CC-BY-SA-2.0", "CC-BY-SA-3.0"}, true, []string{"CC-BY-SA-3.0", "CC-BY-SA-4.0"}, []string{"CC-BY-SA-2.0"}},
		{[]string{"CC-BY-SA-3.0-DE", "CC-BY-NC-SA-3.0"}, false, nil, nil},
		{[]string{"CC-BY-NC-3.0-ES", "CC-BY-SA-4.0"}, false, nil, nil},
		// ShareAlike 4.0 goes one way into GPLv3; the result must then be GPLv3.
		{[]string{"CC-BY-SA-4.0", "GPL-3.0-only"}, true, []string{"GPL-3.0-only"}, []string{"CC-BY-SA-4.0"}},
		{[]string{"CC-BY-SA-4.0", "GPL-3.0-or-later"}, true, []string{"GPL-3.0-or-later"}, []string{"CC-BY-SA-4.0"}},
		{[]string{"CC-BY-SA-3.0", "GPL-3.0-only"}, false, nil, nil},
		{[]string{"CC-BY-4.0", "GPL-3.0-only"}, true, []string{"GPL-3.0-only"}, nil},
		{[]string{"CC-BY-NC-SA-4.0", "GPL-3.0-only"}, false, nil, nil},
	}
	for _, tt := range tests {
		got := New(items(tt.ids...)).Adaptation
		if got.Possible != tt.possible {
			t.Errorf("%v: possible %v, want %v (%s)", tt.ids, got.Possible, tt.possible, got.Reason)
			continue
		}
		for _, id := range tt.carry {
			if !slices.Contains(got.Licenses, id) {
				t.Errorf("%v: may carry %v, want %s among them", tt.ids, got.Licenses, id)
			}
		}
		for _, id := range tt.never {
			if slices.Contains(got.Licenses, id) {
				t.Errorf("%v: may carry %v, must not offer %s", tt.ids, got.Licenses, id)
			}
		}
		if !tt.possible && (got.Clash == nil || !strings.Contains(got.Clash.Reason, "Work A") || !strings.Contains(got.Clash.Reason, "Work B")) {
			t.Errorf("%v: the clashing pair is not named: %+v", tt.ids, got.Clash)
		}
	}
}

func TestToolkit(t *testing.T) {
	kit := items("CC-BY-4.0", "CC-BY-SA-4.0", "CC0-1.0", "CC-BY-NC-4.0", "CC-BY-SA-3.0-DE")
	p := New(kit)
	if !p.Collection.Possible || !slices.Equal(p.Collection.NonCommercial, []int{3}) {
		t.Errorf("collection: %+v", p.Collection)
	}
	if p.Adaptation.Possible || p.Adaptation.Clash == nil || p.Adaptation.Clash.A != 1 || p.Adaptation.Clash.B != 3 {
		t.Errorf("adaptation: want the SA/NC pair named, got %+v", p.Adaptation)
	}

	closed := items("CC-BY-4.0", "LicenseRef-All-Rights-Reserved", "", "CC-BY-ND-4.0", "LicenseRef-RS-InC")
	p = New(closed)
	if p.Collection.Possible || len(p.Collection.Blockers) != 3 {
		t.Errorf("collection with closed items: %+v", p.Collection)
	}
	if p.Adaptation.Possible || len(p.Adaptation.Blockers) != 4 || !strings.Contains(p.Adaptation.Blockers[2].Reason, "does not allow adaptations") {
		t.Errorf("adaptation with closed items: %+v", p.Adaptation)
	}

	if p := New(items("CC-BY-SA", "CC-BY-4.0")).Adaptation; p.Decidable || p.Possible {
		t.Errorf("a version-less family: %+v", p)
	}
	if p := New(nil); p.Adaptation.Possible || !p.Collection.Possible {
		t.Errorf("empty toolkit: %+v", p)
	}
}

func TestMarking(t *testing.T) {
	kit := items("CC-BY-4.0", "CC-BY-SA-4.0", "CC0-1.0")
	own := Own{Title: "My Remix", Author: "Learner", URL: "https://example.org/mine", License: "CC-BY-SA-4.0", Kind: KindAdaptation}
	got, err := Marking(own, kit, license.FormatText)
	if err != nil {
		t.Fatal(err)
	}
	want := `"My Remix" (https://example.org/mine) by Learner is licensed under CC BY-SA 4.0. To view a copy of this license, visit https://creativecommons.org/licenses/by-sa/4.0/

It adapts:
- "Work A" (https://example.org/a) by Author A is licensed under CC BY 4.0. To view a copy of this license, visit https://creativecommons.org/licenses/by/4.0/
- "Work B" (https://example.org/b) by Author B is licensed under CC BY-SA 4.0. To view a copy of this license, visit https://creativecommons.org/licenses/by-sa/4.0/
- "Work C" (https://example.org/c) by Author C is dedicated to the public domain under CC0 1.0. See https://creativecommons.org/publicdomain/zero/1.0/`
	if got != want {
		t.Errorf("marking:\n%s\nwant\n%s", got, want)
	}

	own.License = "CC-BY-4.0"
	if _, err := Marking(own, kit, license.FormatText); !errors.Is(err, ErrNotAllowed) || !strings.Contains(err.Error(), "CC-BY-SA-4.0") {
		t.Errorf("BY for a BY-SA adaptation: err %v", err)
	}
	own.Kind, own.License = KindCollection, "CC-BY-4.0"
	got, err = Marking(own, append(kit, items("CC-BY-ND-4.0")...), license.FormatMarkdown)
	if err != nil || !strings.Contains(got, "It includes, each under its own license:") || !strings.Contains(got, "[CC BY-ND 4.0](https://creativecommons.org/licenses/by-nd/4.0/)") {
		t.Errorf("collection marking: err %v\n%s", err, got)
	}
	if _, err := Marking(own, items("LicenseRef-All-Rights-Reserved"), license.FormatText); !errors.Is(err, ErrNotAllowed) {
		t.Errorf("collection with an all-rights-reserved item: err %v", err)
	}
}
