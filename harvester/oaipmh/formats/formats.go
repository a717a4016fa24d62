// Package formats maps the metadata formats OAI-PMH repositories serve onto harvester.Record.
//
// Map chooses a mapping by the namespace of the element under <metadata>, never by the
// metadataPrefix, because repositories name their prefixes freely (oai_lom, lom, obaa, qdc,
// oai_qdc…) while the namespace says what the XML is. Mappings exist for oai_dc, qualified
// Dublin Core and dcterms, IEEE LOM and its national profiles (OBAA, LOM-FR, LOM-ES), DataCite
// kernels 2 to 4, MODS, MARC21 slim, arXiv and UNTL. Anything else goes to a generic mapping that
// collects Dublin-Core-like local names (title, creator, rights, license…) and hands any known
// format it finds nested inside (a DataCite resource in an oai_datacite wrapper) to that format's
// mapping.
//
// Every mapping reads the token stream of the caller's decoder and keeps every rights
// statement it meets, text and URI attributes as separate harvester.Rights, so the license
// normalizer sees all the evidence. Values are kept as written; only identifiers and URLs are
// trimmed.
package formats

import (
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/orchard-oer/orchard/harvester"
	"github.com/orchard-oer/orchard/normalizer/license"
)

// Namespaces of the formats Map knows. Lookups are case-insensitive because repositories
// write the LOM namespace both as .../xsd/LOM and .../xsd/lom.
const (
	NSOAIDC         = "http://www.openarchives.org/OAI/2.0/oai_dc/"
	NSDC            = "http://purl.org/dc/elements/1.1/"
	NSDCTerms       = "http://purl.org/dc/terms/"
	NSLOM           = "http://ltsc.ieee.org/xsd/LOM"
	NSDataCite3     = "http://datacite.org/schema/kernel-3"
	NSDataCite4     = "http://datacite.org/schema/kernel-4"
	NSOAIDataCite   = "http://schema.datacite.org/oai/oai-1.0/"
	NSOAIDataCite11 = "http://schema.datacite.org/oai/oai-1.1/"
	NSMODS          = "http://www.loc.gov/mods/v3"
	NSMARC          = "http://www.loc.gov/MARC21/slim"
	NSArXiv         = "http://arxiv.org/OAI/arXiv/"
	NSArXivRaw      = "http://arxiv.org/OAI/arXivRaw/"
	NSUNTL          = "http://digital2.library.unt.edu/untl/"
	nsXLink         = "http://www.w3.org/1999/xlink"
	nsRDF           = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
)

// Format names written to Record.Format when the caller left it empty.
const (
	FormatDC       = "oai_dc"
	FormatQDC      = "qdc"
	FormatLOM      = "lom"
	FormatDataCite = "datacite"
	FormatMODS     = "mods"
	FormatMARC     = "marc21"
	FormatArXiv    = "arxiv"
	FormatUNTL     = "untl"
	FormatGeneric  = "generic"
)

type format struct {
	name   string
	prefix string // written in Rights.From, whatever prefix the document used
}

var (
	dcFormat       = &format{FormatDC, "dc"}
	dctermsFormat  = &format{FormatQDC, "dcterms"}
	dcWrapper      = &format{FormatDC, ""}
	qdcWrapper     = &format{FormatQDC, ""}
	genericFormat  = &format{FormatGeneric, ""}
	lomFormat      = &format{FormatLOM, "lom"}
	dataciteFormat = &format{FormatDataCite, "datacite"}
	dataciteWrap   = &format{FormatDataCite, "oai_datacite"}
	modsFormat     = &format{FormatMODS, "mods"}
	marcFormat     = &format{FormatMARC, "marc"}
	arxivFormat    = &format{FormatArXiv, "arxiv"}
	untlFormat     = &format{FormatUNTL, "untl"}
)

// formats is keyed by lower-cased namespace.
var formats = map[string]*format{
	strings.ToLower(NSOAIDC):                        dcWrapper,
	strings.ToLower(NSDC):                           dcFormat,
	strings.ToLower(NSDCTerms):                      dctermsFormat,
	"http://worldcat.org/xmlschemas/qdc-1.0/":       qdcWrapper,
	"http://epubs.cclrc.ac.uk/xmlns/qdc/":           qdcWrapper,
	"http://www.bl.uk/schemas/qualifieddc/":         qdcWrapper,
	"http://ns.nsdl.org/nsdl_dc_v1.02/":             dcWrapper,
	strings.ToLower(NSLOM):                          lomFormat,
	"http://ltsc.ieee.org/xsd/lomv1.0":              lomFormat,
	"http://ltsc.ieee.org/xsd/lomv1.0/":             lomFormat,
	"http://ltsc.ieee.org/xsd/lom/lomes":            lomFormat,
	"http://www.imsglobal.org/xsd/imsmd_v1p2":       lomFormat,
	"http://www.imsglobal.org/xsd/imsmd_rootv1p2p1": lomFormat,
	"http://www.lom-fr.fr/xsd/lomfr":                lomFormat,
	"http://www.lom-fr.fr/xsd/scolomfr":             lomFormat,
	"http://datacite.org/schema/kernel-2.1":         dataciteFormat,
	"http://datacite.org/schema/kernel-2.2":         dataciteFormat,
	NSDataCite3:                                     dataciteFormat,
	NSDataCite4:                                     dataciteFormat,
	NSOAIDataCite:                                   dataciteWrap,
	NSOAIDataCite11:                                 dataciteWrap,
	NSMODS:                                          modsFormat,
	strings.ToLower(NSMARC):                         marcFormat,
	strings.ToLower(NSArXiv):                        arxivFormat,
	strings.ToLower(NSArXivRaw):                     arxivFormat,
	NSUNTL:                                          untlFormat,
}

