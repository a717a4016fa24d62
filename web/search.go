package web

import (
	"cmp"
	"context"
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"time"

	"github.com/orchard-oer/orchard/catalog"
	"github.com/orchard-oer/orchard/normalizer/license"
	"github.com/orchard-oer/orchard/workers"
)

var errSearchFailed = errors.New("the search index did not answer; please try again")

// searchTimeout bounds one search so a slow backend cannot hold a learner's page forever.
const searchTimeout = 10 * time.Second

func (s *Server) apiSearch(w http.ResponseWriter, r *http.Request) {
	s.searchJSON(w, r, ParseSearch)
}

// searchJSON answers a search whose request parse reads from the query string.
func (s *Server) searchJSON(w http.ResponseWriter, r *http.Request, parse func(url.Values) (catalog.SearchRequest, error)) {
	req, err := parse(r.URL.Query())
	if err != nil {
		writeError(w, http.StatusBadRequest, err)
		return
	}
	res, err := s.runSearch(r.Context(), req)
	if err != nil {
		writeError(w, statusOf(err), err)
		return
	}
	writeJSON(w, http.StatusOK, res)
}

func (s *Server) runSearch(ctx context.Context, req catalog.SearchRequest) (catalog.SearchResult, error) {
	ctx, cancel := context.WithTimeout(ctx, searchTimeout)
	defer cancel()
	res, err := catalog.SearchWithOpenness(ctx, s.index, req)
	if err != nil {
		s.log.Error("search", "query", req.Query, "err", err)
		if statusOf(err) >= http.StatusInternalServerError {
			// What the index said stays in the log: it may hold the query or the backend's address.
			return res, errSearchFailed
		}
		return res, err
	}
	if res.Hits == nil {
		res.Hits = []catalog.Hit{}
	}
	if res.Facets == nil {
		res.Facets = map[string]map[string]int{}
	}
	return res, nil
}

// Facets shown on the search page, in order, with the message ids of their labels.
var pageFacets = []struct{ name, label string }{
	{catalog.FacetLicense, "facet.license"},
	{catalog.FacetLanguage, "facet.language"},
	{catalog.FacetType, "facet.type"},
	{catalog.FacetSource, "facet.source"},
	{catalog.FacetField, "facet.subject"},
	{catalog.FacetSubject, "facet.other_subjects"},
	{catalog.FacetYear, "facet.year"},
}

var shownFacets = func() []string {
	out := make([]string, len(pageFacets))
	for i, f := range pageFacets {
		out[i] = f.name
	}
	return out
}()

// maxFacetShown keeps long facets short; the rest are reachable by searching.
const maxFacetShown = 12

type searchView struct {
	Query   string
	Sort    string
	Sorts   []option
	Total   int
	Hits    []catalog.Hit
	Facets  []facetGroup
	Wants   []want
	Active  []active
	Pages   []pageLink
	Prev    string
	Next    string
	Hidden  []hiddenField // filters kept when the query box is submitted
	Error   string
	Curated bool // the curation queue reuses this view
	// Openness holds the three choices with their counts; More announces what the current
	// choice leaves out.
	Openness []opennessChoice
	More     *moreLink
	// PastEnd is set when the page asked for lies beyond the last one; Last leads back.
	PastEnd bool
	Last    string
	// Empty is set when the catalog holds nothing a learner could see.
	Empty bool
	// Sources maps source names to what learners see of them.
	Sources map[string]workers.Source

	// ParamErr is Error when it is about a parameter, which pages say in the reader's language.
	ParamErr *ParamError
}

type opennessChoice struct {
	license.Openness
	Count    int
	Selected bool
	URL      string
}

type moreLink struct {
	Count int
	URL   string
}

type option struct {
	Value, Label string
	Selected     bool
}

type facetGroup struct {
	Name, Label string
	Values      []facetValue
	Tree        []fieldNode // the field facet, as the vocabulary's tree
}

type facetValue struct {
	Value, Label string
	Lang         string // the language code, when the value is a language
	Msg          string // the message id of the value's name, when Orchard's vocabulary names it
	Count        int
	Selected     bool
	URL          string // toggles the value
}

type want struct {
	Param, Label string
	Count        int
	Checked      bool
	URL          string
}

// active is a filter in force: Name is the message id of what it filters, Label its value (Lang
// when the value is a language code).
type active struct {
	Name, Label, Lang, Msg, RemoveURL string
}

type pageLink struct {
	Number  int
	URL     string
	Current bool
}

type hiddenField struct{ Name, Value string }

