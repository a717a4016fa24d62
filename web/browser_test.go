package web

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/orchard-oer/orchard/catalog"
	"github.com/orchard-oer/orchard/curation"
	"github.com/orchard-oer/orchard/harvester"
	"github.com/orchard-oer/orchard/harvester/fetch"
	"github.com/orchard-oer/orchard/harvester/oaipmh"
	"github.com/orchard-oer/orchard/harvester/site"
	"github.com/orchard-oer/orchard/internal/oaiserver"
	"github.com/orchard-oer/orchard/internal/testenv"
	"github.com/orchard-oer/orchard/normalizer"
	"github.com/orchard-oer/orchard/probe"
	"github.com/orchard-oer/orchard/workers"
)

// pipeline is the whole harvest pipeline in-process: the real harvesters, the normalizer with
// librarians' overrides applied, and the harness's index; probes use the same harvesters.
type pipeline struct {
	harvesters map[string]harvester.Harvester
}

func newPipeline() *pipeline {
	log := slog.New(slog.DiscardHandler)
	return &pipeline{harvesters: map[string]harvester.Harvester{
		harvester.TypeOAIPMH: oaipmh.New(oaipmh.Config{Fetch: fetch.Config{AllowPrivate: true}}, log),
		harvester.TypeWeb:    site.New(site.Config{Fetch: fetch.Config{AllowPrivate: true, Pace: 10 * time.Millisecond}}, log),
	}}
}

// probes wires the harvesters' probes and detection into the server.
func (p *pipeline) probes(_ *Config, d *Deps) {
	pr := probe.New(p.harvesters[harvester.TypeOAIPMH].(*oaipmh.Harvester), p.harvesters[harvester.TypeWeb].(*site.Harvester))
	d.Probe, d.Detect = pr.Probe, pr.Detect
}

// start runs two workers until the test ends.
func (p *pipeline) start(h *harness) {
	t := h.t
	decisions, err := curation.Open(t.Context(), h.sys)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- h.sys.RunWorkers(ctx, workers.Pipeline{
			Harvesters: p.harvesters,
			Normalize:  decisions.Normalize(normalizer.Record),
			Index:      h.index,
		}, 2)
	}()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil && !errors.Is(err, context.Canceled) {
			t.Errorf("workers: %v", err)
		}
	})
}

// repository is a real OAI-PMH repository with one record per license situation.
func repository(t *testing.T) *oaiserver.Server {
	return oaiserver.Start(t, []oaiserver.Record{
		{ID: "1", Datestamp: "2024-05-01T10:00:00Z", Title: []string{"Fractions with Pizza"}, Creator: []string{"Grace Hopper"},
			Description: []string{"Worksheets about fractions for primary school."}, Language: []string{"en"}, Type: []string{"Text"},
			Identifier: []string{"https://repo.example/fractions"}, Subject: []string{"Mathematics"}, Date: []string{"2023"},
			Rights: []string{"https://creativecommons.org/licenses/by/4.0/"}},
		{ID: "2", Datestamp: "2024-05-02T10:00:00Z", Title: []string{"Bruchrechnen mit Pizza"}, Creator: []string{"Emmy Noether"},
			Description: []string{"Arbeitsblätter zum Bruchrechnen."}, Language: []string{"de"}, Type: []string{"Text"},
			Identifier: []string{"https://repo.example/brueche"}, Subject: []string{"Mathematik"},
			Rights: []string{"https://creativecommons.org/licenses/by-nc-sa/4.0/"}},
		{ID: "3", Datestamp: "2024-05-03T10:00:00Z", Title: []string{"Geometry Puzzles"}, Creator: []string{"Euclid"},
			Description: []string{"Puzzles about shapes."}, Language: []string{"en"}, Type: []string{"Image"},
			Identifier: []string{"https://repo.example/geometry"}, Rights: []string{"Please ask the author."}},
	}, oaiserver.Options{})
}

