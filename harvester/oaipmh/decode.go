package oaipmh

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/orchard-oer/orchard/harvester"
	"github.com/orchard-oer/orchard/harvester/oaipmh/formats"
	"github.com/orchard-oer/orchard/harvester/oaipmh/xmlscan"
)

// ErrNotOAI is returned for a body that is not an OAI-PMH response (an HTML page, another XML
// document). It comes wrapped in a permanent *harvester.Error.
var ErrNotOAI = errors.New("not an OAI-PMH response")

// errTruncated marks a response that ends inside a list: the page may be missing records and
// its resumption token, so it is worth fetching again.
var errTruncated = errors.New("response ends inside the list")

// Decode reads one OAI-PMH response. Records are decoded one at a time from the token stream;
// their metadata goes through formats.Map, and prefix is written to each record's Format. A
// record that cannot be read is quarantined with the reason, and decoding goes on with the next
// record. Envelope elements are matched by local name, so a missing or odd namespace does not
// matter.
func Decode(body []byte, prefix string) (*Response, error) {
	p := &pageDecoder{body: toUTF8(body), prefix: prefix, resp: &Response{}}
	if err := p.run(); err != nil {
		return nil, err
	}
	return p.resp, nil
}

type pageDecoder struct {
	body   []byte
	prefix string
	resp   *Response

	d *xmlscan.Decoder
	// After a resync the decoder reads envelope + body[base:]; offsets map back through these.
	base, envLen int64
	envelope     []byte // the body from the root's '<' to the end of the verb's start tag
	rootStart    int64
}

// offset is the position in body the decoder has reached.
func (p *pageDecoder) offset() int64 {
	return p.base + p.d.InputOffset() - p.envLen
}

func syntaxErr(err error) error {
	if errors.Is(err, io.EOF) {
		err = io.ErrUnexpectedEOF
	}
	return harvester.E(harvester.KindTransient, "", fmt.Errorf("malformed response: %w", err))
}

func (p *pageDecoder) run() error {
	// toUTF8 has transcoded the body, whatever its declaration says.
	p.d = xmlscan.New(p.body)
	var root xml.StartElement
	for {
		p.rootStart = p.d.InputOffset()
		tok, err := p.d.Token()
		if err == io.EOF {
			return harvester.E(harvester.KindTransient, "", errors.New("empty response"))
		}
		if err != nil {
			if looksLikeHTML(p.body) {
				return harvester.E(harvester.KindPermanent, "", fmt.Errorf("%w: an HTML page", ErrNotOAI))
			}
			return syntaxErr(err)
		}
		if se, ok := tok.(xml.StartElement); ok {
			root = se
			break
		}
	}
	if root.Name.Local != "OAI-PMH" {
		return harvester.E(harvester.KindPermanent, "", fmt.Errorf("%w: root element <%s>", ErrNotOAI, root.Name.Local))
	}
	err := p.children(func(se xml.StartElement) error {
		switch se.Name.Local {
		case "responseDate":
			s, err := p.text()
			p.resp.ResponseDate = strings.TrimSpace(s)
			return err
		case "error":
			s, err := p.text()
			p.resp.Errors = append(p.resp.Errors, &ProtocolError{Code: attr(se, "code"), Message: strings.TrimSpace(s)})
			return err
		case "Identify":
			p.resp.Verb = se.Name.Local
			return p.identify()
		case "ListMetadataFormats", "ListSets", "ListIdentifiers", "ListRecords", "GetRecord":
			p.resp.Verb = se.Name.Local
			p.envelope = p.body[p.rootStart:p.offset()]
			return p.list(se)
		}
		return p.d.Skip()
	})
	if err != nil && harvester.KindOf(err) == harvester.KindOther {
		err = syntaxErr(err)
	}
	return err
}

func looksLikeHTML(b []byte) bool {
	head := bytes.ToLower(b[:min(len(b), 512)])
	return bytes.Contains(head, []byte("<html")) || bytes.Contains(head, []byte("<!doctype html"))
}

// children calls f for each child element of the element just opened, through its end. f
// must consume the child through its end element.
func (p *pageDecoder) children(f func(xml.StartElement) error) error {
	for {
		tok, err := p.d.Token()
		if err != nil {
			return syntaxErr(err)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			if err := f(t); err != nil {
				return err
			}
		case xml.EndElement:
			return nil
		}
	}
}

// text reads the character data of the element just opened, through its end.
func (p *pageDecoder) text() (string, error) {
	var sb strings.Builder
	depth := 0
	for {
		tok, err := p.d.Token()
		if err != nil {
			return "", syntaxErr(err)
		}
		switch t := tok.(type) {
		case xml.CharData:
			sb.Write(t)
		case xml.StartElement:
			depth++
		case xml.EndElement:
			if depth == 0 {
				return sb.String(), nil
			}
			depth--
		}
	}
}

