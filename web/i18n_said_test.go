package web

import (
	"net/url"
	"testing"

	"github.com/orchard-oer/orchard/lab"
)

// TestGoTextInGerman: what Go code writes in English — a source's detection and probe verdict,
// the lab's find question, its checks and per-element lines, attribution problems, the set
// form's errors and parameter reasons — shows in German on German pages.
func TestGoTextInGerman(t *testing.T) {
	ts := lessonSite(t)
	h := newHarness(t, newPipeline().probes)
	var set lab.Set
	h.call("POST", "/api/lab/sets", h.librarian, labSetBody, 201, &set)
	var class lab.Class
	h.call("POST", "/api/lab/sets/"+set.ID+"/classes", h.librarian, nil, 201, &class)

	staff := h.browser()
	staff.login(h.librarian)
	staff.get("/?locale=de")
	form := staff.form("/admin/sources/new", "/admin/sources/new")
	form.Set("name", "lessons")
	form.Set("url", ts.URL+"/robots.txt")
	form.Set("action", "detect")
	_, detect, _ := staff.post("/admin/sources/new", form)
	form.Set("action", "probe")
	_, probe, _ := staff.post("/admin/sources/new", form)
	form.Set("action", "save")
	form.Set("type", "oai-pmh")
	_, wrongType, _ := staff.post("/admin/sources/new", form)
	_, setErr, _ := staff.post("/lab/sets", url.Values{"csrf": form["csrf"], "title": {"x"}, "q1-kind": {"combine"}, "q1-records": {"de-zelle"}})

	learner := h.browser()
	learner.get("/?locale=de")
	csrf := learner.csrf("/lab")
	learner.post("/lab/join", url.Values{"csrf": {csrf}, "code": {class.Code}, "name": {"Kim"}})
	learner.post("/lab/c/"+class.Code+"/3", url.Values{"csrf": {csrf}, "text": {`"Photosynthesis in Green Plants" by Ada Lovelace, CC BY 3.0`}})
	learner.post("/lab/c/"+class.Code+"/5", url.Values{"csrf": {csrf}, "record": {"fr-educ"}})
	_, labPage, _ := learner.get("/lab/c/" + class.Code)
	_, check, _ := learner.post("/records/en-photo/attribution", url.Values{"csrf": {csrf},
		"text": {`"Photosynthesis in Green Plants" by Ada Lovelace (https://alpha.example/1), CC BY 3.0 (https://creativecommons.org/licenses/by/3.0/)`}})
	_, param, _ := learner.get("/?facets=nonsense")
	_, record, _ := learner.get("/records/en-photo")
	german := "„Photosynthesis in Green Plants“ (https://alpha.example/1) von Ada Lovelace ist lizenziert unter CC BY 4.0. " +
		"Eine Kopie dieser Lizenz finden Sie unter https://creativecommons.org/licenses/by/4.0/"
	_, own, _ := learner.post("/records/en-photo/attribution", url.Values{"csrf": {csrf}, "text": {german}})
	_, api, _ := h.do("GET", "/api/records/en-photo/license", "", nil)

	for _, tc := range []struct {
		page, body string
		has, not   []string
	}{
		{"detect", detect, []string{"Erkannt: " + ts.URL + "/robots.txt ist eine robots.txt: Typ web, Modus sitemap"}, []string{"Detected", "is a robots.txt"}},
		{"probe", probe, []string{"Abrufbar: Die robots.txt erlaubt es"}, []string{"Harvestable", "robots.txt allows"}},
		{"wrong type", wrongType, []string{"Parameter type: falscher Quellentyp: " + ts.URL + "/robots.txt ist eine robots.txt, die mit Typ oai-pmh nicht abgerufen werden kann: verwenden Sie Typ web, Modus sitemap"},
			[]string{"wrong source type", "cannot harvest"}},
		{"set form", setErr, []string{"questions[1].records: eine Frage der Art combine bezieht sich auf 2 bis"}, []string{"question works on"}},
		{"lab", labPage, []string{
			"Finden Sie im Katalog eine Ressource: auf Deutsch, die Sie bearbeiten dürfen.",
			"Nicht ganz: „L&#39;éducation à l&#39;environnement“ passt nicht: nicht auf Deutsch (sondern auf Französisch)",
			"✓ im Katalog sichtbar", "Titel: korrekt", "Lizenz: falsch (falsche Lizenzversion: CC BY 3.0 statt CC BY 4.0",
		}, []string{"Find a resource", "not in German", "visible in the catalog", "Title: ", "wrong license version"}},
		{"record check", check, []string{"falsche Lizenzversion: CC BY 3.0 statt CC BY 4.0; das Werk steht unter CC BY 4.0"}, []string{"wrong license version", "instead of"}},
		{"record", record, []string{german}, []string{"is licensed under", "To view a copy"}},
		{"own attribution checked", own, []string{"Korrekt."}, []string{"Noch nicht korrekt."}},
		{"API", string(api), []string{"is licensed under CC BY 4.0"}, []string{"lizenziert"}},
		{"parameter", param, []string{"muss einer dieser Werte sein: "}, []string{"must be among"}},
	} {
		checkPage(t, tc.page, tc.body, tc.has, tc.not)
	}
}
