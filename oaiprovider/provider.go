// Package oaiprovider is Orchard's curated catalog as an OAI-PMH 2.0 repository: the protocol's
// six verbs, its arguments and errors, resumption tokens, sets and the metadata formats. It is
// the data-provider half of OAI-PMH, as harvester/oaipmh is the harvester half; the name says
// which side it holds, and keeps it apart from the harvester's package. It reads the catalog
// only through catalog.Index and catalog.Tombstones, so it works on either index backend, and
// knows nothing of HTTP: web gives it its URL, rate limits and status codes.
package oaiprovider

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/orchard-oer/orchard/catalog"
)

// Config describes the repository.
type Config struct {
	// BaseURL is the repository's URL as harvesters reach it (http.base_url + "/oai").
	BaseURL string
	// Name is the repositoryName of Identify; empty takes "Orchard".
	Name string
	// AdminEmails are the repository's admin addresses; at least one is required.
	AdminEmails []string
	// Namespace makes record identifiers oai:<Namespace>:<record id>; empty takes "orchard".
	Namespace string
	// Key signs resumption tokens; at least 16 bytes.
	Key []byte
	// PageSize is how many records or headers a list answer carries; 0 takes 200.
	PageSize int
	// Earliest is the earliestDatestamp announced when the catalog holds no dated record;
	// empty takes 1970-01-01T00:00:00Z.
	Earliest string
}

// Provider answers OAI-PMH requests. It is safe for concurrent use.
type Provider struct {
	cfg   Config
	index catalog.Index
	tombs catalog.Tombstones
	log   *slog.Logger
	now   func() time.Time
}

