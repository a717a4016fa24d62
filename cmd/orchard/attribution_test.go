package main

import (
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"testing"
)

func TestAttributionCheck(t *testing.T) {
	base := []string{"attribution", "check", "--json", "--title", "Photosynthesis", "--author", "Ada Lovelace; Charles Babbage",
		"--url", "https://example.org/w", "--license", "CC-BY-4.0"}
	good := `"Photosynthesis" by Ada Lovelace and Charles Babbage, https://example.org/w, CC BY 4.0 https://creativecommons.org/licenses/by/4.0/`
	tests := []struct {
		name     string
		flags    []string
		text     string
		ok       bool
		modified any
		problems int
	}{
		{"correct", nil, good, true, nil, 0},
		{"no license link", nil, `"Photosynthesis" by Ada Lovelace and Charles Babbage, https://example.org/w, CC BY 4.0`, false, nil, 1},
		{"adapted, notice given", []string{"--adapted"}, "Adapted from " + good, true, true, 0},
		{"adapted, no notice", []string{"--adapted"}, good, false, false, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			args := append(append(slices.Clone(base), tt.flags...), "--", tt.text)
			out, _, err := run(t, args...)
			if tt.ok != (err == nil) || err != nil && !errors.Is(err, errNotOK) {
				t.Fatalf("err %v, want ok %v", err, tt.ok)
			}
			var got map[string]any
			if err := json.Unmarshal([]byte(out), &got); err != nil {
				t.Fatalf("output is not one JSON object: %v\n%s", err, out)
			}
			var keys []string
			for k := range got {
				keys = append(keys, k)
			}
			slices.Sort(keys)
			if want := []string{"author", "license", "modified", "ok", "problems", "source", "title"}; !slices.Equal(keys, want) {
				t.Errorf("keys %v, want %v", keys, want)
			}
			if got["ok"] != tt.ok || got["modified"] != tt.modified || len(got["problems"].([]any)) != tt.problems {
				t.Errorf("got %v", got)
			}
		})
	}

	out, _, err := run(t, "attribution", "check", "--title", "Photosynthesis", "--author", "Ada Lovelace",
		"--url", "https://example.org/w", "--license", "CC-BY-4.0", "--", "Photosynthesis, CC BY 4.0")
	if !errors.Is(err, errNotOK) || !strings.Contains(out, "author   missing") || !strings.Contains(out, "Not correct yet") {
		t.Errorf("readable verdict: err %v\n%s", err, out)
	}
	if _, _, err := run(t, "attribution", "check", "--license", "CC-BY-4.0", "--", strings.Repeat("x", 70<<10)); err == nil ||
		!strings.Contains(err.Error(), "too large") {
		t.Errorf("70 KiB attribution: err %v, want a clear refusal", err)
	}
	if _, _, err := run(t, "attribution", "check", "--license", "CC-BY", "--", "x"); err == nil ||
		!strings.Contains(err.Error(), "not a known license with a version") {
		t.Errorf("family license: err %v", err)
	}
}
