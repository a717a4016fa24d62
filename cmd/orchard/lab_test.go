package main

import (
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestLabCommands runs a facilitator's round through the CLI against a running server: import
// a set, open a class, show and export it, and read the results after a learner answered.
func TestLabCommands(t *testing.T) {
	dir := isolate(t)
	t.Setenv("ORCHARD_DATA_DIR", dir)
	server := startServe(t)
	token, errOut, err := run(t, "token", "create", "--role", "librarian", "--name", "cli")
	if err != nil {
		t.Fatalf("token create: %v\n%s", err, errOut)
	}
	t.Setenv("ORCHARD_TOKEN", strings.TrimSpace(token))

	// A find question needs no record, so the set opens on an empty catalog.
	file := filepath.Join(dir, "set.yaml")
	if err := os.WriteFile(file, []byte("title: Finding\nquestions:\n  - kind: find\n    find:\n      languages: [de]\n      open: true\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	out, errOut, err := run(t, "lab", "import", file)
	m := regexp.MustCompile(`imported set (\S+): Finding, 1 questions`).FindStringSubmatch(out)
	if err != nil || m == nil {
		t.Fatalf("import: %v\n%s%s", err, out, errOut)
	}
	setID := m[1]
	bad := filepath.Join(dir, "bad.yaml")
	if err := os.WriteFile(bad, []byte("title: x\nquestions:\n  - kind: essay\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, _, err := run(t, "lab", "import", bad); err == nil || !strings.Contains(err.Error(), "questions[1].kind") {
		t.Errorf("import of a broken set: %v", err)
	}

	out, errOut, err = run(t, "lab", "create", setID)
	m = regexp.MustCompile(`class ([A-Z0-9]{6}): Finding, 1 questions`).FindStringSubmatch(out)
	if err != nil || m == nil {
		t.Fatalf("create: %v\n%s%s", err, out, errOut)
	}
	code := m[1]
	if out, _, err := run(t, "lab", "list"); err != nil || !strings.Contains(out, setID) || !strings.Contains(out, code) || !strings.Contains(out, "starter") {
		t.Errorf("list: %v\n%s", err, out)
	}
	if out, _, err := run(t, "lab", "show", code); err != nil || !strings.Contains(out, "1. [find] Find a resource in the catalog in German") {
		t.Errorf("show class: %v\n%s", err, out)
	}
	if out, _, err := run(t, "lab", "export", setID); err != nil || !strings.Contains(out, "kind: find") {
		t.Errorf("export: %v\n%s", err, out)
	}
	if out, _, err := run(t, "lab", "show", "starter"); err != nil || !strings.Contains(out, "a CC BY-NC-SA record in German") {
		t.Errorf("show starter: %v\n%s", err, out)
	}

	resp, err := http.Post(server+"/api/lab/classes/"+code+"/join", "application/json", strings.NewReader(`{"name":"=Kim"}`))
	if err != nil {
		t.Fatal(err)
	}
	var joined struct{ Learner struct{ Key string } }
	_ = json.NewDecoder(resp.Body).Decode(&joined)
	resp.Body.Close()
	req, _ := http.NewRequestWithContext(t.Context(), "POST", server+"/api/lab/classes/"+code+"/answers/1", strings.NewReader(`{"record":"nowhere"}`))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Learner-Key", joined.Learner.Key)
	if resp, err = http.DefaultClient.Do(req); err != nil || resp.StatusCode != http.StatusBadRequest {
		t.Fatalf("answer with a record not in the catalog: %v %v", resp.Status, err)
	}
	resp.Body.Close()

	if out, _, err := run(t, "lab", "results", code); err != nil || !regexp.MustCompile(`=Kim\s+-\s+0/1`).MatchString(out) {
		t.Errorf("results: %v\n%s", err, out)
	}
	// The CSV keeps a spreadsheet from reading a name as a formula.
	if out, _, err := run(t, "lab", "results", "--csv", code); err != nil || !strings.Contains(out, "'=Kim,") {
		t.Errorf("results --csv: %v\n%s", err, out)
	}
	if _, _, err := run(t, "lab", "results", "ZZZZZZ"); err == nil || !strings.Contains(err.Error(), "check the code") {
		t.Errorf("results of an unknown class: %v", err)
	}
}
