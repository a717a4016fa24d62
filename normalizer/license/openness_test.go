package license

import "testing"

func TestParseOpenness(t *testing.T) {
	for _, tc := range []struct {
		in, want string
	}{
		{"free", "free"}, {"CC", "cc"}, {" any ", "any"},
		{"Free culture", "free"}, {"creative commons and public domain", "cc"}, {"Everything", "any"},
		{"open", ""}, {"", ""},
	} {
		o, err := ParseOpenness(tc.in)
		if o.ID != tc.want || (err == nil) != (tc.want != "") {
			t.Errorf("ParseOpenness(%q) = %q, %v; want %q", tc.in, o.ID, err, tc.want)
		}
	}
}

func TestStanding(t *testing.T) {
	for _, tc := range []struct{ id, want string }{
		{"CC-BY-4.0", "Free culture"},
		{"CC0-1.0", "Free culture"},
		{"CC-BY-NC-SA-4.0", "Some rights reserved"},
		{"CC-BY-NC-4.0", "Some rights reserved"},
		{"LicenseRef-All-Rights-Reserved", "Reuse needs permission"},
		{"LicenseRef-RS-InC", "Reuse needs permission"},
		{"", "License unknown"},
	} {
		tool, _ := Lookup(tc.id)
		if got := tool.Standing(); got != tc.want {
			t.Errorf("%q: Standing() = %q, want %q", tc.id, got, tc.want)
		}
	}
}

func TestNeedsPermission(t *testing.T) {
	for _, tc := range []struct {
		id   string
		want bool
	}{
		{"CC-BY-NC-4.0", false}, {"CC0-1.0", false}, {"MIT", false}, {"LicenseRef-RS-NoC-US", false},
		{"LicenseRef-All-Rights-Reserved", true}, {"LicenseRef-RS-InC-EDU", true}, {"", true},
	} {
		tool, _ := Lookup(tc.id)
		if got := tool.NeedsPermission(); got != tc.want {
			t.Errorf("%q: NeedsPermission() = %v, want %v", tc.id, got, tc.want)
		}
	}
}

// Every label a page shows leads back to its tool, so that a form may offer labels.
func TestByLabel(t *testing.T) {
	for _, tool := range All() {
		if got, ok := ByLabel(tool.Label); !ok || got.ID != tool.ID {
			t.Errorf("ByLabel(%q) = %s, %v; want %s", tool.Label, got.ID, ok, tool.ID)
		}
	}
	if got, ok := ByLabel(" cc by-nc 4.0 "); !ok || got.ID != "CC-BY-NC-4.0" {
		t.Errorf("ByLabel ignores case and spaces: %s, %v", got.ID, ok)
	}
	if _, ok := ByLabel("CC BY 9.0"); ok {
		t.Error("ByLabel found a tool that does not exist")
	}
}
