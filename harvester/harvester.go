// Package harvester defines what every protocol client hands to the rest of Orchard: raw
// records as a source described them, pages of them with a checkpoint, and the Harvester
// interface. It holds types only; the clients live in harvester/oaipmh and harvester/site.
package harvester

import (
	"context"
	"encoding/json"
	"time"
)

// Kinds of source.
const (
	TypeOAIPMH = "oai-pmh"
	TypeWeb    = "web"
)

// Source says what to harvest. Fields that do not apply to a source's type are ignored.
type Source struct {
	Name string `json:"name"`
	Type string `json:"type"` // TypeOAIPMH or TypeWeb
	URL  string `json:"url"`  // OAI-PMH base URL, sitemap URL or crawl start URL

	// OAI-PMH.
	MetadataPrefixes []string `json:"metadata_prefixes,omitempty"` // default oai_dc
	Sets             []string `json:"sets,omitempty"`
	From             string   `json:"from,omitempty"`  // inclusive, overrides the checkpoint's
	Until            string   `json:"until,omitempty"` // inclusive

	// MaxPages is the most pages one run fetches: list responses of an OAI-PMH source, web
	// pages of a web source. Zero takes the harvester's default.
	MaxPages int `json:"max_pages,omitempty"`

	// Web.
	Mode       string   `json:"mode,omitempty"` // sitemap, urls or crawl; default sitemap, or crawl for an HTML URL
	URLs       []string `json:"urls,omitempty"` // for mode urls
	MaxDepth   int      `json:"max_depth,omitempty"`
	PathPrefix string   `json:"path_prefix,omitempty"`

	// Pace is the least time between two requests to the source's host; zero takes the
	// harvester's default.
	Pace time.Duration `json:"pace,omitempty"`
}

// Record is one resource as its source described it, before normalization. Values are kept as
// written; the normalizer reads them.
type Record struct {
	OriginID     string   `json:"origin_id"` // OAI identifier or page URL
	Datestamp    string   `json:"datestamp,omitempty"`
	Deleted      bool     `json:"deleted,omitempty"`
	Format       string   `json:"format,omitempty"` // metadata format that was mapped: oai_dc, lom, html, …
	Sets         []string `json:"sets,omitempty"`
	URL          string   `json:"url,omitempty"`         // landing page when the source names one
	Identifiers  []string `json:"identifiers,omitempty"` // URLs, DOIs, handles; the normalizer picks the landing URL
	Titles       []string `json:"titles,omitempty"`
	Descriptions []string `json:"descriptions,omitempty"`
	Creators     []string `json:"creators,omitempty"`
	Publishers   []string `json:"publishers,omitempty"`
	Languages    []string `json:"languages,omitempty"`
	Subjects     []string `json:"subjects,omitempty"`
	Keywords     []string `json:"keywords,omitempty"`
	Types        []string `json:"types,omitempty"`
	Dates        []string `json:"dates,omitempty"` // issued or created first, as written
	Rights       []Rights `json:"rights,omitempty"`
	// Thumbnails are pictures of the resource the source names, best first, as written (a
	// web page's are resolved against the page).
	Thumbnails []string `json:"thumbnails,omitempty"`
}

// Scope says what a rights statement is about.
type Scope string

const (
	ScopeResource Scope = "resource" // the record or page itself
	ScopeSite     Scope = "site"     // a site-wide statement (footer, site-wide meta)
	ScopePart     Scope = "part"     // a part of the page, such as an image credit
	ScopeAccess   Scope = "access"   // an access term, not a license (info:eu-repo/semantics/openAccess)
)

// Rights is one rights statement found in a record, with where it was found.
type Rights struct {
	From  string `json:"from"`  // e.g. "dc:rights", "mods:accessCondition@xlink:href", "a[rel=license]", "json-ld license"
	Value string `json:"value"` // the text or URL as written
	Scope Scope  `json:"scope,omitempty"`
	// Text is the visible text beside a URL (an anchor's text), when the two were found together.
	Text string `json:"text,omitempty"`
}

// Quarantine names a record that could not be read and why; the rest of its page goes on.
type Quarantine struct {
	OriginID string `json:"origin_id"`
	Reason   string `json:"reason"`
}

// Progress counts what a harvest has done so far.
type Progress struct {
	Pages       int `json:"pages"`
	Records     int `json:"records"`
	Deleted     int `json:"deleted"`
	Quarantined int `json:"quarantined"`
	Refusals    int `json:"refusals"` // 429/503 answers
	Requests    int `json:"requests"`
	// Expected is the list size the source announced (completeListSize, sitemap size), 0 if unknown.
	Expected int `json:"expected,omitempty"`
}

// Page is one batch of records with the checkpoint that resumes after it.
type Page struct {
	Records     []Record
	Quarantined []Quarantine
	// Checkpoint resumes the harvest after this page. It is opaque outside the harvester
	// that wrote it. On the last page (Done) it holds what the next incremental run starts from.
	Checkpoint json.RawMessage
	Progress   Progress
	Done       bool
	// Warnings are for the run's record: things a librarian should know that did not stop
	// the harvest, such as a checkpoint that could not be resumed.
	Warnings []string
	// Sweep, on the last page (Done), says that the source may drop records without reporting
	// their deletion (an OAI-PMH repository whose deletedRecord is no or transient, a web
	// site) and that no page limit cut the run short: of the records a full run of the
	// source's whole range did not emit, none is still offered.
	Sweep bool
}

// Emit receives pages in order. A harvester moves on only after Emit returns nil, so the
// checkpoint of a page advances only when its records are safe; an error from Emit stops the
// harvest and is returned.
type Emit func(ctx context.Context, p Page) error

// Harvester streams the records of a source page by page.
type Harvester interface {
	// Harvest reads src from checkpoint cp (nil for a fresh start, or a Done checkpoint for an
	// incremental run) and calls emit for every page. full ignores cp's incremental state.
	Harvest(ctx context.Context, src Source, cp json.RawMessage, full bool, emit Emit) error
}
