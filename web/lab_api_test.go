package web

import (
	"encoding/csv"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/orchard-oer/orchard/lab"
)

// labSetBody is a set with one question of each kind over the catalog fixtures.
var labSetBody = map[string]any{
	"title": "Week 1",
	"questions": []map[string]any{
		{"kind": "license", "records": []string{"de-zelle"}},
		{"kind": "may", "action": "adapt", "records": []string{"en-cells"}},
		{"kind": "attribution", "records": []string{"en-photo"}},
		{"kind": "combine", "records": []string{"de-zelle", "fr-educ"}},
		{"kind": "find", "find": map[string]any{"languages": []string{"de"}, "derivatives": true}},
	},
}

// answerAs sends a learner's answer and returns status and body.
func (h *harness) answerAs(key, code string, n string, body any) (int, []byte) {
	h.t.Helper()
	b, _ := json.Marshal(body)
	req, _ := http.NewRequestWithContext(h.t.Context(), http.MethodPost, h.ts.URL+"/api/lab/classes/"+code+"/answers/"+n, strings.NewReader(string(b)))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set(learnerKeyHeader, key)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		h.t.Fatal(err)
	}
	defer resp.Body.Close()
	var out json.RawMessage
	_ = json.NewDecoder(resp.Body).Decode(&out)
	return resp.StatusCode, out
}