func (s *Server) searchPage(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	req, err := ParseSearch(q)
	if err != nil {
		shown := q.Get("q")
		if len(shown) > catalog.MaxQueryBytes {
			shown = "" // a page never repeats an over-long query
		}
		s.render(w, r, http.StatusBadRequest, "search", searchView{Query: shown, Error: err.Error(), ParamErr: paramOf(err), Sorts: sorts("")})
		return
	}
	req.Facets = shownFacets // counting facets is most of a search's cost: only those shown
	req.CountOpenness = true
	res, err := s.runSearch(r.Context(), req)
	if err != nil {
		s.render(w, r, statusOf(err), "search", searchView{Query: req.Query, Error: "The search failed; please try again.", Sorts: sorts(req.Sort)})
		return
	}
	v := buildSearchView("/", s.lang(r), q, req, res)
	v.Sources = s.sourcesByName(r.Context())
	for i, g := range v.Facets {
		if g.Name == catalog.FacetSource {
			for j, val := range g.Values {
				v.Facets[i].Values[j].Label = sourceTitle(v.Sources, val.Value)
			}
		}
	}
	s.render(w, r, http.StatusOK, "search", v)
}

// sourcesByName reads the registry for the titles and descriptions learners see; without a
// harvest system, or when it does not answer, pages show the names.
func (s *Server) sourcesByName(ctx context.Context) map[string]workers.Source {
	if s.workers == nil {
		return nil
	}
	list, err := s.workers.Sources().List(ctx)
	if err != nil {
		s.log.Warn("list sources for their titles", "err", err)
		return nil
	}
	out := make(map[string]workers.Source, len(list))
	for _, src := range list {
		out[src.Name] = src
	}
	return out
}

// sourceTitle is the title of a source, or its name when it has none.
func sourceTitle(sources map[string]workers.Source, name string) string {
	if t := sources[name].Title; t != "" {
		return t
	}
	return name
}

func sorts(cur catalog.Sort) []option {
	return []option{
		{string(catalog.SortRelevance), "sort.relevance", cur == catalog.SortRelevance || cur == ""},
		{string(catalog.SortNewest), "sort.newest", cur == catalog.SortNewest},
		{string(catalog.SortTitle), "sort.title", cur == catalog.SortTitle},
	}
}

// filterParams are the query parameters that narrow a search; changing one starts at page 1.
var filterParams = []string{"license", "commercial", "derivatives", "lang", "type", "source", "subject", "field", "year", "year_from", "year_to", "status", "open", "openness", "family"}

// buildSearchView lays out a search's results; lang is the language of field labels.
func buildSearchView(base, lang string, q url.Values, req catalog.SearchRequest, res catalog.SearchResult) searchView {
	v := searchView{Query: req.Query, Sort: string(req.Sort), Sorts: sorts(req.Sort), Total: res.Total, Hits: res.Hits}
	link := func(change func(url.Values)) string {
		n := url.Values{}
		for k, vs := range q {
			n[k] = slices.Clone(vs)
		}
		n.Del("page")
		change(n)
		if enc := n.Encode(); enc != "" {
			return base + "?" + enc
		}
		return base
	}
	for _, f := range pageFacets {
		selected := list(q, f.name)
		if f.name == catalog.FacetField {
			selected = req.Filter.Fields // notations, however the fields were named
		}
		g := facetGroup{Name: f.name, Label: f.label}
		counts := res.Facets[f.name]
		switch f.name {
		case catalog.FacetField:
			g.Tree = fieldTree(lang, counts, selected, func(val string, on bool) string {
				return link(func(n url.Values) { toggle(n, f.name, val, selected, on) })
			})
			counts = nil
		case catalog.FacetSubject:
			counts = unmappedSubjects(counts) // the tree shows the others
		}
		for _, val := range sortedFacet(f.name, counts, selected) {
			on := slices.Contains(selected, val)
			g.Values = append(g.Values, facetValue{
				Value: val, Label: facetLabel(lang, f.name, val), Lang: langOf(f.name, val), Msg: msgOf(f.name, val), Count: counts[val], Selected: on,
				URL: link(func(n url.Values) { toggle(n, f.name, val, selected, on) }),
			})
		}
		v.Facets = append(v.Facets, g)
		for _, val := range selected {
			v.Active = append(v.Active, active{
				Name: f.label, Label: facetLabel(lang, f.name, val), Lang: langOf(f.name, val), Msg: msgOf(f.name, val),
				RemoveURL: link(func(n url.Values) { toggle(n, f.name, val, selected, true) }),
			})
		}
	}
	lic := res.Facets[catalog.FacetLicense]
	for _, wnt := range []struct{ param, label string }{
		{"commercial", "want.commercial"}, {"derivatives", "want.derivatives"},
	} {
		on := q.Get(wnt.param) == "true"
		v.Wants = append(v.Wants, want{
			Param: wnt.param, Label: wnt.label, Checked: on, Count: permitted(lic, wnt.param),
			URL: link(func(n url.Values) {
				if on {
					n.Del(wnt.param)
				} else {
					n.Set(wnt.param, "true")
				}
			}),
		})
		if on {
			v.Active = append(v.Active, active{Name: "want.heading", Msg: wnt.label, RemoveURL: link(func(n url.Values) { n.Del(wnt.param) })})
		}
	}
	cur := Openness(req.Filter)
	for _, o := range license.Opennesses() {
		setOpenness := func(n url.Values) {
			n.Del("open")
			n.Set("openness", o.ID)
		}
		v.Openness = append(v.Openness, opennessChoice{Openness: o, Count: res.Openness[o.ID],
			Selected: o.ID == cur.ID, URL: link(setOpenness)})
		if o == license.OpennessAny {
			if more := res.Openness[o.ID] - res.Openness[cur.ID]; more > 0 && cur != o {
				v.More = &moreLink{Count: more, URL: link(setOpenness)}
			}
		}
	}
	if q.Get("open") == "false" {
		v.Active = append(v.Active, active{Name: "filter.not_free",
			RemoveURL: link(func(n url.Values) { n.Del("open") })})
	}
	for _, p := range []string{"year_from", "year_to", "status", "family"} {
		if val := q.Get(p); val != "" {
			v.Active = append(v.Active, active{Name: "filter." + p, Label: val, RemoveURL: link(func(n url.Values) { n.Del(p) })})
		}
	}
	for _, p := range filterParams {
		for _, val := range q[p] {
			v.Hidden = append(v.Hidden, hiddenField{p, val})
		}
	}
	pageURL := func(n int) string {
		return link(func(u url.Values) {
			if n > 1 {
				u.Set("page", strconv.Itoa(n))
			}
		})
	}
	v.Pages, v.Prev, v.Next = paginate(req.Page, req.PerPage, res.Total, pageURL)
	if last := (res.Total + req.PerPage - 1) / req.PerPage; len(res.Hits) == 0 && req.Page > last && last > 0 {
		v.PastEnd, v.Last, v.Pages, v.Prev, v.Next = true, pageURL(last), nil, "", ""
	}
	v.Empty = req.Query == "" && len(v.Active) == 0 && res.Openness[license.OpennessAny.ID] == 0
	return v
}

