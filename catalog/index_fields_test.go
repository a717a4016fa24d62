package catalog

import (
	"reflect"
	"testing"
)

func TestIndexFields(t *testing.T) {
	tests := []struct {
		name string
		rec  Record
		want map[string]any
	}{
		{"bare", Record{Title: "Zoo"}, map[string]any{
			FieldHidden: false, FieldCommercial: false, FieldDerivatives: false, FieldOpen: false,
			FieldCommons: false, FieldSortTitle: "zoo", FacetPrefix + FacetStatus: []string{"unknown"},
			FacetPrefix + FacetOpenness: []string{"any"},
		}},
		{"broken link", Record{Title: "Zoo", Broken: true}, map[string]any{
			FieldHidden: true, FieldCommercial: false, FieldDerivatives: false, FieldOpen: false,
			FieldCommons: false, FieldSortTitle: "zoo", FacetPrefix + FacetStatus: []string{"unknown"},
			FacetPrefix + FacetOpenness: []string{"any"},
		}},
		{"full", Record{
			Title: "Écologie", Source: "s", Year: 2021, Date: "2021-03", Hidden: true,
			Languages: []string{"fr"}, Subjects: []string{"Biology"}, ResourceTypes: []string{"text"},
			License: License{ID: "CC-BY-4.0", Family: "CC-BY", Open: true, Commercial: true, Derivatives: true},
		}, map[string]any{
			FieldHidden: true, FieldCommercial: true, FieldDerivatives: true, FieldOpen: true,
			FieldCommons: true, FieldSortTitle: "ecologie", FieldSortDate: "2021-03",
			FacetPrefix + FacetLicense: []string{"CC-BY-4.0"}, FacetPrefix + FacetFamily: []string{"CC-BY"},
			FacetPrefix + FacetLanguage: []string{"fr"}, FacetPrefix + FacetType: []string{"text"},
			FacetPrefix + FacetSource: []string{"s"}, FacetPrefix + FacetSubject: []string{"Biology"},
			FacetPrefix + FacetYear: []string{"2021"}, FacetPrefix + FacetStatus: []string{"open"},
			FacetPrefix + FacetOpenness: []string{"free"},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.rec.IndexFields(); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("IndexFields() =\n%v\nwant\n%v", got, tt.want)
			}
		})
	}
}
