package web

import (
	"cmp"
	"fmt"
	"html/template"
	"net/http"
	"slices"
	"strings"

	"github.com/orchard-oer/orchard/locale"
	"github.com/orchard-oer/orchard/normalizer/license"
	"github.com/orchard-oer/orchard/workers"
)

// chart is an inline SVG drawn on the server; it needs no script and carries its own text
// alternative.
type chart = template.HTML

// bar is one value of a chart.
type bar struct {
	ID    string // the license's, which may have a message naming it
	Label string
	Value int
	Color string
}

// palette holds colours distinguishable on white, darkest first, used in turn.
var palette = []string{"#1b6e3a", "#2a5db0", "#8a4baf", "#b35c00", "#0f7c84", "#a4343a", "#5b6b00", "#6b4f2a", "#44546a", "#c2185b"}

const colorUnknown = "#8c8c8c"

// licenseBars turns license facet counts into bars, largest first, with the records without a
// recognised license as "Unknown".
func licenseBars(counts map[string]int, total int) []bar {
	ids := make([]string, 0, len(counts))
	known := 0
	for id, n := range counts {
		ids = append(ids, id)
		known += n
	}
	slices.SortFunc(ids, func(a, b string) int { return cmp.Or(cmp.Compare(counts[b], counts[a]), cmp.Compare(a, b)) })
	bars := make([]bar, 0, len(ids)+1)
	for i, id := range ids {
		label := id
		if t, ok := license.Lookup(id); ok && t.Label != "" {
			label = t.Label
		}
		bars = append(bars, bar{ID: id, Label: label, Value: counts[id], Color: palette[i%len(palette)]})
	}
	if total > known {
		bars = append(bars, bar{Label: labelUnknown, Value: total - known, Color: colorUnknown})
	}
	return bars
}

func esc(s string) string { return template.HTMLEscapeString(s) }

// describe is the text alternative of a chart: "title: a 3, b 2".
func describe(l *locale.Localizer, title string, bars []bar) string {
	parts := make([]string, len(bars))
	for i, b := range bars {
		parts[i] = fmt.Sprintf("%s %s", barLabel(l, b), l.Number(b.Value))
	}
	if len(parts) == 0 {
		return title + ": " + l.T("chart.no_records")
	}
	return title + ": " + strings.Join(parts, ", ")
}

// barLabel is a bar's label in l's language: license labels stay, the bars of unknown and
// other licenses are named.
func barLabel(l *locale.Localizer, b bar) string {
	switch b.Label {
	case labelUnknown:
		return l.T("chart.unknown")
	case labelOther:
		return l.T("chart.other")
	}
	return l.TOr("label."+b.ID, b.Label)
}

// The labels of the bars that are not one license.
const (
	labelUnknown = "Unknown"
	labelOther   = "Other"
)

// barChart draws labelled horizontal bars.
func barChart(l *locale.Localizer, bars []bar, title string) chart {
	const (
		width  = 520
		labelW = 170
		rowH   = 22
		countW = 60
	)
	if len(bars) > 12 {
		rest := 0
		for _, b := range bars[11:] {
			rest += b.Value
		}
		bars = append(slices.Clone(bars[:11]), bar{Label: labelOther, Value: rest, Color: colorUnknown})
	}
	maxV := 1
	for _, b := range bars {
		maxV = max(maxV, b.Value)
	}
	h := max(rowH, len(bars)*rowH)
	var sb strings.Builder
	fmt.Fprintf(&sb, `<svg class="chart" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 %d %d" width="%d" height="%d" role="img" aria-label="%s"><title>%s</title>`,
		width, h, width, h, esc(describe(l, title, bars)), esc(title))
	if len(bars) == 0 {
		fmt.Fprintf(&sb, `<text x="0" y="15" font-size="13" fill="#444">%s</text>`, esc(l.T("chart.no_records_yet")))
	}
	for i, b := range bars {
		y := i * rowH
		w := (width - labelW - countW) * b.Value / maxV
		fmt.Fprintf(&sb, `<text x="%d" y="%d" font-size="13" text-anchor="end" fill="#222">%s</text>`, labelW-8, y+15, esc(truncate(barLabel(l, b), 24)))
		fmt.Fprintf(&sb, `<rect x="%d" y="%d" width="%d" height="%d" rx="2" fill="%s"/>`, labelW, y+4, max(w, 1), rowH-8, b.Color)
		fmt.Fprintf(&sb, `<text x="%d" y="%d" font-size="12" fill="#222">%s</text>`, labelW+max(w, 1)+6, y+15, l.Number(b.Value))
	}
	sb.WriteString(`</svg>`)
	return chart(sb.String())
}

