package web

import (
	"context"
	"encoding/csv"
	"os"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/orchard-oer/orchard/internal/testenv"
)

// TestLabBrowser is a lab session in a real browser: a facilitator builds a set with one
// question of each kind and opens a class; a learner joins with the code, answers one question
// wrong and one right and reads the explanations; the facilitator reads the table and
// downloads it as CSV.
func TestLabBrowser(t *testing.T) {
	testenv.Slow(t, "Chromium")
	ctx := chrome(t)
	h := newHarness(t)
	base := h.ts.URL

	logIn := chromedp.Steps(
		chromedp.Navigate(base+"/login"),
		chromedp.SendKeys(css(`#token`), h.librarian),
		chromedp.Submit(css(`#token`)),
		chromedp.WaitVisible(css(`table.sources`)),
	)
	do(t, ctx, "log in and open the lab",
		logIn,
		chromedp.Navigate(base+"/lab"),
		chromedp.WaitVisible(css(`#new-set`)),
	)
	questions := []struct {
		kind, records string
		more          []chromedp.Action[chromedp.Void]
	}{
		{"license", "de-zelle", nil},
		{"may", "en-cells", []chromedp.Action[chromedp.Void]{chromedp.SetValue(css(`#q2-action`), "adapt")}},
		{"attribution", "en-photo", nil},
		{"combine", "de-zelle, fr-educ", nil},
		{"find", "", []chromedp.Action[chromedp.Void]{chromedp.SendKeys(css(`#q5-languages`), "de"), chromedp.Click(css(`input[name="q5-derivatives"]`))}},
	}
	steps := []chromedp.Action[chromedp.Void]{chromedp.SendKeys(css(`#set-title`), "Week 2: licenses in practice")}
	for i, q := range questions {
		n := string(rune('1' + i))
		steps = append(steps, chromedp.SetValue(css(`#q`+n+`-kind`), q.kind))
		if q.records != "" {
			steps = append(steps, chromedp.SendKeys(css(`#q`+n+`-records`), q.records))
		}
		steps = append(steps, q.more...)
	}
	do(t, ctx, "build a set with one question of each kind", steps...)
	unlabelled(t, ctx, "the lab with the set form")
	shot(t, ctx, "lab-new-set")
	do(t, ctx, "create it",
		chromedp.Submit(css(`#set-title`)),
		chromedp.WaitVisible(css(`#open-class`)),
	)
	if n := value(t, ctx, "questions", chromedp.Evaluate[int](`document.querySelectorAll('.lab-set > li').length`)); n != 5 {
		t.Fatalf("the set has %d questions", n)
	}
	shot(t, ctx, "lab-set")
	do(t, ctx, "open a class",
		chromedp.Click(css(`#open-class`)),
		chromedp.WaitVisible(css(`#class-code`)),
	)
	code := value(t, ctx, "class code", chromedp.Text(css(`#class-code`)))
	results := value(t, ctx, "results page", chromedp.Location())

	// The facilitator logs out, and the browser is a learner's without an account.
	learner := ctx
	do(t, learner, "join with the code",
		chromedp.Click(css(`form[action="/logout"] button`)),
		chromedp.WaitVisible(css(`a[href="/login"]`)),
		chromedp.Navigate(base+"/lab"),
		chromedp.WaitVisible(css(`#join-code`)),
		chromedp.SendKeys(css(`#join-code`), strings.ToLower(code)),
		chromedp.SendKeys(css(`#join-name`), "Kim"),
		chromedp.Submit(css(`#join-name`)),
		chromedp.WaitVisible(css(`#q1-license`)),
	)
	if n := value(t, learner, "no staff links", chromedp.Evaluate[int](`document.querySelectorAll('#new-set').length`)); n != 0 {
		t.Error("the learner sees the facilitator's form")
	}
	do(t, learner, "answer the license wrong",
		chromedp.SendKeys(css(`#q1-license`), "CC BY-SA 3.0 DE"),
		chromedp.Submit(css(`#q1-license`)),
		chromedp.WaitVisible(css(`#q1-result.no`)),
	)
	wrong := value(t, learner, "explanation", chromedp.Text(css(`#q1-result`)))
	if !strings.Contains(wrong, "Not quite") || !strings.Contains(wrong, "CC BY-SA 4.0") || !strings.Contains(wrong, "You must: share your adaptations") {
		t.Errorf("explanation of a wrong answer:\n%s", wrong)
	}
	do(t, learner, "answer may I adapt right",
		chromedp.Click(css(`#q2 input[value="no"]`)),
		chromedp.Submit(css(`#q2 input[value="no"]`)),
		chromedp.WaitVisible(css(`#q2-result.ok`)),
	)
	right := value(t, learner, "right answer", chromedp.Text(css(`#q2-result`)))
	if !strings.Contains(right, "Right") || !strings.Contains(right, "only as it is") {
		t.Errorf("a right answer says:\n%s", right)
	}
	do(t, learner, "an attribution in HTML with a script is graded, not run",
		chromedp.SendKeys(css(`#q3-text`), `<script>document.title="pwned"</script><b>Photosynthesis</b>`),
		chromedp.Submit(css(`#q3-text`)),
		chromedp.WaitVisible(css(`#q3-result`)),
	)
	if title := value(t, learner, "title", chromedp.Title()); strings.Contains(title, "pwned") {
		t.Error("a learner's script ran")
	}
	do(t, learner, "show the wrong answer's explanation", chromedp.Navigate(base+"/lab/c/"+code+"#q1"), chromedp.WaitVisible(css(`#q1-result`)))
	unlabelled(t, learner, "the class page")
	shot(t, learner, "lab-answers")

	do(t, ctx, "the facilitator logs in again and reads the table",
		logIn,
		chromedp.Navigate(results),
		chromedp.WaitVisible(css(`#results tbody th`)),
	)
	row := value(t, ctx, "row", chromedp.Text(css(`#results tbody tr`)))
	if !strings.Contains(row, "Kim") || !strings.Contains(row, "✗") || !strings.Contains(row, "✓") || !strings.Contains(row, "1/5") {
		t.Errorf("the learner's row: %q", row)
	}
	unlabelled(t, ctx, "the results page")
	shot(t, ctx, "lab-results")
	body := value(t, ctx, "download CSV", chromedp.Evaluate[string](`fetch(document.querySelector('#download-csv').href).then(r => r.text())`, chromedp.EvalAwaitPromise))
	rows, err := csv.NewReader(strings.NewReader(body)).ReadAll()
	if err != nil || len(rows) != 2 || rows[1][0] != "Kim" || strings.Join(rows[1][2:], ",") != "0,1,0,,,1" {
		t.Errorf("CSV (%v):\n%s", err, body)
	}
	if os.Getenv("ORCHARD_SCREENSHOTS") != "" {
		do(t, ctx, "phone", chromedp.EmulateViewport(390, 844, chromedp.EmulateMobile), chromedp.Reload(), chromedp.WaitVisible(css(`#results`)))
		shot(t, ctx, "lab-results-phone")
	}
}

// unlabelled fails the test for every visible form field on the page without a label, and for
// a page whose forms the keyboard cannot reach by Tab from the top.
func unlabelled(t *testing.T, ctx context.Context, page string) {
	t.Helper()
	missing := value(t, ctx, "labels on "+page, chromedp.Evaluate[[]string](`Array.from(document.querySelectorAll('input:not([type=hidden]), select, textarea'))
		.filter(el => el.labels.length === 0 && !el.getAttribute('aria-label') && !el.getAttribute('aria-labelledby'))
		.map(el => el.name || el.id)`))
	if len(missing) > 0 {
		t.Errorf("%s: fields without a label: %v", page, missing)
	}
	do(t, ctx, "focus the top of "+page, chromedp.Evaluate[chromedp.Void](`document.activeElement && document.activeElement.blur()`))
	for range 20 {
		do(t, ctx, "tab on "+page, chromedp.KeyEvent(kb.Tab))
		if value(t, ctx, "focus on "+page, chromedp.Evaluate[bool](`document.activeElement.closest('main form') !== null`)) {
			return
		}
	}
	t.Errorf("%s: twenty presses of Tab did not reach a form", page)
}