func attr(se xml.StartElement, local string) string {
	for _, a := range se.Attr {
		if a.Name.Local == local {
			return a.Value
		}
	}
	return ""
}

func (p *pageDecoder) identify() error {
	id := &Identify{}
	p.resp.Identify = id
	return p.children(func(se xml.StartElement) error {
		var dst *string
		switch se.Name.Local {
		case "repositoryName":
			dst = &id.RepositoryName
		case "baseURL":
			dst = &id.BaseURL
		case "protocolVersion":
			dst = &id.ProtocolVersion
		case "earliestDatestamp":
			dst = &id.EarliestDatestamp
		case "deletedRecord":
			dst = &id.DeletedRecord
		case "granularity":
			dst = &id.Granularity
		case "adminEmail", "compression":
			s, err := p.text()
			if se.Name.Local == "adminEmail" {
				id.AdminEmails = append(id.AdminEmails, strings.TrimSpace(s))
			} else {
				id.Compression = append(id.Compression, strings.TrimSpace(s))
			}
			return err
		default:
			return p.d.Skip() // description blocks
		}
		s, err := p.text()
		*dst = strings.TrimSpace(s)
		return err
	})
}

// list reads the body of a list verb (or GetRecord). It is where broken records are
// quarantined: after a record fails, decoding restarts at the next record.
func (p *pageDecoder) list(verb xml.StartElement) error {
	for {
		start := p.offset()
		tok, err := p.d.Token()
		if err != nil {
			return syntaxErr(err)
		}
		var se xml.StartElement
		switch t := tok.(type) {
		case xml.EndElement:
			return nil
		case xml.StartElement:
			se = t
		default:
			continue
		}
		switch se.Name.Local {
		case "record":
			id, err := p.record()
			if err != nil {
				if err := p.resync(start, verb, id, err); err != nil {
					return err
				}
			}
		case "header":
			h, err := p.header(se)
			if err != nil {
				return err
			}
			p.resp.Headers = append(p.resp.Headers, h)
		case "set":
			err = p.set()
		case "metadataFormat":
			err = p.metadataFormat()
		case "resumptionToken":
			err = p.token(se)
		default:
			err = p.d.Skip()
		}
		if err != nil {
			return err
		}
	}
}

// resync quarantines the record that began at start and failed with cause, then points a new
// decoder at the next record (or the resumption token) after it.
func (p *pageDecoder) resync(start int64, verb xml.StartElement, id string, cause error) error {
	p.resp.Quarantined = append(p.resp.Quarantined, harvester.Quarantine{OriginID: id, Reason: cause.Error()})
	// The record's tag as written gives the prefix the envelope uses.
	open := p.body[start:]
	open = open[bytes.IndexByte(open, '<'):]
	tag := open[:bytes.IndexAny(open, " \t\r\n>/")]
	pfx := string(tag[1 : len(tag)-len("record")])
	from := max(p.offset(), start+1)
	next := nextElement(p.body, from, pfx, "record", pfx+"header")
	if tok := nextElement(p.body, from, pfx, "resumptionToken", ""); tok >= 0 && (next < 0 || tok < next) {
		next = tok
	}
	if next < 0 {
		if bytes.Contains(p.body[from:], []byte("</"+pfx+verb.Name.Local+">")) {
			return nil // the broken record was the last; the list closes normally
		}
		return syntaxErr(errTruncated)
	}
	p.base, p.envLen = next, int64(len(p.envelope))
	p.d = xmlscan.New(p.envelope)
	// Replay the envelope: root, responseDate, request… up to the verb's start tag.
	for p.d.InputOffset() < p.envLen {
		if _, err := p.d.Token(); err != nil {
			return syntaxErr(err)
		}
	}
	p.d.Continue(p.body[next:])
	return nil
}

// nextElement finds, at or after from, a start tag "<pfx+local" whose first child (when child
// is not empty) is a start tag "<child", and returns the offset of its '<', or -1.
func nextElement(b []byte, from int64, pfx, local, child string) int64 {
	want := []byte("<" + pfx + local)
	for i := from; i < int64(len(b)); {
		j := bytes.Index(b[i:], want)
		if j < 0 {
			return -1
		}
		at := i + int64(j)
		i = at + 1
		rest := b[at+int64(len(want)):]
		if len(rest) == 0 || !strings.ContainsRune(" \t\r\n>/", rune(rest[0])) {
			continue
		}
		if child == "" {
			return at
		}
		gt := bytes.IndexByte(rest, '>')
		if gt >= 0 && bytes.HasPrefix(bytes.TrimLeft(rest[gt+1:], " \t\r\n"), []byte("<"+child)) {
			return at
		}
	}
	return -1
}

