package oaipmh

import (
	"testing"
	"time"

	"github.com/orchard-oer/orchard/harvester"
)

func TestPlanner(t *testing.T) {
	day := func(s string) time.Time { t, _ := parseDatestamp(s); return t }
	tests := []struct {
		name string
		p    planner
		from string
		want []window
	}{
		{"monthly, open end", planner{g: dayGranularity, lo: day("2024-01-20"), hi: day("2024-03-10"), openEnd: true}, "",
			[]window{{"", "2024-01-31"}, {"2024-02-01", "2024-02-29"}, {"2024-03-01", ""}}},
		{"monthly, until", planner{g: secondsGranularity, lo: day("2024-01-20"), hi: day("2024-02-10")}, "2024-01-20T00:00:00Z",
			[]window{{"2024-01-20T00:00:00Z", "2024-01-31T23:59:59Z"}, {"2024-02-01T00:00:00Z", "2024-02-10T00:00:00Z"}}},
		{"one window", planner{g: dayGranularity, size: -1, lo: day("2000-01-01"), hi: day("2024-03-10"), openEnd: true}, "",
			[]window{{"", ""}}},
		{"ten days", planner{g: dayGranularity, size: 240 * time.Hour, lo: day("2024-01-01"), hi: day("2024-01-25"), openEnd: true}, "2024-01-01",
			[]window{{"2024-01-01", "2024-01-10"}, {"2024-01-11", "2024-01-20"}, {"2024-01-21", ""}}},
		{"bogus earliest", planner{g: dayGranularity, lo: day("0001-01-01"), hi: day("2024-03-10"), openEnd: true}, "",
			nil}, // checked by count below
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []window
			w := tt.p.first(tt.from)
			for ok := true; ok && len(got) < 1000; w, ok = tt.p.next(w) {
				got = append(got, w)
			}
			if tt.want == nil {
				if len(got) > maxWindows+1 || got[0].From != "" {
					t.Errorf("%d windows, first %v", len(got), got[0])
				}
				return
			}
			if len(got) != len(tt.want) {
				t.Fatalf("windows %v, want %v", got, tt.want)
			}
			for i := range got {
				if got[i] != tt.want[i] {
					t.Errorf("window %d = %v, want %v", i, got[i], tt.want[i])
				}
			}
		})
	}
}

func TestSplit(t *testing.T) {
	day := func(s string) time.Time { t, _ := parseDatestamp(s); return t }
	p := planner{g: dayGranularity, lo: day("2024-01-01"), hi: day("2024-12-31")}
	a, b, ok := p.split(window{"2024-01-01", "2024-01-31"})
	if !ok || a != (window{"2024-01-01", "2024-01-16"}) || b != (window{"2024-01-17", "2024-01-31"}) {
		t.Errorf("split = %v %v %v", a, b, ok)
	}
	a, b, ok = p.split(window{"2024-01-01", "2024-01-02"})
	if !ok || a != (window{"2024-01-01", "2024-01-01"}) || b != (window{"2024-01-02", "2024-01-02"}) {
		t.Errorf("split of two days = %v %v %v", a, b, ok)
	}
	if _, _, ok := p.split(window{"2024-01-05", "2024-01-05"}); ok {
		t.Error("split a single day")
	}
	// Open ends stand for the planner's bounds and stay open.
	a, b, ok = p.split(window{"", ""})
	if !ok || a.From != "" || b.Until != "" || a.Until >= b.From {
		t.Errorf("split of open window = %v %v %v", a, b, ok)
	}
}

func TestRecKeyCovers(t *testing.T) {
	seen := recKey{Stamp: "2024-03-01T10:00:00Z", ID: "oai:x:5"}
	tests := []struct {
		k    recKey
		want bool
	}{
		{recKey{"2024-03-01T09:59:59Z", "oai:x:9"}, true},
		{recKey{"2024-03-01T10:00:00Z", "oai:x:5"}, true},
		{recKey{"2024-03-01T10:00:00Z", "oai:x:4"}, true},
		{recKey{"2024-03-01T10:00:00Z", "oai:x:6"}, false},
		{recKey{"2024-03-02", "oai:x:1"}, false},
		{recKey{"yesterday", "oai:x:1"}, false}, // unreadable: never skipped
	}
	for _, tt := range tests {
		if got := seen.covers(tt.k); got != tt.want {
			t.Errorf("covers(%v) = %v, want %v", tt.k, got, tt.want)
		}
	}
	if (recKey{}).covers(recKey{"2000-01-01", "a"}) {
		t.Error("the zero key covers a record")
	}
}

func TestListedBefore(t *testing.T) {
	r := &run{cp: &Checkpoint{Prefixes: []string{"oai_dc"}, Sets: []string{"math", "physics", "art"}}}
	tests := []struct {
		combo int
		sets  []string
		want  bool
	}{
		{0, []string{"math"}, false},
		{1, []string{"math", "physics"}, true},
		{1, []string{"math:algebra"}, true}, // a subset of an earlier set
		{1, []string{"mathematics"}, false},
		{2, []string{"physics", "art"}, true},
		{2, []string{"art"}, false},
	}
	for _, tt := range tests {
		r.cp.Combo = tt.combo
		if got := r.listedBefore(harvester.Record{Sets: tt.sets}); got != tt.want {
			t.Errorf("combo %d, sets %v: %v, want %v", tt.combo, tt.sets, got, tt.want)
		}
	}
}