// prefixes names the namespaces of attributes that appear in Rights.From.
var prefixes = map[string]string{nsXLink: "xlink", nsRDF: "rdf"}

// maxNesting bounds how deep one format may be nested inside another, so hostile input cannot
// grow the stack without limit.
const maxNesting = 16

// Map decodes the element under <metadata> (start is its start element; d is positioned just
// after it) into rec, choosing the mapping by start.Name.Space. It consumes through the
// matching end element. An element with an unbound namespace prefix is an error, as it is
// for any namespace-aware XML parser.
func Map(d xml.TokenReader, start xml.StartElement, rec *harvester.Record) error {
	r := &reader{d: d}
	return r.dispatch(start, rec)
}

func lookup(space string) *format {
	if f, ok := formats[space]; ok {
		return f
	}
	if f, ok := formats[strings.ToLower(space)]; ok {
		return f
	}
	return nil
}

func (r *reader) dispatch(start xml.StartElement, rec *harvester.Record) error {
	if err := checkNames(start); err != nil {
		return err
	}
	f := lookup(start.Name.Space)
	if f == nil {
		f = genericFormat
	}
	if rec.Format == "" || (rec.Format == FormatGeneric && f != genericFormat) {
		rec.Format = f.name
	}
	if r.nesting >= maxNesting {
		return fmt.Errorf("map <%s>: formats nested more than %d deep", start.Name.Local, maxNesting)
	}
	r.nesting++
	defer func() { r.nesting-- }()
	if err := r.run(f, start, rec); err != nil {
		return fmt.Errorf("map %s <%s>: %w", f.name, start.Name.Local, err)
	}
	return nil
}

// run calls the mapping of f. It is a switch rather than a field of format because the
// mappings dispatch nested formats through the same table.
func (r *reader) run(f *format, start xml.StartElement, rec *harvester.Record) error {
	switch f {
	case dcFormat, dctermsFormat, dcWrapper, qdcWrapper:
		return mapDC(r, start, rec)
	case lomFormat:
		return mapLOM(r, start, rec)
	case dataciteFormat:
		return mapDataCite(r, start, rec)
	case modsFormat:
		return mapMODS(r, start, rec)
	case marcFormat:
		return mapMARC(r, start, rec)
	case arxivFormat:
		return mapArXiv(r, start, rec)
	case untlFormat:
		return mapUNTL(r, start, rec)
	}
	return mapGeneric(r, start, rec)
}

// reader reads the caller's token stream with the checks every mapping needs.
type reader struct {
	d       xml.TokenReader
	nesting int
}

// errUnboundPrefix marks an element or attribute whose prefix no xmlns declaration binds.
var errUnboundPrefix = errors.New("unbound namespace prefix")

// checkNames rejects unbound prefixes. encoding/xml leaves such a prefix in Name.Space; a bound
// namespace is a URI and so holds a colon, a bare prefix cannot.
func checkNames(t xml.StartElement) error {
	if s := t.Name.Space; s != "" && !strings.Contains(s, ":") {
		return fmt.Errorf("%w %q on <%s:%s>", errUnboundPrefix, s, s, t.Name.Local)
	}
	for _, a := range t.Attr {
		if s := a.Name.Space; s != "" && s != "xmlns" && !strings.Contains(s, ":") {
			return fmt.Errorf("%w %q on attribute %s:%s of <%s>", errUnboundPrefix, s, s, a.Name.Local, t.Name.Local)
		}
	}
	return nil
}

func (r *reader) next() (xml.Token, error) {
	tok, err := r.d.Token()
	if err != nil {
		if err == io.EOF {
			err = io.ErrUnexpectedEOF
		}
		return nil, err
	}
	if t, ok := tok.(xml.StartElement); ok {
		if err := checkNames(t); err != nil {
			return nil, err
		}
	}
	return tok, nil
}

// text returns all character data up to the end of the element just started, nested
// elements' text included.
func (r *reader) text() (string, error) {
	var b strings.Builder
	depth := 1
	for {
		tok, err := r.next()
		if err != nil {
			return "", err
		}
		switch t := tok.(type) {
		case xml.CharData:
			b.Write(t)
		case xml.StartElement:
			depth++
		case xml.EndElement:
			if depth--; depth == 0 {
				return b.String(), nil
			}
		}
	}
}