func TestLabAPI(t *testing.T) {
	h := newHarness(t)
	// Facilitator routes need a librarian.
	if code, _, _ := h.do("GET", "/api/lab/sets", "", nil); code != http.StatusUnauthorized {
		t.Errorf("sets without a token: %d", code)
	}
	var set lab.Set
	h.call("POST", "/api/lab/sets", h.librarian, labSetBody, http.StatusCreated, &set)
	if set.By != "lin" || len(set.Questions) != 5 {
		t.Fatalf("set %+v", set)
	}
	var class lab.Class
	h.call("POST", "/api/lab/sets/"+set.ID+"/classes", h.librarian, nil, http.StatusCreated, &class)

	// A learner joins anonymously with the code and sees prompts, not the answers.
	var joined struct {
		Class   LabClass   `json:"class"`
		Learner LabLearner `json:"learner"`
	}
	h.call("POST", "/api/lab/classes/"+strings.ToLower(class.Code)+"/join", "", map[string]string{"name": "Kim"}, http.StatusCreated, &joined)
	key := joined.Learner.Key
	if key == "" || len(joined.Class.Questions) != 5 || joined.Class.Questions[0].Records[0].Page != "/records/de-zelle" {
		t.Fatalf("joined %+v", joined)
	}
	_, raw, _ := h.do("GET", "/api/lab/classes/"+class.Code, "", nil)
	if strings.Contains(string(raw), "CC-BY-SA-4.0") {
		t.Errorf("the learner's view of the class gives the license away: %s", raw)
	}

	code, body := h.answerAs(key, class.Code, "1", map[string]string{"license": "CC BY-SA 3.0"})
	var graded lab.Answered
	if err := json.Unmarshal(body, &graded); code != http.StatusOK || err != nil || graded.Result.Correct || len(graded.Result.Explanation) == 0 {
		t.Fatalf("wrong answer: %d %s", code, body)
	}
	code, body = h.answerAs(key, class.Code, "1", map[string]string{"license": "https://creativecommons.org/licenses/by-sa/4.0/"})
	if code != http.StatusOK || !strings.Contains(string(body), `"correct":true`) {
		t.Fatalf("right answer: %d %s", code, body)
	}

	// Bad input gets a clear message and keeps nothing.
	bad := []struct {
		name, key, code, n string
		body               any
		status             int
		says               string
	}{
		{"unknown code", key, "ZZZZZZ", "1", map[string]string{"license": "CC-BY-4.0"}, http.StatusNotFound, "check the code"},
		{"no key", "", class.Code, "1", map[string]string{"license": "CC-BY-4.0"}, http.StatusForbidden, "join the class again"},
		{"attribution of 1 MB", key, class.Code, "3", map[string]string{"text": strings.Repeat("x", 1_000_000)}, http.StatusBadRequest, "at most 4096 bytes"},
		{"body over the server's limit", key, class.Code, "3", map[string]string{"text": strings.Repeat("x", 2<<20)}, http.StatusRequestEntityTooLarge, "must be at most"},
		{"unknown field", key, class.Code, "3", map[string]string{"essay": "x"}, http.StatusBadRequest, "essay"},
		{"no such question", key, class.Code, "0", map[string]string{"choice": "yes"}, http.StatusBadRequest, "questions 1 to 5"},
		{"record not in the catalog", key, class.Code, "5", map[string]string{"record": "en-gone"}, http.StatusBadRequest, "no record en-gone"},
	}
	for _, tt := range bad {
		code, body := h.answerAs(tt.key, tt.code, tt.n, tt.body)
		if code != tt.status || !strings.Contains(string(body), tt.says) {
			t.Errorf("%s: %d %s", tt.name, code, body)
		}
	}
	// HTML with a script is graded as an attribution and comes back as data, never as markup.
	code, body = h.answerAs(key, class.Code, "3", map[string]string{"text": `<script>alert(1)</script><a href="https://alpha.example/1">Photosynthesis in Green Plants</a> by Ada Lovelace, <a href="https://creativecommons.org/licenses/by/4.0/">CC BY 4.0</a>`})
	if code != http.StatusOK || !strings.Contains(string(body), `"correct":true`) || strings.Contains(string(body), "<script>") {
		t.Errorf("attribution in HTML: %d %s", code, body)
	}

	var me LabLearner
	req, _ := http.NewRequestWithContext(t.Context(), "GET", h.ts.URL+"/api/lab/classes/"+class.Code+"/me", nil)
	req.Header.Set(learnerKeyHeader, key)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	_ = json.NewDecoder(resp.Body).Decode(&me)
	resp.Body.Close()
	if me.Name != "Kim" || me.Correct != 2 || me.Answers["1"].Tries != 2 {
		t.Errorf("me %+v", me)
	}

	// Closed: answers get a clear refusal; the kept answers stay.
	h.call("PUT", "/api/lab/classes/"+class.Code+"/closed", h.librarian, map[string]bool{"closed": true}, http.StatusOK, nil)
	if code, body := h.answerAs(key, class.Code, "2", map[string]string{"choice": "no"}); code != http.StatusConflict || !strings.Contains(string(body), "closed") {
		t.Errorf("answer to a closed class: %d %s", code, body)
	}
	var res LabResults
	h.call("GET", "/api/lab/classes/"+class.Code+"/results", h.librarian, nil, http.StatusOK, &res)
	if len(res.Learners) != 1 || res.Learners[0].Correct != 2 || !res.Class.Closed {
		t.Errorf("results %+v", res)
	}
	code, csvBody, hdr := h.do("GET", "/api/lab/classes/"+class.Code+"/results?format=csv", h.librarian, nil)
	rows, err := csv.NewReader(strings.NewReader(string(csvBody))).ReadAll()
	if code != http.StatusOK || err != nil || hdr.Get("Content-Type") != "text/csv; charset=utf-8" || len(rows) != 2 || rows[1][0] != "Kim" || rows[1][len(rows[1])-1] != "2" {
		t.Errorf("csv: %d %v %q", code, err, rows)
	}

	// YAML: export, import, and a clear refusal of a broken file.
	code, yml, _ := h.do("GET", "/api/lab/sets/"+set.ID+"/export", h.librarian, nil)
	if code != http.StatusOK || !strings.Contains(string(yml), "kind: combine") {
		t.Fatalf("export: %d %s", code, yml)
	}
	imported := h.postYAML(string(yml), http.StatusCreated)
	if !strings.Contains(imported, `"title":"Week 1"`) {
		t.Errorf("import: %s", imported)
	}
	if msg := h.postYAML("title: x\nquestions:\n  - kind: essay\n", http.StatusBadRequest); !strings.Contains(msg, "questions[1].kind") {
		t.Errorf("bad import: %s", msg)
	}

	// A record that left the catalog since the set was made: opening a class says which, and
	// so does the set's page.
	if err := h.index.Delete(t.Context(), []string{"en-cells"}); err != nil {
		t.Fatal(err)
	}
	b := h.browser()
	b.login(h.librarian)
	if _, page, _ := b.get("/lab/sets/" + set.ID); !strings.Contains(page, "en-cells (no longer in the catalog)") {
		t.Errorf("the set page does not say which record left:\n%s", page)
	}
	code, body, _ = h.do("POST", "/api/lab/sets/"+set.ID+"/classes", h.librarian, nil)
	if code != http.StatusConflict || !strings.Contains(string(body), "record en-cells is no longer in the catalog") {
		t.Errorf("open with a record gone: %d %s", code, body)
	}
	// The starter set opens on the fixtures.
	h.call("POST", "/api/lab/sets/starter/classes", h.librarian, nil, http.StatusCreated, &class)
	if len(class.Items) < 5 {
		t.Errorf("starter class %+v", class)
	}
}