// record reads one <record> and returns its identifier (empty if not reached) with any error.
func (p *pageDecoder) record() (string, error) {
	var rec harvester.Record
	var seenHeader, seenMetadata bool
	err := p.children(func(se xml.StartElement) error {
		switch se.Name.Local {
		case "header":
			h, err := p.header(se)
			if err != nil {
				return err
			}
			seenHeader = true
			rec = harvester.Record{OriginID: h.Identifier, Datestamp: h.Datestamp, Deleted: h.Deleted, Sets: h.Sets, Format: p.prefix}
			return nil
		case "metadata":
			seenMetadata = true
			if rec.Deleted {
				return p.d.Skip()
			}
			return p.children(func(md xml.StartElement) error {
				if err := formats.Map(p.d, md, &rec); err != nil {
					return fmt.Errorf("metadata: %w", err)
				}
				return nil
			})
		}
		return p.d.Skip()
	})
	switch {
	case err != nil:
	case !seenHeader || rec.OriginID == "":
		err = errors.New("record without identifier")
	case !seenMetadata && !rec.Deleted:
		err = errors.New("record without metadata")
	}
	if err != nil {
		return rec.OriginID, err
	}
	rec.Format = p.prefix
	p.resp.Records = append(p.resp.Records, rec)
	return rec.OriginID, nil
}

func (p *pageDecoder) header(se xml.StartElement) (Header, error) {
	h := Header{Deleted: attr(se, "status") == "deleted"}
	err := p.children(func(c xml.StartElement) error {
		s, err := p.text()
		switch c.Name.Local {
		case "identifier":
			h.Identifier = strings.TrimSpace(s)
		case "datestamp":
			h.Datestamp = strings.TrimSpace(s)
		case "setSpec":
			h.Sets = append(h.Sets, strings.TrimSpace(s))
		}
		return err
	})
	return h, err
}

func (p *pageDecoder) set() error {
	var s Set
	err := p.children(func(c xml.StartElement) error {
		switch c.Name.Local {
		case "setSpec":
			v, err := p.text()
			s.Spec = strings.TrimSpace(v)
			return err
		case "setName":
			v, err := p.text()
			s.Name = strings.TrimSpace(v)
			return err
		}
		return p.d.Skip()
	})
	p.resp.Sets = append(p.resp.Sets, s)
	return err
}

func (p *pageDecoder) metadataFormat() error {
	var f MetadataFormat
	err := p.children(func(c xml.StartElement) error {
		v, err := p.text()
		switch c.Name.Local {
		case "metadataPrefix":
			f.Prefix = strings.TrimSpace(v)
		case "schema":
			f.Schema = strings.TrimSpace(v)
		case "metadataNamespace":
			f.Namespace = strings.TrimSpace(v)
		}
		return err
	})
	p.resp.Formats = append(p.resp.Formats, f)
	return err
}

func (p *pageDecoder) token(se xml.StartElement) error {
	v, err := p.text()
	t := &Token{Value: strings.TrimSpace(v), CompleteListSize: -1, Cursor: -1}
	if n, err := strconv.Atoi(strings.TrimSpace(attr(se, "completeListSize"))); err == nil {
		t.CompleteListSize = n
	}
	if n, err := strconv.Atoi(strings.TrimSpace(attr(se, "cursor"))); err == nil {
		t.Cursor = n
	}
	if e := strings.TrimSpace(attr(se, "expirationDate")); e != "" {
		t.Expires, _ = parseDatestamp(e)
	}
	p.resp.Token = t
	return err
}

// errNoDatestamp is parseDatestamp's answer for an empty string, which open window bounds and
// the zero record key are: common enough that it must not cost an allocation.
var errNoDatestamp = errors.New("no datestamp")

// datestampLayouts are the forms parseDatestamp reads, the two the protocol allows first.
var datestampLayouts = []string{time.RFC3339Nano, "2006-01-02", "2006-01-02T15:04:05", "2006-01-02T15:04Z", "2006-01-02 15:04:05", "20060102"}

// parseDatestamp reads an OAI-PMH datestamp in day or seconds granularity, and the forms
// repositories write in spite of the spec (fractions, offsets, no zone).
func parseDatestamp(s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}, errNoDatestamp
	}
	if len(s) == len("2006-01-02") { // day granularity: skip a failed seconds parse
		if t, err := time.Parse("2006-01-02", s); err == nil {
			return t, nil
		}
	}
	for _, layout := range datestampLayouts {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC(), nil
		}
	}
	return time.Time{}, fmt.Errorf("unreadable datestamp %q", s)
}
