package catalog

import (
	"errors"
	"strings"
	"testing"
)

func TestRecordID(t *testing.T) {
	a := RecordID("Zenodo OER", "oai:zenodo.org:123")
	if a != RecordID("Zenodo OER", "oai:zenodo.org:123") {
		t.Fatal("RecordID is not stable")
	}
	if !strings.HasPrefix(a, "zenodo-oer_") || !ValidID(a) {
		t.Fatalf("RecordID = %q, want a valid id starting with the source slug", a)
	}
	for _, other := range []string{
		RecordID("Zenodo OER", "oai:zenodo.org:124"),
		RecordID("zenodo-oer", "oai:zenodo.org:123"),
		RecordID("Zenodo OER", "oai:zenodo.org:12"),
	} {
		if other == a {
			t.Errorf("ids collide: %q", other)
		}
	}
	long := RecordID(strings.Repeat("ünïcödé source ", 40), "x")
	if len(long) > maxIDLen || !ValidID(long) {
		t.Errorf("long source id %q (%d bytes) not valid", long, len(long))
	}
	if id := RecordID("%%%", "x"); !strings.HasPrefix(id, "src_") {
		t.Errorf("symbol-only source id = %q", id)
	}
}

func TestSlug(t *testing.T) {
	for in, want := range map[string]string{
		"Zenodo":              "zenodo",
		"  HOOU / Hamburg ":   "hoou-hamburg",
		"Müller-Lüdenscheidt": "m-ller-l-denscheidt",
		"a__b--c":             "a-b-c",
		"":                    "",
	} {
		if got := Slug(in); got != want {
			t.Errorf("Slug(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestValidate(t *testing.T) {
	ok := Record{ID: "src_1", Source: "src", Title: "A title"}
	tests := []struct {
		name string
		rec  Record
		want string // substring of the error, "" for valid
	}{
		{"valid", ok, ""},
		{"no id", Record{Source: "s", Title: "t"}, "missing id"},
		{"bad id", Record{ID: "a/b", Source: "s", Title: "t"}, "[A-Za-z0-9_-]"},
		{"no title", Record{ID: "x", Source: "s", Title: "  "}, "missing title"},
		{"no source", Record{ID: "x", Title: "t"}, "missing source"},
		{"deleted needs only id", Record{ID: "x", Deleted: true}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.rec.Validate()
			switch {
			case tt.want == "" && err != nil:
				t.Fatalf("Validate() = %v, want nil", err)
			case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)):
				t.Fatalf("Validate() = %v, want error containing %q", err, tt.want)
			case err != nil && !errors.Is(err, ErrInvalid):
				t.Fatalf("error %v is not ErrInvalid", err)
			}
		})
	}
}

func TestStatus(t *testing.T) {
	tests := []struct {
		lic  License
		want Status
	}{
		{License{ID: "CC-BY-4.0", Open: true}, StatusOpen},
		{License{ID: "CC-BY-NC-4.0"}, StatusClosed},
		{License{}, StatusUnknown},
		{License{ID: "CC-BY-4.0", Open: true, Conflict: true}, StatusConflict},
		{License{ID: "CC-BY-4.0", Open: true, Conflict: true, Override: &Override{ID: "CC-BY-4.0"}}, StatusOpen},
	}
	for _, tt := range tests {
		if got := tt.lic.Status(); got != tt.want {
			t.Errorf("%+v.Status() = %s, want %s", tt.lic, got, tt.want)
		}
	}
}

func TestCheckReportsBadLines(t *testing.T) {
	in := `{"id":"s_1","source":"s","title":"One"}

{"id":"s_2","source":"s"}
not json
{"id":"s_3","source":"s","title":"Three"} {"extra":1}
{"id":"s_4","deleted":true}
`
	bad, err := Check(strings.NewReader(in))
	if err != nil {
		t.Fatal(err)
	}
	var lines []int
	for _, b := range bad {
		lines = append(lines, b.Line)
	}
	if len(lines) != 3 || lines[0] != 3 || lines[1] != 4 || lines[2] != 5 {
		t.Fatalf("bad lines = %v (%v), want [3 4 5]", lines, bad)
	}
	if !strings.Contains(bad[0].Error(), "line 3") || !strings.Contains(bad[0].Error(), "missing title") {
		t.Errorf("error %q should name the line and the reason", bad[0])
	}
}

func TestLicenseOpenness(t *testing.T) {
	for _, tc := range []struct {
		l    License
		want string
	}{
		{License{ID: "CC-BY-SA-4.0", Family: "CC-BY-SA", Open: true}, OpennessFree},
		{License{ID: "MIT", Family: "MIT", Open: true}, OpennessFree},
		{License{ID: "CC-BY-NC-ND-4.0", Family: "CC-BY-NC-ND"}, OpennessCC},
		{License{ID: "CC-SAMPLING-1.0", Family: "CC-SAMPLING"}, OpennessCC},
		{License{ID: "LicenseRef-All-Rights-Reserved", Family: "LicenseRef-All-Rights-Reserved"}, OpennessAny},
		{License{ID: "LicenseRef-RS-InC-EDU", Family: "LicenseRef-RS-InC-EDU"}, OpennessAny},
		{License{}, OpennessAny},
	} {
		if got := tc.l.Openness(); got != tc.want {
			t.Errorf("%s: Openness() = %s, want %s", tc.l.ID, got, tc.want)
		}
	}
}
