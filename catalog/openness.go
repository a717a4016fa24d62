package catalog

import (
	"context"
	"fmt"
	"slices"
	"strings"
)

// The openness choices learners pick from, narrowest first. They nest: a record shown under
// free culture is shown under Creative Commons too, and everything shows every record. The
// words for them (labels, descriptions) live in normalizer/license, whose Tool.Openness agrees
// with License.Openness for every known tool.
const (
	OpennessFree = "free" // free culture: may adapt and use commercially
	OpennessCC   = "cc"   // any Creative Commons license or public-domain tool, or free culture
	OpennessAny  = "any"  // everything
)

// Opennesses lists the choices, narrowest first.
var Opennesses = []string{OpennessFree, OpennessCC, OpennessAny}

// publicDomainClaim is the family of a generic public-domain claim that names no tool.
const publicDomainClaim = "LicenseRef-Public-Domain"

// Commons reports whether the license is a Creative Commons license, a public-domain tool or
// free culture. It is read from the family, which for every Creative Commons tool (CC-BY-NC,
// CC0, CC-PDM, …) begins with "CC", so stored records need no new field.
func (l License) Commons() bool {
	return l.Open || strings.HasPrefix(l.Family, "CC") || l.Family == publicDomainClaim
}

// Openness is the narrowest choice that shows a record under this license.
func (l License) Openness() string {
	switch {
	case l.Open:
		return OpennessFree
	case l.Commons():
		return OpennessCC
	}
	return OpennessAny
}

// SetOpenness narrows f to a choice: free culture sets Open, Creative Commons sets Commons,
// everything clears both.
func (f *Filter) SetOpenness(choice string) error {
	t := true
	switch choice {
	case OpennessFree:
		f.Open, f.Commons = &t, nil
	case OpennessCC:
		f.Open, f.Commons = nil, &t
	case OpennessAny:
		f.Open, f.Commons = nil, nil
	default:
		return fmt.Errorf("openness %q: must be %s", choice, strings.Join(Opennesses, ", "))
	}
	return nil
}

// SearchWithOpenness runs a search and, when req.CountOpenness asks, counts what each openness
// choice would show, so that a learner sees what the current choice leaves out. The search
// counts the openness facet itself, which is all that everything needs; Creative Commons needs
// only the total of a second search without its filter, free culture (or any other narrowing)
// that search's openness facet too.
func SearchWithOpenness(ctx context.Context, ix Index, req SearchRequest) (SearchResult, error) {
	if !req.CountOpenness {
		return ix.Search(ctx, req)
	}
	if !slices.Contains(req.Facets, FacetOpenness) {
		req.Facets = append(slices.Clone(req.Facets), FacetOpenness)
	}
	res, err := ix.Search(ctx, req)
	if err != nil {
		return res, err
	}
	n := res.Facets[FacetOpenness]
	f := req.Filter
	switch {
	case f.Open == nil && f.Commons == nil:
		res.Openness = map[string]int{OpennessFree: n[OpennessFree], OpennessCC: n[OpennessFree] + n[OpennessCC], OpennessAny: res.Total}
	case f.Open == nil && *f.Commons:
		wide := req
		wide.Filter.Commons, wide.Facets, wide.Page, wide.PerPage = nil, nil, 1, 1
		all, err := ix.Search(ctx, wide)
		if err != nil {
			return res, fmt.Errorf("count openness: %w", err)
		}
		res.Openness = map[string]int{OpennessFree: n[OpennessFree], OpennessCC: res.Total, OpennessAny: all.Total}
	default:
		res.Openness, err = CountOpenness(ctx, ix, req)
	}
	return res, err
}

// CountOpenness counts, for the query and every filter of req but the openness ones, how many
// records each choice would show.
func CountOpenness(ctx context.Context, ix Index, req SearchRequest) (map[string]int, error) {
	req.Filter.Open, req.Filter.Commons = nil, nil
	req.Facets = []string{FacetOpenness}
	req.Page, req.PerPage = 1, 1
	res, err := ix.Search(ctx, req)
	if err != nil {
		return nil, fmt.Errorf("count openness: %w", err)
	}
	n := res.Facets[FacetOpenness]
	return map[string]int{
		OpennessFree: n[OpennessFree],
		OpennessCC:   n[OpennessFree] + n[OpennessCC],
		OpennessAny:  res.Total,
	}, nil
}
