package web

import (
	"slices"
	"strings"

	"github.com/orchard-oer/orchard/vocab/isced"
)

// fieldNode is one field of the subject tree with the hits filed under it.
type fieldNode struct {
	Notation, Label string
	Count           int
	Selected        bool
	Open            bool   // shows its narrower fields: it or one below it is selected
	URL             string // toggles the field in the filter
	Children        []fieldNode
}

// fieldTree arranges the counts of the field facet as the vocabulary's tree, in the order of
// the classification, leaving out fields without hits. A detailed field that only repeats its
// narrow field ("Law" under "Law") is left out too. link gives the URL that toggles a field.
func fieldTree(lang string, counts map[string]int, selected []string, link func(notation string, on bool) string) []fieldNode {
	v := isced.Default()
	var build func(parent string) []fieldNode
	build = func(parent string) []fieldNode {
		var out []fieldNode
		for _, n := range v.Children(parent) {
			on := slices.Contains(selected, n)
			if counts[n] == 0 && !on {
				continue
			}
			node := fieldNode{Notation: n, Label: v.Label(n, lang), Count: counts[n], Selected: on, URL: link(n, on)}
			node.Children = build(n)
			if len(node.Children) == 1 && node.Children[0].Label == node.Label && !node.Children[0].Selected {
				node.Children = node.Children[0].Children
			}
			for _, c := range node.Children {
				node.Open = node.Open || c.Selected || c.Open
			}
			out = append(out, node)
		}
		return out
	}
	return build("")
}

// fieldLabel shows a field's notation as its label in lang.
func fieldLabel(lang, notation string) string {
	if l := isced.Default().Label(notation, lang); l != "" {
		return l
	}
	return notation
}

// fieldNotations reads fields given by notation or by label in any of the vocabulary's
// languages. A value is read whole first, since labels may hold commas, then as a
// comma-separated list.
func fieldNotations(vals []string) ([]string, error) {
	v := isced.Default()
	var out []string
	for _, val := range vals {
		if n, ok := v.Match(val); ok {
			out = append(out, n)
			continue
		}
		for _, part := range strings.Split(val, ",") {
			if part = strings.TrimSpace(part); part == "" {
				continue
			}
			n, ok := v.Match(part)
			if !ok {
				return nil, &ParamError{"field", "must be ISCED-F fields by notation (0511) or name (Biology, Biologie, Biologie, Biología)"}
			}
			out = append(out, n)
		}
	}
	return out, nil
}

// unmappedSubjects keeps the counts of the free subjects that name no field.
func unmappedSubjects(counts map[string]int) map[string]int {
	out := make(map[string]int, len(counts))
	for s, n := range counts {
		if _, ok := isced.Default().Match(s); !ok {
			out[s] = n
		}
	}
	return out
}
