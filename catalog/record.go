// Package catalog holds Orchard's record model and the Index interface that every search backend
// implements. It is pure: no I/O happens here.
package catalog

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
)

// Record is one catalogued resource. Its JSON form is the contract shared by export,
// `orchard harvest once` and the HTTP API.
type Record struct {
	ID            string   `json:"id"`
	Source        string   `json:"source"`
	OriginID      string   `json:"origin_id"`
	Datestamp     string   `json:"datestamp,omitempty"` // last change at the source, ISO 8601
	Indexed       string   `json:"indexed,omitempty"`   // last written by the pipeline, RFC 3339 UTC (s)
	Deleted       bool     `json:"deleted"`
	URL           string   `json:"url"`
	Title         string   `json:"title"`
	Description   string   `json:"description"`
	Creators      []string `json:"creators"`
	Languages     []string `json:"languages"`
	Subjects      []string `json:"subjects"`
	Fields        []string `json:"fields,omitempty"` // ISCED-F notations, broader ones included (SetFields)
	Keywords      []string `json:"keywords,omitempty"`
	ResourceTypes []string `json:"resource_types"`
	Date          string   `json:"date,omitempty"` // issued or created, ISO 8601 (year, month or day)
	Year          int      `json:"year,omitempty"`
	License       License  `json:"license"`
	Attribution   string   `json:"attribution"`
	// Thumbnail is the address of the resource's picture at its source; Orchard fetches it
	// once and serves its own small copy, so browsers never ask the source.
	Thumbnail string `json:"thumbnail,omitempty"`
	// Hidden records stay in the index for librarians but never reach learners.
	Hidden bool `json:"hidden,omitempty"`
	// Broken is set while the link checker finds the record's landing page gone; such a
	// record is withheld from learners as a hidden one is, until the page answers again.
	Broken bool `json:"broken,omitempty"`
	// Truncated names the fields the normalizer cut to their bounds ("title", "creators", …).
	Truncated []string `json:"truncated,omitempty"`
	// Sources lists every source's record of an entry that several sources offer (Merge);
	// it is absent when one source alone offers the resource.
	Sources []SourceRef `json:"sources,omitempty"`
}

// License is the normalized reading of a record's rights statements.
type License struct {
	ID          string     `json:"id"`     // SPDX-style id, empty when unknown
	Family      string     `json:"family"` // id without version and port, e.g. CC-BY-SA
	URL         string     `json:"url"`
	Label       string     `json:"label"`
	Commercial  bool       `json:"commercial"`
	Derivatives bool       `json:"derivatives"`
	ShareAlike  bool       `json:"share_alike"`
	Open        bool       `json:"open"`
	Evidence    []Evidence `json:"evidence"`
	Conflict    bool       `json:"conflict"`
	// Override is set when a librarian decided the license by hand.
	Override *Override `json:"override,omitempty"`
}

// Evidence is one rights statement that was read, where it came from and what it meant.
type Evidence struct {
	From  string `json:"from"`
	Value string `json:"value"`
	ID    string `json:"id"`
	// Source names the source that made the statement, in an entry several sources offer.
	Source string `json:"source,omitempty"`
}

// Override records a librarian's decision about a record's license.
type Override struct {
	ID   string `json:"id"`
	Note string `json:"note,omitempty"`
	By   string `json:"by,omitempty"`
	At   string `json:"at,omitempty"`
}

// Status says how far a learner may trust a record's license.
type Status string

const (
	StatusOpen     Status = "open"     // a recognised open license
	StatusClosed   Status = "closed"   // recognised, but not open (NC, ND, all rights reserved)
	StatusUnknown  Status = "unknown"  // nothing recognised
	StatusConflict Status = "conflict" // statements disagree
)

// Status derives the curation status from the license reading.
func (l License) Status() Status {
	switch {
	case l.Conflict && l.Override == nil:
		return StatusConflict
	case l.ID == "":
		return StatusUnknown
	case l.Open:
		return StatusOpen
	default:
		return StatusClosed
	}
}

// maxIDLen keeps ids far below Meilisearch's 511-byte limit.
const maxIDLen = 96

// RecordID derives the stable catalog id of a record from its source and origin id. The id
// uses only [A-Za-z0-9_-], which both index backends accept: a readable slug of the source,
// then a hash of source and origin id so that different origins never collide.
func RecordID(source, originID string) string {
	sum := sha256.Sum256([]byte(source + "\x00" + originID))
	slug := Slug(source)
	if slug == "" {
		slug = "src"
	}
	if len(slug) > maxIDLen-33 {
		slug = slug[:maxIDLen-33]
	}
	return slug + "_" + hex.EncodeToString(sum[:16])
}

// Slug reduces s to lower-case [a-z0-9-], the form used for source names in ids.
func Slug(s string) string {
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(s) {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9':
			b.WriteRune(r)
			dash = false
		case !dash && b.Len() > 0:
			b.WriteByte('-')
			dash = true
		}
	}
	return strings.TrimRight(b.String(), "-")
}

// ValidID reports whether id is usable by every backend.
func ValidID(id string) bool {
	if id == "" || len(id) > 511 {
		return false
	}
	for i := 0; i < len(id); i++ {
		c := id[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-') {
			return false
		}
	}
	return true
}

// ErrInvalid marks a record that cannot be indexed.
var ErrInvalid = errors.New("invalid record")

// Validate reports why a record cannot be indexed, or nil.
func (r *Record) Validate() error {
	switch {
	case r.ID == "":
		return fmt.Errorf("%w: missing id", ErrInvalid)
	case !ValidID(r.ID):
		return fmt.Errorf("%w: id %q must be 1 to 511 characters of [A-Za-z0-9_-]", ErrInvalid, r.ID)
	case r.Deleted:
		return nil
	case strings.TrimSpace(r.Title) == "":
		return fmt.Errorf("%w %s: missing title", ErrInvalid, r.ID)
	case r.Source == "":
		return fmt.Errorf("%w %s: missing source", ErrInvalid, r.ID)
	}
	return nil
}
