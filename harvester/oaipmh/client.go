package oaipmh

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/orchard-oer/orchard/harvester"
	"github.com/orchard-oer/orchard/harvester/fetch"
	"github.com/orchard-oer/orchard/weburl"
)

// Client speaks OAI-PMH to one repository. It holds no harvest state.
type Client struct {
	base  *url.URL
	fetch *fetch.Client
	stats *fetch.Stats
	pace  time.Duration
}

// NewClient makes a client for the repository at base (its base URL, which may carry query
// parameters of its own). Requests go through f and are counted in stats when it is not nil.
func NewClient(base string, f *fetch.Client, stats *fetch.Stats) (*Client, error) {
	u, err := weburl.Parse(strings.TrimSpace(base))
	if err != nil {
		return nil, harvester.E(harvester.KindInvalid, "OAI-PMH base URL "+base, err)
	}
	u.Fragment = ""
	return &Client{base: u, fetch: f, stats: stats}, nil
}

// ListArgs selects part of a list. From and Until are datestamps in the repository's
// granularity, inclusive; empty ones are left out.
type ListArgs struct {
	Prefix, Set, From, Until string
}

func (a ListArgs) values(verb string) url.Values {
	v := url.Values{"verb": {verb}, "metadataPrefix": {a.Prefix}}
	for k, s := range map[string]string{"set": a.Set, "from": a.From, "until": a.Until} {
		if s != "" {
			v.Set(k, s)
		}
	}
	return v
}

// Some repositories send protocol errors with these statuses (Zenodo: 422); their bodies are
// read before the status decides.
var oaiErrorStatuses = []int{http.StatusBadRequest, http.StatusNotFound, http.StatusUnprocessableEntity}

// request sends one request and decodes its response. Protocol errors come back inside the
// Response, not as the error.
func (c *Client) request(ctx context.Context, args url.Values, prefix string) (*Response, error) {
	u := *c.base
	q := u.Query()
	for k, v := range args {
		q[k] = v
	}
	u.RawQuery = q.Encode()
	op := args.Get("verb") + " " + u.String()
	resp, err := c.fetch.Do(ctx, fetch.Request{URL: u.String(), Pass: oaiErrorStatuses, Pace: c.pace, Stats: c.stats})
	if err != nil {
		return nil, fmt.Errorf("%s: %w", args.Get("verb"), err)
	}
	r, err := Decode(resp.Body, prefix)
	if err != nil {
		if resp.StatusCode != http.StatusOK {
			err = &fetch.StatusError{Code: resp.StatusCode, URL: resp.URL}
			return nil, harvester.E(harvester.KindPermanent, op, err)
		}
		return nil, harvester.E(harvester.KindOf(err), op, err)
	}
	if resp.StatusCode != http.StatusOK && len(r.Errors) == 0 {
		return nil, harvester.E(harvester.KindPermanent, op, &fetch.StatusError{Code: resp.StatusCode, URL: resp.URL})
	}
	return r, nil
}

// protocolErr turns a response's first protocol error into an error with a kind.
func protocolErr(op string, r *Response) error {
	err := r.Err()
	if err == nil {
		return nil
	}
	kind := harvester.KindPermanent
	switch r.Errors[0].Code {
	case BadArgument, BadVerb, CannotDisseminateFormat, NoSetHierarchy:
		kind = harvester.KindInvalid // the request (the source's settings) is wrong
	case BadResumptionToken:
		kind = harvester.KindTransient
	}
	return harvester.E(kind, op, err)
}

// Identify asks the repository about itself. The response date goes into ResponseDate.
func (c *Client) Identify(ctx context.Context) (*Identify, string, error) {
	r, err := c.request(ctx, url.Values{"verb": {"Identify"}}, "")
	if err != nil {
		return nil, "", err
	}
	if err := protocolErr("Identify "+c.base.String(), r); err != nil {
		return nil, "", err
	}
	if r.Identify == nil {
		return nil, "", harvester.E(harvester.KindPermanent, "Identify "+c.base.String(), fmt.Errorf("%w: no Identify element", ErrNotOAI))
	}
	return r.Identify, r.ResponseDate, nil
}

