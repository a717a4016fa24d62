package catalog

import (
	"context"
	"errors"
)

// ErrNotFound is returned by Index.Get for an id the index does not hold.
var ErrNotFound = errors.New("record not found")

// Index is a searchable store of records. Both backends (embedded and Meilisearch) pass the
// same conformance suite in catalog/catalogtest.
type Index interface {
	// Upsert adds or replaces records by id. Upserting the same record twice changes nothing.
	Upsert(ctx context.Context, recs []Record) error
	// Delete removes records by id; unknown ids are ignored.
	Delete(ctx context.Context, ids []string) error
	// DeleteSource removes every record of a source.
	DeleteSource(ctx context.Context, source string) error
	// Get returns one record, or ErrNotFound.
	Get(ctx context.Context, id string) (Record, error)
	// Search runs a query with filters, facets, sorting and paging.
	Search(ctx context.Context, req SearchRequest) (SearchResult, error)
	// Each calls fn for every record that matches f, in id order, until fn returns an error.
	Each(ctx context.Context, f Filter, fn func(Record) error) error
	// List returns a page of a harvest list in (list date, id) order. Records without a list
	// date are not listed.
	List(ctx context.Context, req ListRequest) (ListPage, error)
	// Stats counts what the index holds.
	Stats(ctx context.Context) (Stats, error)
	// Close releases the index's resources.
	Close() error
}

// Sort orders search hits.
type Sort string

const (
	SortRelevance Sort = "relevance"
	SortNewest    Sort = "newest"
	SortTitle     Sort = "title"
)

// Facet names, shared by both backends and the HTTP API.
const (
	FacetLicense  = "license"
	FacetFamily   = "family"
	FacetLanguage = "lang"
	FacetType     = "type"
	FacetSource   = "source"
	FacetSubject  = "subject"
	FacetYear     = "year"
	FacetStatus   = "status"
	// FacetOpenness counts records by the narrowest openness choice that shows them.
	FacetOpenness = "openness"
	// FacetField counts records by ISCED-F field notation; a record counts under each
	// broader field too, so a filter by a field includes all below it.
	FacetField = "field"
)

// Facets lists every facet an index can count.
var Facets = []string{FacetLicense, FacetFamily, FacetLanguage, FacetType, FacetSource, FacetSubject, FacetYear, FacetStatus, FacetOpenness, FacetField}

// Filter narrows a search. Fields combine with AND; the values within one field combine with OR.
// A nil bool pointer means "either".
type Filter struct {
	Licenses    []string // license ids
	Families    []string // license families (CC-BY-SA)
	Commercial  *bool
	Derivatives *bool
	Open        *bool // free culture
	Commons     *bool // License.Commons: any Creative Commons license, public domain or free culture
	Languages   []string
	Types       []string
	Sources     []string
	Subjects    []string
	Fields      []string // ISCED-F notations: records filed under them or below
	Statuses    []Status
	YearFrom    int // inclusive, 0 for no bound
	YearTo      int // inclusive, 0 for no bound
	// WithHidden includes records librarians hid.
	WithHidden bool
}

// FacetTerm is one field of a filter that lists values: the facet it filters on and the values,
// any of which may match.
type FacetTerm struct {
	Facet  string
	Values []string
}

// FacetTerms lists the filter's value fields by facet, leaving out the empty ones.
func (f Filter) FacetTerms() []FacetTerm {
	statuses := make([]string, len(f.Statuses))
	for i, s := range f.Statuses {
		statuses[i] = string(s)
	}
	var out []FacetTerm
	for _, t := range []FacetTerm{
		{FacetLicense, f.Licenses},
		{FacetFamily, f.Families},
		{FacetLanguage, f.Languages},
		{FacetType, f.Types},
		{FacetSource, f.Sources},
		{FacetSubject, f.Subjects},
		{FacetField, f.Fields},
		{FacetStatus, statuses},
	} {
		if len(t.Values) > 0 {
			out = append(out, t)
		}
	}
	return out
}

// SearchRequest is one search.
type SearchRequest struct {
	Query   string
	Filter  Filter
	Facets  []string // facet names to count; counts reflect the filter
	Sort    Sort
	Page    int // 1-based
	PerPage int
	// CountOpenness asks SearchWithOpenness to count what each openness choice would show;
	// it costs a second search.
	CountOpenness bool
}

// MaxPerPage bounds a page of hits.
const MaxPerPage = 100

// Normalize fills defaults and clamps paging.
func (r *SearchRequest) Normalize() {
	if r.Page < 1 {
		r.Page = 1
	}
	if r.PerPage < 1 {
		r.PerPage = 20
	}
	if r.PerPage > MaxPerPage {
		r.PerPage = MaxPerPage
	}
	if r.Sort == "" {
		r.Sort = SortRelevance
	}
}

// Hit is a record found by a search, with highlighted snippets.
type Hit struct {
	Record
	// Snippet is a short excerpt with matches wrapped in <mark>…</mark>; the rest is HTML-escaped.
	Snippet string `json:"snippet,omitempty"`
	// TitleHTML is the title with matches wrapped in <mark>…</mark>, HTML-escaped.
	TitleHTML string `json:"title_html,omitempty"`
}

// SearchResult is a page of hits, the total number of matches and facet counts.
type SearchResult struct {
	Hits   []Hit                     `json:"hits"`
	Total  int                       `json:"total"`
	Facets map[string]map[string]int `json:"facets"`
	// Openness counts, per openness choice, the records the query and the other filters
	// match; only SearchWithOpenness fills it, when the request asks.
	Openness map[string]int `json:"openness,omitempty"`
}

// Stats counts what an index holds.
type Stats struct {
	Records  int            `json:"records"`
	BySource map[string]int `json:"by_source"`
}

// AsyncWriter is an Index that can accept a write now and confirm it later, so that a writer
// can send more while the index applies what it has. The index applies accepted writes in the
// order it accepted them. Callers find it by type assertion; an Index without it writes
// synchronously (its Upsert and Delete return once the records are searchable).
type AsyncWriter interface {
	// UpsertAsync validates recs and hands them to the index, as Upsert does, without waiting
	// for them to be applied.
	UpsertAsync(ctx context.Context, recs []Record) (Pending, error)
	// DeleteAsync hands the removal of ids to the index, as Delete does, without waiting.
	DeleteAsync(ctx context.Context, ids []string) (Pending, error)
}

// Pending is a write an index accepted.
type Pending interface {
	// Wait returns once the write is applied (its records are searchable or gone), or with
	// why it failed. A failed write may be sent again: writes are idempotent.
	Wait(ctx context.Context) error
}
