package web

import (
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/orchard-oer/orchard/catalog"
	"github.com/orchard-oer/orchard/normalizer/lang"
	"github.com/orchard-oer/orchard/normalizer/license"
)

// ParamError names the query parameter that was wrong.
type ParamError struct {
	Param  string
	Reason string
}

func (e *ParamError) Error() string { return fmt.Sprintf("parameter %s: %s", e.Param, e.Reason) }

// ParseSearch turns query parameters into a search request. Learners see visible records
// under a Creative Commons license or in the public domain unless they choose otherwise
// (openness=free or openness=any), or name licenses or statuses themselves.
func ParseSearch(q url.Values) (catalog.SearchRequest, error) {
	req := catalog.SearchRequest{
		Query:  strings.TrimSpace(q.Get("q")),
		Facets: catalog.Facets,
	}
	if err := catalog.CheckQuery(req.Query); err != nil {
		return req, &ParamError{"q", err.Error()}
	}
	f := &req.Filter
	var err error
	if f.Licenses, err = licenseIDs(list(q, "license")); err != nil {
		return req, err
	}
	f.Families = list(q, "family")
	if f.Languages, err = langCodes(list(q, "lang")); err != nil {
		return req, err
	}
	f.Types = list(q, "type")
	f.Sources = list(q, "source")
	f.Subjects = list(q, "subject")
	if f.Fields, err = fieldNotations(q["field"]); err != nil {
		return req, err
	}
	for _, s := range list(q, "status") {
		st := catalog.Status(s)
		if !slices.Contains([]catalog.Status{catalog.StatusOpen, catalog.StatusClosed, catalog.StatusUnknown, catalog.StatusConflict}, st) {
			return req, &ParamError{"status", "must be open, closed, unknown or conflict"}
		}
		f.Statuses = append(f.Statuses, st)
	}
	if f.Commercial, err = boolParam(q, "commercial"); err != nil {
		return req, err
	}
	if f.Derivatives, err = boolParam(q, "derivatives"); err != nil {
		return req, err
	}
	if err := parseOpenness(q, f); err != nil {
		return req, err
	}
	counts, err := boolParam(q, "openness_counts")
	if err != nil {
		return req, err
	}
	req.CountOpenness = counts != nil && *counts
	if f.YearFrom, err = intParam(q, "year_from", 0, 9999); err != nil {
		return req, err
	}
	if f.YearTo, err = intParam(q, "year_to", 0, 9999); err != nil {
		return req, err
	}
	if y := q.Get("year"); y != "" {
		n, err := strconv.Atoi(y)
		if err != nil || n < 0 || n > 9999 {
			return req, &ParamError{"year", "must be a year"}
		}
		f.YearFrom, f.YearTo = n, n
	}
	if f.YearFrom != 0 && f.YearTo != 0 && f.YearFrom > f.YearTo {
		return req, &ParamError{"year_from", "must not be after year_to"}
	}
	switch s := catalog.Sort(q.Get("sort")); s {
	case "", catalog.SortRelevance, catalog.SortNewest, catalog.SortTitle:
		req.Sort = s
	default:
		return req, &ParamError{"sort", "must be relevance, newest or title"}
	}
	if req.Page, err = intParam(q, "page", 1, 10000); err != nil {
		return req, err
	}
	if req.PerPage, err = intParam(q, "per_page", 1, catalog.MaxPerPage); err != nil {
		return req, err
	}
	if fs := list(q, "facets"); len(fs) > 0 {
		for _, name := range fs {
			if !slices.Contains(catalog.Facets, name) {
				// The name is not repeated: parameters may be long, and answers stay short.
				return req, &ParamError{"facets", "must be among " + strings.Join(catalog.Facets, ", ")}
			}
		}
		req.Facets = fs
	}
	req.Normalize()
	return req, nil
}

// parseOpenness applies the openness choice: openness= takes an id or label of
// license.Opennesses; open= is its older spelling (true for free culture, any, or false for
// everything but free culture).
func parseOpenness(q url.Values, f *catalog.Filter) error {
	if v := q.Get("openness"); v != "" {
		o, err := license.ParseOpenness(v)
		if err != nil {
			return &ParamError{"openness", "must be free, cc or any"}
		}
		return f.SetOpenness(o.ID)
	}
	switch v := q.Get("open"); v {
	case "any", "all":
		return nil
	case "":
		if len(f.Statuses) == 0 && len(f.Licenses) == 0 {
			return f.SetOpenness(license.DefaultOpenness.ID)
		}
		return nil
	default:
		b, err := strconv.ParseBool(v)
		if err != nil {
			return &ParamError{"open", "must be true, false or any"}
		}
		f.Open = &b
	}
	return nil
}

// Openness is the choice a filter holds: free culture, Creative Commons and public domain, or
// everything.
func Openness(f catalog.Filter) license.Openness {
	switch {
	case f.Open != nil && *f.Open:
		return license.OpennessFree
	case f.Commons != nil && *f.Commons:
		return license.OpennessCC
	}
	return license.OpennessAny
}

// licenseIDs reads licenses given by id (CC-BY-4.0) or by the label pages show (CC BY 4.0).
func licenseIDs(vals []string) ([]string, error) {
	out := make([]string, 0, len(vals))
	for _, v := range vals {
		t, ok := license.Lookup(v)
		if !ok {
			t, ok = license.ByLabel(v)
		}
		if !ok {
			t = license.Parse(v).Tool
		}
		if !t.Known() {
			return nil, &ParamError{"license", "must be license ids (CC-BY-4.0) or labels (CC BY 4.0)"}
		}
		out = append(out, t.ID)
	}
	return out, nil
}

// langCodes reads languages given by code (de) or by name (German, Deutsch). A short code
// Orchard has no name for is kept: records may carry it.
func langCodes(vals []string) ([]string, error) {
	out := make([]string, 0, len(vals))
	for _, v := range vals {
		if code, ok := lang.Normalize(v); ok {
			out = append(out, code)
			continue
		}
		if len(v) > 3 || strings.ToLower(v) != v {
			return nil, &ParamError{"lang", "must be language codes (de) or English or native names (German, Deutsch)"}
		}
		out = append(out, v)
	}
	return out, nil
}

// list reads a parameter given repeatedly or comma-separated.
func list(q url.Values, name string) []string {
	var out []string
	for _, v := range q[name] {
		for _, part := range strings.Split(v, ",") {
			if part = strings.TrimSpace(part); part != "" {
				out = append(out, part)
			}
		}
	}
	return out
}

func boolParam(q url.Values, name string) (*bool, error) {
	s := q.Get(name)
	if s == "" {
		return nil, nil
	}
	b, err := strconv.ParseBool(s)
	if err != nil {
		return nil, &ParamError{name, "must be true or false"}
	}
	return &b, nil
}

func intParam(q url.Values, name string, lo, hi int) (int, error) {
	s := q.Get(name)
	if s == "" {
		return 0, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < lo || n > hi {
		return 0, &ParamError{name, fmt.Sprintf("must be a whole number from %d to %d", lo, hi)}
	}
	return n, nil
}