// ListMetadataFormats lists the formats of the repository, or of one item when identifier is
// not empty.
func (c *Client) ListMetadataFormats(ctx context.Context, identifier string) ([]MetadataFormat, error) {
	v := url.Values{"verb": {"ListMetadataFormats"}}
	if identifier != "" {
		v.Set("identifier", identifier)
	}
	r, err := c.request(ctx, v, "")
	if err != nil {
		return nil, err
	}
	if err := protocolErr("ListMetadataFormats "+c.base.String(), r); err != nil {
		return nil, err
	}
	return r.Formats, nil
}

// ListSets lists up to limit sets (all when limit ≤ 0), following resumption tokens. A
// repository without sets gives an empty list.
func (c *Client) ListSets(ctx context.Context, limit int) ([]Set, error) {
	var sets []Set
	err := c.pages(ctx, url.Values{"verb": {"ListSets"}}, "", func(r *Response) bool {
		sets = append(sets, r.Sets...)
		return limit <= 0 || len(sets) < limit
	})
	if limit > 0 && len(sets) > limit {
		sets = sets[:limit]
	}
	if pe := (*ProtocolError)(nil); errors.As(err, &pe) && pe.Code == NoSetHierarchy {
		return nil, nil
	}
	return sets, err
}

// ListIdentifiers calls f with every header of the selected list, following resumption
// tokens.
func (c *Client) ListIdentifiers(ctx context.Context, args ListArgs, f func(Header) error) error {
	var ferr error
	err := c.pages(ctx, args.values("ListIdentifiers"), "", func(r *Response) bool {
		for _, h := range r.Headers {
			if ferr = f(h); ferr != nil {
				return false
			}
		}
		return true
	})
	if ferr != nil {
		return ferr
	}
	return err
}

// pages requests a list and its continuations until the list ends or more returns false.
// noRecordsMatch is an empty list. A token seen twice stops with ErrLoop.
func (c *Client) pages(ctx context.Context, first url.Values, prefix string, more func(*Response) bool) error {
	v := first
	seen := map[string]bool{}
	for {
		r, err := c.request(ctx, v, prefix)
		if err != nil {
			return err
		}
		if r.hasError(NoRecordsMatch) {
			return nil
		}
		if err := protocolErr(first.Get("verb")+" "+c.base.String(), r); err != nil {
			return err
		}
		if !more(r) || r.Token == nil || r.Token.Value == "" {
			return nil
		}
		if seen[r.Token.Value] {
			return harvester.E(harvester.KindPermanent, first.Get("verb")+" "+c.base.String(), fmt.Errorf("%w: token %q", ErrLoop, r.Token.Value))
		}
		seen[r.Token.Value] = true
		v = url.Values{"verb": first["verb"], "resumptionToken": {r.Token.Value}}
	}
}

// ListRecords fetches one page of records: the list's first when token is empty, else the
// page the token resumes. Protocol errors are in the Response.
func (c *Client) ListRecords(ctx context.Context, args ListArgs, token string) (*Response, error) {
	v := args.values("ListRecords")
	if token != "" {
		// Resuming, the spec allows the token alone.
		v = url.Values{"verb": {"ListRecords"}, "resumptionToken": {token}}
	}
	return c.request(ctx, v, args.Prefix)
}

// GetRecord fetches one record.
func (c *Client) GetRecord(ctx context.Context, identifier, prefix string) (harvester.Record, error) {
	op := "GetRecord " + identifier + " " + c.base.String()
	r, err := c.request(ctx, url.Values{"verb": {"GetRecord"}, "identifier": {identifier}, "metadataPrefix": {prefix}}, prefix)
	if err != nil {
		return harvester.Record{}, err
	}
	if err := protocolErr(op, r); err != nil {
		return harvester.Record{}, err
	}
	if len(r.Records) == 0 {
		reason := "no record in the response"
		if len(r.Quarantined) > 0 {
			reason = r.Quarantined[0].Reason
		}
		return harvester.Record{}, harvester.E(harvester.KindPermanent, op, errors.New(reason))
	}
	return r.Records[0], nil
}