// toggle adds val to or removes it from a multi-valued parameter.
func toggle(n url.Values, name, val string, selected []string, on bool) {
	n.Del(name)
	for _, s := range selected {
		if s != val {
			n.Add(name, s)
		}
	}
	if !on {
		n.Add(name, val)
	}
}

// sortedFacet orders facet values: selected first, then by count (years newest first), and
// keeps at most maxFacetShown.
func sortedFacet(name string, counts map[string]int, selected []string) []string {
	vals := make([]string, 0, len(counts))
	for v := range counts {
		if !slices.Contains(selected, v) {
			vals = append(vals, v)
		}
	}
	slices.SortFunc(vals, func(a, b string) int {
		if name == catalog.FacetYear {
			return cmp.Compare(b, a)
		}
		return cmp.Or(cmp.Compare(counts[b], counts[a]), cmp.Compare(a, b))
	})
	out := append(slices.Clone(selected), vals...)
	if len(out) > maxFacetShown && len(selected) < maxFacetShown {
		out = out[:maxFacetShown]
	}
	return out
}

func facetLabel(lang, name, val string) string {
	switch name {
	case catalog.FacetField:
		return fieldLabel(lang, val)
	case catalog.FacetLanguage:
		return langName(val)
	case catalog.FacetLicense:
		if t, ok := license.Lookup(val); ok && t.Label != "" {
			return t.Label
		}
	}
	return val
}

// langOf is a language facet's value, which pages name in the reader's language.
func langOf(name, val string) string {
	if name == catalog.FacetLanguage {
		return val
	}
	return ""
}

// msgOf is the message id of a resource type's name.
func msgOf(name, val string) string {
	switch name {
	case catalog.FacetType:
		return "type." + val
	case catalog.FacetLicense:
		return "label." + val
	}
	return ""
}

// permitted counts the hits whose license allows commercial use or adaptation, from the
// license facet: every license id has fixed permissions, so no second search is needed.
func permitted(licenses map[string]int, param string) int {
	n := 0
	for id, c := range licenses {
		t, ok := license.Lookup(id)
		if !ok {
			continue
		}
		if (param == "commercial" && t.Commercial) || (param == "derivatives" && t.Derivatives) {
			n += c
		}
	}
	return n
}

// paginate links a window of pages around the current one.
func paginate(cur, per, total int, link func(int) string) (pages []pageLink, prev, next string) {
	last := (total + per - 1) / per
	last = min(last, 10000)
	if last <= 1 {
		return nil, "", ""
	}
	lo, hi := max(1, cur-3), min(last, cur+3)
	for n := lo; n <= hi; n++ {
		pages = append(pages, pageLink{Number: n, URL: link(n), Current: n == cur})
	}
	if cur > 1 {
		prev = link(cur - 1)
	}
	if cur < last {
		next = link(cur + 1)
	}
	return pages, prev, next
}

// paramOf is err when it is about a request parameter, or nil.
func paramOf(err error) *ParamError {
	var pe *ParamError
	if errors.As(err, &pe) {
		return pe
	}
	return nil
}