// chrome starts one headless Chromium for a whole test.
func chrome(t *testing.T) context.Context {
	path, err := exec.LookPath("chromium")
	if err != nil {
		testenv.Missing(t, "chromium", "apt-get install chromium, or run make test")
	}
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(path), chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU,
		chromedp.Flag("disable-background-networking", true), chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true), chromedp.NoFirstRun, chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1280, 900),
	}
	actx, cancelA := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelC := chromedp.NewContext(actx)
	t.Cleanup(func() { cancelC(); cancelA() })
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("start chromium: %v", err)
	}
	return ctx
}

// do runs browser steps with a deadline, failing the test with the step's name.
func do(t *testing.T, ctx context.Context, step string, actions ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	_ = value(t, ctx, step, chromedp.Steps(actions...))
}

// value runs one browser action that answers a value.
func value[T any](t *testing.T, ctx context.Context, step string, a chromedp.Action[T]) T {
	t.Helper()
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	v, err := chromedp.Run(ctx, a)
	if err != nil {
		loc, _ := chromedp.Run(ctx, chromedp.Location())
		t.Fatalf("%s (at %s): %v", step, loc, err)
	}
	return v
}

type css = chromedp.CSS

// shot writes a full-page screenshot to docs/screenshots when ORCHARD_SCREENSHOTS is set.
func shot(t *testing.T, ctx context.Context, name string) {
	if os.Getenv("ORCHARD_SCREENSHOTS") == "" {
		return
	}
	png := value(t, ctx, "screenshot "+name, chromedp.FullScreenshot(100))
	dir := filepath.Join(testenv.ModuleRoot(), "docs", "screenshots")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, name+".png"), png, 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestBrowser(t *testing.T) {
	testenv.Slow(t, "Chromium")
	ctx := chrome(t)
	repo := repository(t)
	p := newPipeline()
	h := newHarness(t, p.probes)
	p.start(h)
	base := h.ts.URL

	t.Run("learner", func(t *testing.T) {
		do(t, ctx, "search",
			chromedp.Navigate(base+"/"),
			chromedp.WaitVisible(css("#q")),
			chromedp.SendKeys(css("#q"), "biology"),
			chromedp.Submit(css("#q")),
			chromedp.WaitVisible(css(".hits .hit mark")),
		)
		do(t, ctx, "filter to commercial use and English",
			chromedp.Click(css(`a[data-param="commercial"]`)),
			chromedp.WaitVisible(css(`a[data-param="commercial"].on`)),
			chromedp.Click(css(`section[data-facet="lang"] a[data-value="en"]`)),
			chromedp.WaitVisible(css(`section[data-facet="lang"] a.on`)),
		)
		loc := value(t, ctx, "location", chromedp.Location())
		if !strings.Contains(loc, "commercial=true") || !strings.Contains(loc, "lang=en") || !strings.Contains(loc, "q=biology") {
			t.Fatalf("search state not in the URL: %s", loc)
		}
		if os.Getenv("ORCHARD_SCREENSHOTS") != "" {
			do(t, ctx, "phone", chromedp.EmulateViewport(390, 844, chromedp.EmulateMobile), chromedp.Reload(), chromedp.WaitVisible(css(".hits")))
			shot(t, ctx, "search-phone")
			do(t, ctx, "desktop", chromedp.EmulateViewport(1280, 900), chromedp.Reload(), chromedp.WaitVisible(css(".hits")))
		}
		do(t, ctx, "the openness choice counts what each choice shows",
			chromedp.Navigate(base+"/?lang=en"),
			chromedp.WaitVisible(css(`.openness a[data-openness="cc"].on`)),
		)
		counts := value(t, ctx, "counts", chromedp.Evaluate[[]string](
			`[...document.querySelectorAll('.openness a')].map(a => a.dataset.openness + ' ' + a.querySelector('.count').textContent)`))
		if strings.Join(counts, ", ") != "free 2, cc 3, any 5" {
			t.Errorf("openness counts: %v", counts)
		}
		more := value(t, ctx, "more", chromedp.Text(css(`a.more`)))
		if more != "2 more with restrictions" {
			t.Errorf("hidden remainder announced as %q", more)
		}
		shot(t, ctx, "search")
		do(t, ctx, "widen the choice",
			chromedp.Click(css(`a.more`)),
			chromedp.WaitVisible(css(`.openness a[data-openness="any"].on`)),
		)
		if n := value(t, ctx, "count", chromedp.Evaluate[int](`document.querySelectorAll('.hits .hit').length`)); n != 5 {
			t.Errorf("%d hits after widening, want 5", n)
		}
		do(t, ctx, "a path that does not exist",
			chromedp.Navigate(base+"/no/such/page"),
			chromedp.WaitVisible(css(`.error-page`)),
		)
		if h1 := value(t, ctx, "heading", chromedp.Text(css(`.error-page h1`))); h1 != "Not found" {
			t.Errorf("404 page heading %q", h1)
		}
		shot(t, ctx, "error")
		do(t, ctx, "the error page in German",
			chromedp.Navigate(base+"/no/such/page?locale=de"),
			chromedp.WaitVisible(css(`html[lang="de"] .error-page`)),
		)
		if h1 := value(t, ctx, "heading", chromedp.Text(css(`.error-page h1`))); h1 == "Not found" {
			t.Errorf("German 404 page heading %q", h1)
		}
		shot(t, ctx, "error-de")
		do(t, ctx, "back to English", chromedp.Navigate(base+"/no/such/page?locale=en"), chromedp.WaitVisible(css(`html[lang="en"] .error-page`)))
		do(t, ctx, "the error page leads back to search",
			chromedp.SendKeys(css(`.error-page #q`), "zebra"),
			chromedp.Submit(css(`.error-page #q`)),
			chromedp.WaitVisible(css(`.results`)),
		)
		do(t, ctx, "open the record and copy the attribution",
			chromedp.Navigate(base+"/?q=biology&commercial=true&lang=en"),
			chromedp.WaitVisible(css(".hits .hit mark")),
			chromedp.Click(css(`.hits .hit h3 a`)),
			chromedp.WaitVisible(css(`#attr-text`)),
			chromedp.Click(css(`button[data-copy="attr-text"]`)),
		)
		attr := value(t, ctx, "attribution", chromedp.Value(css(`#attr-text`)))
		status := value(t, ctx, "copy status", chromedp.Poll[string](`document.querySelector('#attr-text').parentNode.querySelector('.copied').textContent`))
		if !strings.Contains(attr, "https://") || status == "" {
			t.Errorf("attribution %q, copy status %q", attr, status)
		}
		do(t, ctx, "remix check",
			chromedp.SetValue(css(`#with`), "CC-BY-SA-4.0"),
			chromedp.Click(css(`form[method="get"][action^="/records/"] button`)),
			chromedp.WaitVisible(css(`#remix-heading ~ .verdict`)),
		)
		shot(t, ctx, "record")
		do(t, ctx, "save to toolkit",
			chromedp.SendKeys(css(`#note`), "Use in week 3"),
			chromedp.Click(css(`form[action="/toolkit/items"] button`)),
			chromedp.WaitVisible(css(`#edit-link`)),
		)
		exported := value(t, ctx, "export", chromedp.Evaluate[string](`fetch(document.querySelector('#export-md').href).then(r => r.text())`, chromedp.EvalAwaitPromise))
		if !strings.Contains(exported, "Use in week 3") || !strings.Contains(exported, "creativecommons.org/licenses/") {
			t.Errorf("exported toolkit:\n%s", exported)
		}
		shot(t, ctx, "toolkit")
		do(t, ctx, "an all-rights-reserved work asks for permission",
			chromedp.Navigate(base+"/records/en-history"),
			chromedp.WaitVisible(css(`.permission`)),
		)
		if n := value(t, ctx, "offers", chromedp.Evaluate[int](`document.querySelectorAll('#attr-text, #with').length`)); n != 0 {
			t.Errorf("a work that needs permission offers an attribution or a remix check")
		}
		shot(t, ctx, "record-permission")
	})

	const sourceName = "pizza-repo"
	t.Run("librarian", func(t *testing.T) {
		do(t, ctx, "log in and probe",
			chromedp.Navigate(base+"/login"),
			chromedp.SendKeys(css(`#token`), h.librarian),
			chromedp.Submit(css(`#token`)),
			chromedp.WaitVisible(css(`table.sources`)),
			chromedp.Navigate(base+"/admin/sources/new"),
			chromedp.WaitVisible(css(`#name`)),
			chromedp.SendKeys(css(`#name`), sourceName),
			chromedp.SendKeys(css(`#url`), repo.URL),
			chromedp.Click(css(`#probe`)),
			chromedp.WaitVisible(css(`#probe-result`)),
		)
		shot(t, ctx, "probe")
		do(t, ctx, "save and run",
			chromedp.Click(css(`#save`)),
			chromedp.WaitVisible(css(`#run-now`)),
			chromedp.Click(css(`#run-now`)),
			chromedp.WaitVisible(css(`.live[data-status="succeeded"]`)),
		)
		records := value(t, ctx, "records", chromedp.AttributeValue(css(`.live`), "data-records"))
		if records.Value != "3" {
			t.Errorf("records harvested: %q", records.Value)
		}
		shot(t, ctx, "source")
		do(t, ctx, "see the results", chromedp.Navigate(base+"/admin/"), chromedp.WaitVisible(css(`svg.mix`)))
		shot(t, ctx, "sources")
		do(t, ctx, "runs", chromedp.Navigate(base+"/admin/runs"), chromedp.WaitVisible(css(`table.runs`)))
		shot(t, ctx, "runs")
		do(t, ctx, "harvested records are searchable",
			chromedp.Navigate(base+"/?source="+sourceName+"&open=any"),
			chromedp.WaitVisible(css(`.hits`)),
		)
		if n := value(t, ctx, "count", chromedp.Evaluate[int](`document.querySelectorAll('.hits .hit').length`)); n != 3 {
			t.Errorf("%d records of the source found", n)
		}
	})

	t.Run("curation survives a re-harvest", func(t *testing.T) {
		id := catalog.RecordID(sourceName, repo.Identifier("3"))
		do(t, ctx, "open the queue",
			chromedp.Navigate(base+"/admin/curation?source="+sourceName),
			chromedp.WaitVisible(css(`#rec-`+id)),
		)
		shot(t, ctx, "curation")
		do(t, ctx, "override",
			chromedp.SendKeys(css(`#lic-`+id), "CC-BY-SA-4.0"),
			chromedp.SendKeys(css(`#note-`+id), "The author confirmed by mail"),
			chromedp.Submit(css(`#lic-`+id)),
			chromedp.WaitNotPresent(css(`#rec-`+id)),
		)
		var r map[string]string
		h.call("POST", "/api/admin/sources/"+sourceName+"/run?full=true", h.librarian, nil, 202, &r)
		waitRun(t, h, r["run_id"])
		var rec catalog.Record
		h.call("GET", "/api/records/"+id, "", nil, 200, &rec)
		if rec.License.ID != "CC-BY-SA-4.0" || rec.License.Override == nil || rec.License.Override.Note != "The author confirmed by mail" {
			t.Errorf("after re-harvest: %+v", rec.License)
		}
		if len(rec.License.Evidence) == 0 || rec.License.Evidence[0].Value != "Please ask the author." {
			t.Errorf("evidence lost: %+v", rec.License.Evidence)
		}
	})

	t.Run("languages", func(t *testing.T) {
		pizza := catalog.RecordID(sourceName, repo.Identifier("1"))
		for _, lc := range []struct{ code, heading, deed string }{
			{"de", "Was Sie tun dürfen", "https://creativecommons.org/licenses/by/4.0/deed.de"},
			{"fr", "Ce que vous pouvez faire", "https://creativecommons.org/licenses/by/4.0/deed.fr"},
		} {
			do(t, ctx, "switch to "+lc.code+" on the search page",
				chromedp.Navigate(base+"/?q=pizza&openness=any"),
				chromedp.WaitVisible(css(`.langs a[data-lang="`+lc.code+`"]`)),
				chromedp.Click(css(`.langs a[data-lang="`+lc.code+`"]`)),
				chromedp.WaitVisible(css(`html[lang="`+lc.code+`"] .hits .hit`)),
			)
			shot(t, ctx, "search-"+lc.code)
			do(t, ctx, "the record page remembers "+lc.code,
				chromedp.Navigate(base+"/records/"+pizza),
				chromedp.WaitVisible(css(`html[lang="`+lc.code+`"] #deed-link`)),
			)
			if got := value(t, ctx, "heading", chromedp.Text(css(`#license-heading`))); got != lc.heading {
				t.Errorf("%s: license heading %q, want %q", lc.code, got, lc.heading)
			}
			deed := value(t, ctx, "deed", chromedp.AttributeValue(css(`#deed-link`), "href"))
			if deed.Value != lc.deed {
				t.Errorf("%s: deed link %q, want %q", lc.code, deed.Value, lc.deed)
			}
			shot(t, ctx, "record-"+lc.code)
		}
		do(t, ctx, "back to English", chromedp.Navigate(base+"/?locale=en"), chromedp.WaitVisible(css(`html[lang="en"]`)))
	})
}