// skip consumes the element just started, checking its names on the way.
func (r *reader) skip() error {
	depth := 1
	for {
		tok, err := r.next()
		if err != nil {
			return err
		}
		switch tok.(type) {
		case xml.StartElement:
			depth++
		case xml.EndElement:
			if depth--; depth == 0 {
				return nil
			}
		}
	}
}

// walk reads the children of the element just started. visit sees each descendant start
// element with the lower-cased local names of its ancestors below the walked element; it
// returns true when it consumed the element through its end, false to descend into it.
func (r *reader) walk(visit func(path []string, t xml.StartElement) (bool, error)) error {
	return r.walkText(nil, visit)
}

// walkText is walk that also collects into text the character data visit did not consume.
func (r *reader) walkText(text *strings.Builder, visit func(path []string, t xml.StartElement) (bool, error)) error {
	var path []string
	for {
		tok, err := r.next()
		if err != nil {
			return err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			done, err := visit(path, t)
			if err != nil {
				return err
			}
			if !done {
				path = append(path, lower(t.Name.Local))
			}
		case xml.EndElement:
			if len(path) == 0 {
				return nil
			}
			path = path[:len(path)-1]
		case xml.CharData:
			if text != nil {
				text.Write(t)
			}
		}
	}
}

// children reads the direct children of the element just started; visit must consume each.
func (r *reader) children(visit func(t xml.StartElement) error) error {
	return r.walk(func(_ []string, t xml.StartElement) (bool, error) {
		return true, visit(t)
	})
}

// lower lower-cases ASCII names without allocating when they already are.
func lower(s string) string {
	for i := 0; i < len(s); i++ {
		if c := s[i]; 'A' <= c && c <= 'Z' {
			return strings.ToLower(s)
		}
	}
	return s
}

func attr(t xml.StartElement, local string) string {
	for _, a := range t.Attr {
		if strings.EqualFold(a.Name.Local, local) {
			return a.Value
		}
	}
	return ""
}

func blank(s string) bool { return strings.TrimSpace(s) == "" }

// add appends v to list unless it is blank.
func add(list *[]string, v string) {
	if !blank(v) {
		*list = append(*list, v)
	}
}

// addID appends a trimmed identifier or URL unless it is blank or there already.
func addID(list *[]string, v string) {
	if v = strings.TrimSpace(v); v != "" && !contains(*list, v) {
		*list = append(*list, v)
	}
}

// setURL makes v the landing URL unless one is set already; it is kept as an identifier too.
func setURL(rec *harvester.Record, v string) {
	v = strings.TrimSpace(v)
	if v == "" {
		return
	}
	if rec.URL == "" {
		rec.URL = v
	}
	addID(&rec.Identifiers, v)
}

func contains(list []string, v string) bool {
	for _, s := range list {
		if s == v {
			return true
		}
	}
	return false
}

// name renders an element or attribute name for Rights.From with a fixed prefix per known
// namespace, so From does not depend on the prefixes a repository chose.
func name(n xml.Name) string {
	p := ""
	if f := lookup(n.Space); f != nil {
		p = f.prefix
	} else {
		p = prefixes[n.Space]
	}
	if p == "" {
		return n.Local
	}
	return p + ":" + n.Local
}

func scopeOf(v string, def harvester.Scope) harvester.Scope {
	if license.IsAccessTerm(v) {
		return harvester.ScopeAccess
	}
	return def
}

// addRights appends one statement unless it is blank; a value that is an access term gets
// access scope whatever the element.
func addRights(rec *harvester.Record, from, value, text string, scope harvester.Scope) {
	if blank(value) {
		return
	}
	rec.Rights = append(rec.Rights, harvester.Rights{From: from, Value: value, Scope: scopeOf(value, scope), Text: text})
}

// uriAttrs are the attributes whose value is a URI worth keeping as its own statement.
var uriAttrs = map[string]bool{"resource": true, "href": true, "rightsuri": true, "valueuri": true, "uri": true}

// rightsAttrs adds a statement per URI attribute of t, with the element's text beside it.
func rightsAttrs(rec *harvester.Record, from string, t xml.StartElement, text string, scope harvester.Scope) {
	for _, a := range t.Attr {
		if a.Name.Space == "xmlns" || !uriAttrs[lower(a.Name.Local)] {
			continue
		}
		addRights(rec, from+"@"+name(a.Name), strings.TrimSpace(a.Value), strings.TrimSpace(text), scope)
	}
}

// rightsElement reads the element just started as one rights statement: its text, and its URI
// attributes as statements of their own.
func (r *reader) rightsElement(rec *harvester.Record, from string, t xml.StartElement, scope harvester.Scope) error {
	v, err := r.text()
	if err != nil {
		return err
	}
	addRights(rec, from, v, "", scope)
	rightsAttrs(rec, from, t, v, scope)
	return nil
}
