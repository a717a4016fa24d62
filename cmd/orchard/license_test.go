package main

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
)

// runLicense executes the orchard command line in-process with an isolated configuration.
func runLicense(t *testing.T, args ...string) (string, error) {
	t.Helper()
	isolate(t)
	var out, errOut bytes.Buffer
	cmd := newRootCmd()
	cmd.SetOut(&out)
	cmd.SetErr(&errOut)
	cmd.SetArgs(args)
	err := cmd.ExecuteContext(t.Context())
	return out.String(), err
}

func TestLicenseParseJSON(t *testing.T) {
	out, err := runLicense(t, "license", "parse", "--json",
		"https://creativecommons.org/licenses/by-sa/3.0/de/deed.en", "CC BY-NC-SA", "https://creativecommons.org/licenses/by/5.0/")
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 3 {
		t.Fatalf("%d lines:\n%s", len(lines), out)
	}
	keys := []string{"input", "id", "url", "label", "version", "jurisdiction", "commercial", "derivatives",
		"share_alike", "attribution", "open", "warnings"}
	var first map[string]any
	if err := json.Unmarshal([]byte(lines[0]), &first); err != nil {
		t.Fatal(err)
	}
	if len(first) != len(keys) {
		t.Errorf("keys %v, want exactly %v", first, keys)
	}
	for _, k := range keys {
		if _, ok := first[k]; !ok {
			t.Errorf("key %q missing", k)
		}
	}
	want := map[string]any{"id": "CC-BY-SA-3.0-DE", "url": "https://creativecommons.org/licenses/by-sa/3.0/de/",
		"label": "CC BY-SA 3.0 DE", "version": "3.0", "jurisdiction": "de", "commercial": true, "derivatives": true,
		"share_alike": true, "attribution": true, "open": true}
	for k, v := range want {
		if first[k] != v {
			t.Errorf("%s = %v, want %v", k, first[k], v)
		}
	}
	if w, ok := first["warnings"].([]any); !ok || len(w) != 0 {
		t.Errorf("warnings = %#v, want an empty array", first["warnings"])
	}
	var family, bad struct {
		ID       string   `json:"id"`
		Warnings []string `json:"warnings"`
	}
	if json.Unmarshal([]byte(lines[1]), &family) != nil || family.ID != "CC-BY-NC-SA" || len(family.Warnings) == 0 {
		t.Errorf("family line: %s", lines[1])
	}
	if json.Unmarshal([]byte(lines[2]), &bad) != nil || bad.ID != "" || len(bad.Warnings) == 0 {
		t.Errorf("invalid line: %s", lines[2])
	}
}

func TestLicenseParseTable(t *testing.T) {
	out, err := runLicense(t, "license", "parse", "CC BY 4.0", "nonsense words here")
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) < 3 || !strings.HasPrefix(lines[0], "INPUT") {
		t.Fatalf("output:\n%s", out)
	}
	col := strings.Index(lines[0], "ID")
	if !strings.HasPrefix(lines[1][col:], "CC-BY-4.0") || !strings.HasPrefix(lines[2][col:], "-") {
		t.Errorf("columns not aligned:\n%s", out)
	}
	for _, s := range []string{"https://creativecommons.org/licenses/by/4.0/", "CC BY 4.0", "yes", "warning: nonsense"} {
		if !strings.Contains(out, s) {
			t.Errorf("output lacks %q:\n%s", s, out)
		}
	}
	if _, err := runLicense(t, "license", "parse"); err == nil {
		t.Error("parse without arguments should fail")
	}
}

func TestLicenseExplainAndCompat(t *testing.T) {
	out, err := runLicense(t, "license", "explain", "CC-BY-NC-ND-4.0")
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{"Attribution-NonCommercial-NoDerivatives 4.0 International", "You may:", "You must:",
		"You must not:", "https://creativecommons.org/licenses/by-nc-nd/4.0/"} {
		if !strings.Contains(out, s) {
			t.Errorf("explain lacks %q:\n%s", s, out)
		}
	}
	if _, err := runLicense(t, "license", "explain", "CC-BY-9.0"); err == nil {
		t.Error("explain of an unknown id should fail")
	}
	out, err = runLicense(t, "license", "compat", "CC-BY-SA-4.0", "GPL-3.0-only")
	if err != nil || !strings.Contains(out, "Compatible") || !strings.Contains(out, "GPL-3.0-only") {
		t.Errorf("compat: %v\n%s", err, out)
	}
	out, err = runLicense(t, "license", "compat", "CC-BY-ND-4.0", "CC-BY-4.0")
	if err != nil || !strings.Contains(out, "Not compatible") || !strings.Contains(out, "CC-BY-ND-4.0") {
		t.Errorf("compat ND: %v\n%s", err, out)
	}
}

func TestAttributionCommand(t *testing.T) {
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"--title", "Cells", "--author", "Ada", "--url", "https://example.org/cells", "--license", "CC-BY-4.0"},
			`"Cells" (https://example.org/cells) by Ada is licensed under CC BY 4.0. To view a copy of this license, visit https://creativecommons.org/licenses/by/4.0/`},
		{[]string{"--title", "A <b>", "--license", "https://creativecommons.org/licenses/by-sa/4.0/deed.de", "--format", "html"},
			`<span property="dct:title">A &lt;b&gt;</span> is licensed under <a href="https://creativecommons.org/licenses/by-sa/4.0/" target="_blank" rel="license noopener noreferrer"`},
		{[]string{"--title", "Map", "--license", "Public Domain Mark 1.0", "--format", "markdown"},
			`Map is marked with [PDM 1.0](https://creativecommons.org/publicdomain/mark/1.0/)`},
	}
	for _, tt := range tests {
		out, err := runLicense(t, append([]string{"attribution"}, tt.args...)...)
		if err != nil || !strings.Contains(out, tt.want) {
			t.Errorf("attribution %v: %v\n%s\nwant %s", tt.args, err, out, tt.want)
		}
	}
	for _, args := range [][]string{{"--title", "x"}, {"--license", "gibberish xyz"}, {"--license", "CC-BY-4.0", "--format", "pdf"}} {
		if _, err := runLicense(t, append([]string{"attribution"}, args...)...); err == nil {
			t.Errorf("attribution %v should fail", args)
		}
	}
}