// TestBrowserEmptyCatalog shows a new catalog to a learner and to a librarian, in a browser of
// its own so that no session crosses over from another test.
func TestBrowserEmptyCatalog(t *testing.T) {
	testenv.Slow(t, "Chromium")
	ctx := chrome(t)
	h := newHarness(t, emptyIndex(t))
	base := h.ts.URL
	do(t, ctx, "a learner is greeted",
		chromedp.Navigate(base+"/"),
		chromedp.WaitVisible(css(`.welcome`)),
	)
	if n := value(t, ctx, "staff link", chromedp.Evaluate[int](`document.querySelectorAll('.welcome a[href="/admin/sources/new"]').length`)); n != 0 {
		t.Errorf("a learner is offered to add a source")
	}
	do(t, ctx, "a librarian is led to add a first source",
		chromedp.Navigate(base+"/login"),
		chromedp.SendKeys(css(`#token`), h.librarian),
		chromedp.Submit(css(`#token`)),
		chromedp.WaitVisible(css(`table.sources`)),
		chromedp.Navigate(base+"/"),
		chromedp.WaitVisible(css(`.welcome a[href="/admin/sources/new"]`)),
	)
	shot(t, ctx, "empty")
	do(t, ctx, "the greeting in German",
		chromedp.Navigate(base+"/?locale=de"),
		chromedp.WaitVisible(css(`html[lang="de"] .welcome a[href="/admin/sources/new"]`)),
	)
	shot(t, ctx, "empty-de")
	do(t, ctx, "back to English", chromedp.Navigate(base+"/?locale=en"), chromedp.WaitVisible(css(`html[lang="en"] .welcome`)))
	src := workers.Source{Source: harvester.Source{Name: "open-biology", Type: harvester.TypeOAIPMH, URL: "http://127.0.0.1:1/oai"},
		Title: "Open Biology Library"}
	if _, err := h.sys.Sources().Add(t.Context(), src); err != nil {
		t.Fatal(err)
	}
	do(t, ctx, "the checklist shows what is done and what comes next",
		chromedp.Navigate(base+"/admin/"),
		chromedp.WaitVisible(css(`.checklist li.done`)),
	)
	steps := value(t, ctx, "steps", chromedp.Evaluate[[]string](`[...document.querySelectorAll('.checklist li')].map(li => li.className)`))
	if strings.Join(steps, " ") != "done todo todo" {
		t.Errorf("checklist steps %v, want done todo todo", steps)
	}
	shot(t, ctx, "checklist")
	do(t, ctx, "the checklist in German",
		chromedp.Navigate(base+"/admin/?locale=de"),
		chromedp.WaitVisible(css(`html[lang="de"] .checklist li.done`)),
	)
	shot(t, ctx, "checklist-de")
}

// waitRun polls a run until it ends successfully.
func waitRun(t *testing.T, h *harness, id string) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		var run workers.Run
		h.call("GET", "/api/admin/runs/"+id, h.librarian, nil, 200, &run)
		if run.Status.Final() {
			if run.Status != workers.StatusSucceeded {
				b, _ := json.Marshal(run)
				t.Fatalf("run ended %s: %s", run.Status, b)
			}
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("run %s did not end", id)
}