// stackedBar draws one thin bar split by share, for table cells.
func stackedBar(l *locale.Localizer, bars []bar, title string) chart {
	const width, height = 160, 14
	total := 0
	for _, b := range bars {
		total += b.Value
	}
	var sb strings.Builder
	fmt.Fprintf(&sb, `<svg class="mix" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 %d %d" width="%d" height="%d" role="img" aria-label="%s"><title>%s</title>`,
		width, height, width, height, esc(describe(l, title, bars)), esc(describe(l, title, bars)))
	if total == 0 {
		fmt.Fprintf(&sb, `<rect width="%d" height="%d" fill="#eee"/>`, width, height)
	}
	x := 0
	for i, b := range bars {
		w := width * b.Value / max(total, 1)
		if i == len(bars)-1 {
			w = width - x
		}
		fmt.Fprintf(&sb, `<rect x="%d" y="0" width="%d" height="%d" fill="%s"><title>%s: %s</title></rect>`, x, w, height, b.Color, esc(barLabel(l, b)), l.Number(b.Value))
		x += w
	}
	sb.WriteString(`</svg>`)
	return chart(sb.String())
}

var statusColor = map[workers.RunStatus]string{
	workers.StatusSucceeded: "#1b6e3a", workers.StatusFailed: "#a4343a",
	workers.StatusCancelled: "#8c8c8c", workers.StatusRunning: "#2a5db0", workers.StatusQueued: "#b35c00",
}

// runsChart draws records handled per run, oldest left, coloured by outcome.
func runsChart(l *locale.Localizer, runs []workers.Run) chart {
	const (
		width  = 520
		height = 140
		base   = 120
	)
	runs = slices.Clone(runs)
	slices.Reverse(runs) // runs come newest first
	if len(runs) > 30 {
		runs = runs[len(runs)-30:]
	}
	maxV := 1
	bars := make([]bar, len(runs))
	for i, r := range runs {
		maxV = max(maxV, r.Records)
		bars[i] = bar{Label: l.When(r.Queued) + " " + l.T("runs.status."+string(r.Status)), Value: r.Records, Color: statusColor[r.Status]}
	}
	var sb strings.Builder
	fmt.Fprintf(&sb, `<svg class="chart" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 %d %d" width="%d" height="%d" role="img" aria-label="%s"><title>%s</title>`,
		width, height, width, height, esc(describe(l, l.T("chart.runs.described"), bars)), esc(l.T("runs.chart")))
	fmt.Fprintf(&sb, `<line x1="0" y1="%d" x2="%d" y2="%d" stroke="#666"/>`, base, width, base)
	fmt.Fprintf(&sb, `<text x="0" y="12" font-size="11" fill="#444">%s</text>`, esc(l.T("chart.records", maxV)))
	if len(bars) == 0 {
		fmt.Fprintf(&sb, `<text x="0" y="%d" font-size="13" fill="#444">%s</text>`, base-10, esc(l.T("runs.none")))
	}
	slot := width / max(len(bars), 10)
	for i, b := range bars {
		h := (base - 20) * b.Value / maxV
		fmt.Fprintf(&sb, `<rect x="%d" y="%d" width="%d" height="%d" fill="%s"><title>%s: %s</title></rect>`,
			i*slot+2, base-max(h, 1), max(slot-4, 2), max(h, 1), b.Color, esc(b.Label), esc(l.T("chart.records", b.Value)))
	}
	fmt.Fprintf(&sb, `<text x="0" y="%d" font-size="11" fill="#444">%s</text><text x="%d" y="%d" font-size="11" text-anchor="end" fill="#444">%s</text>`,
		height-4, esc(l.T("chart.oldest")), width, height-4, esc(l.T("chart.newest")))
	sb.WriteString(`</svg>`)
	return chart(sb.String())
}

func truncate(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}

// chartLicenses serves the license distribution of the catalog or one source as an SVG file.
func (s *Server) chartLicenses(w http.ResponseWriter, r *http.Request) {
	source := r.URL.Query().Get("source")
	mix, err := s.licenseMix(r.Context(), source)
	if err != nil {
		s.fail(w, r, statusOf(err), err)
		return
	}
	l := s.localizer(r)
	title := l.T("sources.chart")
	if source != "" {
		title = l.T("chart.licenses_of", "Source", source)
	}
	writeSVG(w, barChart(l, mix, title))
}

// chartRuns serves records per run of a source as an SVG file.
func (s *Server) chartRuns(w http.ResponseWriter, r *http.Request) {
	runs, err := s.runs(r.Context(), r.URL.Query().Get("source"), 30)
	if err != nil {
		s.fail(w, r, statusOf(err), err)
		return
	}
	writeSVG(w, runsChart(s.localizer(r), runs))
}

func writeSVG(w http.ResponseWriter, c chart) {
	w.Header().Set("Content-Type", "image/svg+xml")
	w.Header().Set("Cache-Control", "no-store")
	_, _ = w.Write([]byte(c))
}
