package text

import (
	"reflect"
	"testing"
)

func TestCreators(t *testing.T) {
	tests := []struct {
		in, want []string
	}{
		{nil, nil},
		{[]string{"Doe, Jane"}, []string{"Doe, Jane"}},
		{[]string{"  Doe,\n   Jane ", "doe, jane", "DOE,JANE", "Roe, Rick"}, []string{"Doe, Jane", "Roe, Rick"}},
		{[]string{"O'Dell, Mark;"}, []string{"O'Dell, Mark"}},
		{[]string{"Hayden, Edwin; Jessop, Charles;", "Jessop, Charles"}, []string{"Hayden, Edwin", "Jessop, Charles"}},
		{[]string{"", "  ", ";"}, nil},
		{[]string{"Martínez Muñoz, David", "MARTÍNEZ MUÑOZ, DAVID"}, []string{"Martínez Muñoz, David"}},
	}
	for _, tt := range tests {
		if got := Creators(tt.in); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("Creators(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestLandingURL(t *testing.T) {
	tests := []struct {
		ids  []string
		want string
	}{
		{nil, ""},
		{[]string{"10.5281/zenodo.10357859"}, "https://doi.org/10.5281/zenodo.10357859"},
		{[]string{"doi:10.4204/EPTCS.172.11"}, "https://doi.org/10.4204/EPTCS.172.11"},
		{[]string{"info:doi/10.1000/182"}, "https://doi.org/10.1000/182"},
		{[]string{"hdl:2200/20080423151356635T"}, "https://hdl.handle.net/2200/20080423151356635T"},
		{[]string{"hdl:2200/1", "10.1000/182"}, "https://doi.org/10.1000/182"},
		{[]string{"10.1000/182", " https://example.org/x "}, "https://example.org/x"},
		{[]string{"oai:zenodo.org:1", "https://doi.org/10.5281/zenodo.1"}, "https://doi.org/10.5281/zenodo.1"},
		{[]string{"Reciprocal Net Sample id 27344140", "http://www.reciprocalnet.org/x", "hdl:2200/1"}, "http://www.reciprocalnet.org/x"},
		{[]string{"mamo036830", "3488136", "ark:/67531/metapth2355"}, ""},
		{[]string{"https://", "10.1/x"}, ""},
	}
	for _, tt := range tests {
		if got := LandingURL(tt.ids); got != tt.want {
			t.Errorf("LandingURL(%q) = %q, want %q", tt.ids, got, tt.want)
		}
	}
}

func TestCollapse(t *testing.T) {
	for in, want := range map[string]string{
		"":                      "",
		"clean words":           "clean words",
		" lead":                 "lead",
		"trail ":                "trail",
		"two  spaces":           "two spaces",
		"tab\there":             "tab here",
		"line\nbreak\r\n end":   "line break end",
		"nbsp\u00a0and\u2003em": "nbsp and em",
		"   ":                   "",
		"é ü ß":                 "é ü ß",
	} {
		if got := Collapse(in); got != want {
			t.Errorf("Collapse(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestFold(t *testing.T) {
	for in, want := range map[string]string{
		"Biología":                "biologia",
		"  Straße — “Süd”  ":      "strasse sud",
		"Sciences de l'éducation": "sciences de l education",
		"ISCED-F 2013: 0511":      "isced f 2013 0511",
		"…":                       "",
	} {
		if got := Fold(in); got != want {
			t.Errorf("Fold(%q) = %q, want %q", in, got, want)
		}
	}
}
