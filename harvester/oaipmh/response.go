package oaipmh

import (
	"fmt"
	"strings"
	"time"

	"github.com/orchard-oer/orchard/harvester"
)

// The OAI-PMH 2.0 error codes.
const (
	BadArgument             = "badArgument"
	BadResumptionToken      = "badResumptionToken"
	BadVerb                 = "badVerb"
	CannotDisseminateFormat = "cannotDisseminateFormat"
	IDDoesNotExist          = "idDoesNotExist"
	NoRecordsMatch          = "noRecordsMatch"
	NoMetadataFormats       = "noMetadataFormats"
	NoSetHierarchy          = "noSetHierarchy"
)

var knownCodes = map[string]bool{
	BadArgument: true, BadResumptionToken: true, BadVerb: true, CannotDisseminateFormat: true,
	IDDoesNotExist: true, NoRecordsMatch: true, NoMetadataFormats: true, NoSetHierarchy: true,
}

// ProtocolError is an <error> a repository answered with.
type ProtocolError struct {
	Code    string
	Message string
}

func (e *ProtocolError) Error() string {
	s := "OAI-PMH error " + e.Code
	if !knownCodes[e.Code] {
		s = "unknown OAI-PMH error code " + e.Code
	}
	if e.Message != "" {
		s += ": " + e.Message
	}
	return s
}

// Identify is what a repository says about itself.
type Identify struct {
	RepositoryName    string   `json:"repository_name"`
	BaseURL           string   `json:"base_url"`
	ProtocolVersion   string   `json:"protocol_version"`
	AdminEmails       []string `json:"admin_emails,omitempty"`
	EarliestDatestamp string   `json:"earliest_datestamp"`
	DeletedRecord     string   `json:"deleted_record"` // no, persistent or transient
	Granularity       string   `json:"granularity"`    // YYYY-MM-DD or YYYY-MM-DDThh:mm:ssZ
	Compression       []string `json:"compression,omitempty"`
}

// MetadataFormat is one format a repository disseminates.
type MetadataFormat struct {
	Prefix    string `json:"prefix"`
	Schema    string `json:"schema"`
	Namespace string `json:"namespace"`
}

// Set is one set of a repository.
type Set struct {
	Spec string `json:"spec"`
	Name string `json:"name"`
}

// Header is a record header, as ListIdentifiers returns them.
type Header struct {
	Identifier string   `json:"identifier"` // trimmed
	Datestamp  string   `json:"datestamp"`
	Sets       []string `json:"sets,omitempty"`
	Deleted    bool     `json:"deleted,omitempty"`
}

// Token is a resumptionToken with its attributes. A nil *Token means the response had none.
type Token struct {
	Value            string
	CompleteListSize int // -1 when not given
	Cursor           int // -1 when not given
	Expires          time.Time
}

func (t *Token) String() string {
	if t == nil {
		return "(no element)"
	}
	var attrs []string
	if !t.Expires.IsZero() {
		attrs = append(attrs, "expirationDate="+t.Expires.UTC().Format(time.RFC3339))
	}
	if t.Cursor >= 0 {
		attrs = append(attrs, fmt.Sprintf("cursor=%d", t.Cursor))
	}
	if t.CompleteListSize >= 0 {
		attrs = append(attrs, fmt.Sprintf("completeListSize=%d", t.CompleteListSize))
	}
	return fmt.Sprintf("%q %s", t.Value, strings.Join(attrs, " "))
}

// Response is one decoded OAI-PMH response. Only the parts its verb has are filled.
type Response struct {
	ResponseDate string
	Verb         string // the verb element found (Identify, ListRecords, …), empty for errors
	Errors       []*ProtocolError
	Identify     *Identify
	Formats      []MetadataFormat
	Sets         []Set
	Headers      []Header           // ListIdentifiers
	Records      []harvester.Record // ListRecords, GetRecord; deleted records included
	Quarantined  []harvester.Quarantine
	Token        *Token
}

// Err returns the response's errors as one error, nil if there are none. noRecordsMatch is an
// error here; list callers treat it as an empty list.
func (r *Response) Err() error {
	if len(r.Errors) == 0 {
		return nil
	}
	return r.Errors[0]
}

// hasError says whether the response carries the error code.
func (r *Response) hasError(code string) bool {
	for _, e := range r.Errors {
		if e.Code == code {
			return true
		}
	}
	return false
}
