package web

import (
	"github.com/orchard-oer/orchard/catalog"
	"github.com/orchard-oer/orchard/normalizer/license"
)

// explanation is a license in plain words: what a learner may do and what they must do.
type explanation struct {
	Title   string   `json:"title,omitempty"`
	Summary string   `json:"summary"`
	May     []string `json:"may"`
	Must    []string `json:"must"`
	Cannot  []string `json:"cannot"`
	Notes   []string `json:"notes,omitempty"`
}

func explain(l catalog.License) explanation {
	e, ok := license.Explain(l.ID)
	if !ok {
		return explanation{
			Summary: "No license could be recognised. Without one you may only use the resource as the law allows (for example quoting); ask the source before reusing it.",
			May:     []string{}, Must: []string{}, Cannot: []string{},
		}
	}
	return explanation{Title: e.Title, Summary: e.Summary, May: nonNil(e.May), Must: nonNil(e.Must), Cannot: nonNil(e.MustNot), Notes: e.Notes}
}