// New builds a provider over index; tombs may be nil when deletions are not kept.
func New(cfg Config, index catalog.Index, tombs catalog.Tombstones, log *slog.Logger) (*Provider, error) {
	switch {
	case index == nil:
		return nil, errors.New("oai provider: no catalog index")
	case cfg.BaseURL == "":
		return nil, errors.New("oai provider: no base URL")
	case len(cfg.AdminEmails) == 0:
		return nil, errors.New("oai provider: no admin email")
	case len(cfg.Key) < 16:
		return nil, errors.New("oai provider: token key shorter than 16 bytes")
	}
	if _, err := url.ParseRequestURI(cfg.BaseURL); err != nil {
		return nil, fmt.Errorf("oai provider: base URL: %w", err)
	}
	if cfg.Name == "" {
		cfg.Name = "Orchard"
	}
	if cfg.Namespace == "" {
		cfg.Namespace = "orchard"
	}
	if cfg.PageSize <= 0 {
		cfg.PageSize = 200
	}
	if cfg.Earliest == "" {
		cfg.Earliest = "1970-01-01T00:00:00Z"
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Provider{cfg: cfg, index: index, tombs: tombs, log: log, now: time.Now}, nil
}

// ErrUnavailable wraps a failure of the catalog behind a request: the request was fine, and
// may be tried again later.
var ErrUnavailable = errors.New("catalog unavailable")

// Respond answers one request given its arguments (query string and form body together). The
// answer is always an OAI-PMH document, errors of the protocol included; an error is returned
// only when the catalog failed (ErrUnavailable).
func (p *Provider) Respond(ctx context.Context, args url.Values) ([]byte, error) {
	w := newWriter(p.cfg.BaseURL, p.now())
	req, oerr := parse(args)
	if oerr != nil {
		w.fail(nil, *oerr)
		return w.bytes(), nil
	}
	var err error
	switch req.verb {
	case "Identify":
		err = p.identify(ctx, w, req)
	case "ListMetadataFormats":
		err = p.listMetadataFormats(ctx, w, req)
	case "ListSets":
		err = p.listSets(ctx, w, req)
	case "GetRecord":
		err = p.getRecord(ctx, w, req)
	case "ListIdentifiers", "ListRecords":
		err = p.list(ctx, w, req)
	}
	var oe *oaiError
	switch {
	case errors.As(err, &oe):
		w.reset()
		w.fail(req, *oe)
	case err != nil:
		p.log.Warn("oai request failed", "verb", req.verb, "err", err)
		return nil, fmt.Errorf("oai %s: %w: %w", req.verb, ErrUnavailable, err)
	}
	return w.bytes(), nil
}

// oaiError is one of the protocol's error conditions.
type oaiError struct {
	code, msg string
}

func (e *oaiError) Error() string { return e.code + ": " + e.msg }

func protoErr(code, format string, a ...any) *oaiError {
	return &oaiError{code: code, msg: fmt.Sprintf(format, a...)}
}

// identifier is a record's OAI identifier.
func (p *Provider) identifier(id string) string {
	return "oai:" + p.cfg.Namespace + ":" + id
}

// recordID reads a record id back from an OAI identifier.
func (p *Provider) recordID(identifier string) (string, bool) {
	id, ok := strings.CutPrefix(identifier, "oai:"+p.cfg.Namespace+":")
	return id, ok && catalog.ValidID(id)
}

func (p *Provider) identify(ctx context.Context, w *writer, req *request) error {
	earliest := p.cfg.Earliest
	page, err := p.index.List(ctx, catalog.ListRequest{Limit: 1, Filter: catalog.Filter{WithHidden: true}})
	if err != nil {
		return err
	}
	if len(page.Records) > 0 {
		if d, ok := Datestamp(page.Records[0].ListDate()); ok {
			earliest = d
		}
	}
	w.open(req)
	w.elem("repositoryName", p.cfg.Name)
	w.elem("baseURL", p.cfg.BaseURL)
	w.elem("protocolVersion", "2.0")
	for _, e := range p.cfg.AdminEmails {
		w.elem("adminEmail", e)
	}
	w.elem("earliestDatestamp", earliest)
	w.elem("deletedRecord", "persistent")
	w.elem("granularity", "YYYY-MM-DDThh:mm:ssZ")
	w.raw(`<description>`)
	w.raw(`<oai_dc:dc xmlns:oai_dc="` + nsOAIDC + `" xmlns:dc="` + nsDC + `" xmlns:xsi="` + nsXSI + `" xsi:schemaLocation="` + nsOAIDC + ` ` + schemaOAIDC + `">`)
	w.elem("dc:title", p.cfg.Name+": a curated catalog of Open Educational Resources")
	w.elem("dc:description", "Records of Open Educational Resources harvested from OAI-PMH repositories and web sites, "+
		"with licenses normalized and checked by librarians. The license served (dc:rights, LOM rights) is the curated one; "+
		"the statements it was read from are kept in each LOM record's annotation. Sets: source:<name> per source, "+
		"license:<family> per license family (CC-BY-SA, CC0, ...) and open for openly licensed records. "+
		"Deleted and withdrawn records are kept as deleted headers.")
	w.raw(`</oai_dc:dc></description>`)
	w.close(req)
	return nil
}

func (p *Provider) listMetadataFormats(ctx context.Context, w *writer, req *request) error {
	if req.identifier != "" {
		if _, err := p.lookup(ctx, req.identifier); err != nil {
			return err
		}
	}
	w.open(req)
	for _, f := range formats {
		w.raw("<metadataFormat>")
		w.elem("metadataPrefix", f.prefix)
		w.elem("schema", f.schema)
		w.elem("metadataNamespace", f.namespace)
		w.raw("</metadataFormat>")
	}
	w.close(req)
	return nil
}

// item is a record or a tombstone, as a list shows it.
type item struct {
	key     catalog.ListKey
	rec     *catalog.Record // nil for a tombstone
	tomb    *catalog.Tombstone
	deleted bool
}

// lookup finds an item by OAI identifier: a record, hidden ones as deleted, or a tombstone.
func (p *Provider) lookup(ctx context.Context, identifier string) (item, error) {
	id, ok := p.recordID(identifier)
	if !ok {
		return item{}, protoErr("idDoesNotExist", "%s is not an identifier of this repository", identifier)
	}
	r, err := p.index.Get(ctx, id)
	switch {
	case err == nil && r.ListDate() != "":
		return item{key: r.Key(), rec: &r, deleted: r.Withheld()}, nil
	case err != nil && !errors.Is(err, catalog.ErrNotFound):
		return item{}, err
	}
	if p.tombs != nil {
		ts, err := p.tombs.Tombstones(ctx)
		if err != nil {
			return item{}, err
		}
		for i := range ts {
			if ts[i].ID == id {
				return item{key: ts[i].Key(), tomb: &ts[i], deleted: true}, nil
			}
		}
	}
	return item{}, protoErr("idDoesNotExist", "no record %s", identifier)
}

func (p *Provider) getRecord(ctx context.Context, w *writer, req *request) error {
	f, ok := formatByPrefix(req.prefix)
	if !ok {
		return protoErr("cannotDisseminateFormat", "metadataPrefix %s is not offered", req.prefix)
	}
	it, err := p.lookup(ctx, req.identifier)
	if err != nil {
		return err
	}
	w.open(req)
	p.writeRecord(w, it, f)
	w.close(req)
	return nil
}

func (p *Provider) writeRecord(w *writer, it item, f *format) {
	w.raw("<record>")
	p.writeHeader(w, it)
	if !it.deleted {
		w.raw("<metadata>")
		f.write(w, it.rec)
		w.raw("</metadata>")
	}
	w.raw("</record>")
}

func (p *Provider) writeHeader(w *writer, it item) {
	if it.deleted {
		w.raw(`<header status="deleted">`)
	} else {
		w.raw("<header>")
	}
	var id, source, family string
	var open bool
	if it.rec != nil {
		id, source, family, open = it.rec.ID, it.rec.Source, it.rec.License.Family, it.rec.License.Open
	} else {
		id, source, family, open = it.tomb.ID, it.tomb.Source, it.tomb.Family, it.tomb.Open
	}
	w.elem("identifier", p.identifier(id))
	d, _ := Datestamp(it.key.Datestamp)
	w.elem("datestamp", d)
	for _, s := range setsOf(source, family, open) {
		w.elem("setSpec", s)
	}
	if it.rec != nil { // an entry several sources offer is in each one's set
		for _, s := range it.rec.SourceNames()[1:] {
			if validSpec(s) {
				w.elem("setSpec", "source:"+s)
			}
		}
	}
	w.raw("</header>")
}

// writer builds a response in one buffer: escaping by hand is what lets a page of records be
// written at thousands of records per second.
type writer struct {
	buf     bytes.Buffer
	base    string
	now     string
	started int
}

func newWriter(base string, now time.Time) *writer {
	w := &writer{base: base, now: now.UTC().Format(time.RFC3339)}
	w.buf.Grow(64 << 10)
	w.preamble()
	return w
}

func (w *writer) preamble() {
	w.raw(`<?xml version="1.0" encoding="UTF-8"?>` + "\n")
	w.raw(`<OAI-PMH xmlns="` + nsOAI + `" xmlns:xsi="` + nsXSI + `" xsi:schemaLocation="` + nsOAI + ` ` + schemaOAI + `">`)
	w.elem("responseDate", w.now)
	w.started = w.buf.Len()
}

// reset drops what was written after the response date, for an error found late.
func (w *writer) reset() { w.buf.Truncate(w.started) }

func (w *writer) raw(s string) { w.buf.WriteString(s) }

func (w *writer) elem(name, text string) {
	w.buf.WriteByte('<')
	w.buf.WriteString(name)
	w.buf.WriteByte('>')
	escape(&w.buf, text)
	w.buf.WriteString("</")
	w.buf.WriteString(name)
	w.buf.WriteByte('>')
}

// request writes the request element: with its arguments for a valid request, bare otherwise,
// as the protocol asks for badVerb and badArgument.
func (w *writer) request(req *request) {
	if req == nil {
		w.raw("<request>")
	} else {
		w.raw("<request")
		for _, a := range req.echo {
			w.raw(" " + a[0] + `="`)
			escape(&w.buf, a[1])
			w.raw(`"`)
		}
		w.raw(">")
	}
	escape(&w.buf, w.base)
	w.raw("</request>")
}

func (w *writer) open(req *request) {
	w.request(req)
	w.raw("<" + req.verb + ">")
}

func (w *writer) close(req *request) { w.raw("</" + req.verb + "></OAI-PMH>\n") }

func (w *writer) fail(req *request, e oaiError) {
	if e.code == "badVerb" || e.code == "badArgument" {
		req = nil
	}
	w.request(req)
	w.raw(`<error code="` + e.code + `">`)
	escape(&w.buf, e.msg)
	w.raw("</error></OAI-PMH>\n")
}

func (w *writer) bytes() []byte { return w.buf.Bytes() }

// escape writes s as XML character data, leaving out what XML 1.0 cannot hold (control
// characters, invalid UTF-8, U+FFFE and U+FFFF).
func escape(b *bytes.Buffer, s string) {
	last := 0
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		var rep string
		switch {
		case r == '<':
			rep = "&lt;"
		case r == '>':
			rep = "&gt;"
		case r == '&':
			rep = "&amp;"
		case r == '"':
			rep = "&quot;"
		case r == utf8.RuneError && n == 1, r < 0x20 && r != '\t' && r != '\n' && r != '\r', r == 0xFFFE, r == 0xFFFF:
		default:
			i += n
			continue
		}
		b.WriteString(s[last:i])
		b.WriteString(rep)
		i += n
		last = i
	}
	b.WriteString(s[last:])
}

// Refuse answers a request whose arguments could not be read at all (a malformed query or
// form) with badArgument.
func (p *Provider) Refuse(why string) []byte {
	w := newWriter(p.cfg.BaseURL, p.now())
	w.fail(nil, oaiError{code: "badArgument", msg: why})
	return w.bytes()
}