func (h *harness) postYAML(yml string, want int) string {
	h.t.Helper()
	req, _ := http.NewRequestWithContext(h.t.Context(), "POST", h.ts.URL+"/api/lab/sets/import", strings.NewReader(yml))
	req.Header.Set("Content-Type", "application/yaml")
	req.Header.Set("Authorization", "Bearer "+h.librarian)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		h.t.Fatal(err)
	}
	defer resp.Body.Close()
	var b strings.Builder
	_, _ = io.Copy(&b, resp.Body)
	if resp.StatusCode != want {
		h.t.Errorf("import: status %d, want %d: %s", resp.StatusCode, want, b.String())
	}
	return b.String()
}

// TestLabPages checks the learner's pages on bad input: each gets a message on the page, and
// the kept answers stay.
func TestLabPages(t *testing.T) {
	h := newHarness(t)
	var set lab.Set
	h.call("POST", "/api/lab/sets", h.librarian, labSetBody, http.StatusCreated, &set)
	var class lab.Class
	h.call("POST", "/api/lab/sets/"+set.ID+"/classes", h.librarian, nil, http.StatusCreated, &class)

	b := h.browser()
	csrf := b.csrf("/lab")
	if code, body, _ := b.post("/lab/join", url.Values{"csrf": {csrf}, "code": {"ZZZZZZ"}, "name": {"Kim"}}); code != http.StatusNotFound || !strings.Contains(body, "There is no class with that code") {
		t.Errorf("join an unknown class: %d", code)
	}
	if code, body, _ := b.post("/lab/c/"+class.Code+"/1", url.Values{"csrf": {csrf}, "license": {"CC-BY-4.0"}}); code != http.StatusOK || !strings.Contains(body, `id="join-code"`) {
		t.Errorf("answer without joining: %d", code)
	}
	if code, _, _ := b.post("/lab/join", url.Values{"csrf": {csrf}, "code": {class.Code}, "name": {"Kim"}}); code != http.StatusSeeOther {
		t.Fatalf("join: %d", code)
	}
	if code, _, _ := b.post("/lab/c/"+class.Code+"/1", url.Values{"csrf": {csrf}, "license": {"CC BY-SA 4.0"}}); code != http.StatusSeeOther {
		t.Fatalf("answer: %d", code)
	}
	big := strings.Repeat("Photosynthesis ", 66000) // 1 MB of text, under the server's body limit
	if code, body, _ := b.post("/lab/c/"+class.Code+"/3", url.Values{"csrf": {csrf}, "text": {big}}); code != http.StatusBadRequest || !strings.Contains(body, "at most 4096 bytes") {
		t.Errorf("an attribution of 1 MB: %d", code)
	}
	h.call("PUT", "/api/lab/classes/"+class.Code+"/closed", h.librarian, map[string]bool{"closed": true}, http.StatusOK, nil)
	code, body, _ := b.post("/lab/c/"+class.Code+"/2", url.Values{"csrf": {csrf}, "choice": {"no"}})
	if code != http.StatusConflict || !strings.Contains(body, "this class is closed") || !strings.Contains(body, "✓") {
		t.Errorf("answer to a closed class: %d", code)
	}
	if _, body, _ := b.get("/lab/c/" + class.Code); !strings.Contains(body, "Right: “Übung zur Zellbiologie” is under CC BY-SA 4.0.") {
		t.Errorf("the kept answer is gone:\n%s", body)
	}
}
