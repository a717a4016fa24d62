package site

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/orchard-oer/orchard/weburl"
)

// sitemapNS is the sitemap protocol's namespace; elements without a namespace are accepted too.
const sitemapNS = "http://www.sitemaps.org/schemas/sitemap/0.9"

// maxSitemapEntries bounds one sitemap file; the protocol allows 50,000 URLs per file.
const maxSitemapEntries = 100_000

// SitemapEntry is one <url> or <sitemap> of a sitemap.
type SitemapEntry struct {
	Loc     string // trimmed: real sitemaps wrap locs in white space
	Lastmod string
}

// Sitemap is one parsed sitemap file: a URL set or a sitemap index.
type Sitemap struct {
	Index    bool
	URLs     []SitemapEntry // of a URL set
	Sitemaps []SitemapEntry // of an index
	// Padded counts locs that had white space around them.
	Padded int
}

// ParseSitemap reads a sitemap: an XML URL set or sitemap index, gzipped or not, or a plain
// text list of URLs.
func ParseSitemap(b []byte) (*Sitemap, error) {
	if len(b) >= 2 && b[0] == 0x1f && b[1] == 0x8b {
		zr, err := gzip.NewReader(bytes.NewReader(b))
		if err != nil {
			return nil, fmt.Errorf("gunzip sitemap: %w", err)
		}
		if b, err = io.ReadAll(io.LimitReader(zr, 256<<20)); err != nil {
			return nil, fmt.Errorf("gunzip sitemap: %w", err)
		}
	}
	trimmed := bytes.TrimLeft(b, " \t\r\n\xef\xbb\xbf")
	if len(trimmed) == 0 {
		return nil, errors.New("empty sitemap")
	}
	if trimmed[0] != '<' {
		return parseTextSitemap(trimmed), nil
	}
	return parseXMLSitemap(trimmed)
}

func parseTextSitemap(b []byte) *Sitemap {
	sm := &Sitemap{}
	sc := bufio.NewScanner(bytes.NewReader(b))
	sc.Buffer(make([]byte, 0, 4096), 64<<10)
	for sc.Scan() && len(sm.URLs) < maxSitemapEntries {
		line := strings.TrimSpace(sc.Text())
		if _, err := weburl.Parse(line); err == nil {
			sm.URLs = append(sm.URLs, SitemapEntry{Loc: line})
		}
	}
	return sm
}

func parseXMLSitemap(b []byte) (*Sitemap, error) {
	d := xml.NewDecoder(bytes.NewReader(b))
	d.Strict = false
	d.CharsetReader = func(label string, r io.Reader) (io.Reader, error) {
		// Sitemaps must be UTF-8; a wrong label is more likely than another encoding.
		return r, nil
	}
	sm := &Sitemap{}
	var (
		path    []string // local names of open elements in the sitemap namespace
		entry   SitemapEntry
		text    strings.Builder
		rootSet bool
	)
	for {
		tok, err := d.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			if len(sm.URLs)+len(sm.Sitemaps) > 0 {
				break // keep what was read before a truncation
			}
			return nil, fmt.Errorf("parse sitemap: %w", err)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			name := t.Name.Local
			if t.Name.Space != "" && t.Name.Space != sitemapNS {
				name = "{other}"
			}
			if !rootSet {
				rootSet = true
				switch name {
				case "urlset":
				case "sitemapindex":
					sm.Index = true
				default:
					return nil, fmt.Errorf("parse sitemap: root element <%s> is not urlset or sitemapindex", t.Name.Local)
				}
			}
			path = append(path, name)
			if len(path) == 2 {
				entry = SitemapEntry{}
			}
			text.Reset()
		case xml.CharData:
			if len(path) == 3 && text.Len() < 8192 {
				text.Write(t)
			}
		case xml.EndElement:
			if len(path) == 3 && (path[1] == "url" || path[1] == "sitemap") {
				v := text.String()
				switch path[2] {
				case "loc":
					entry.Loc = strings.TrimSpace(v)
					if entry.Loc != v {
						sm.Padded++
					}
				case "lastmod":
					entry.Lastmod = strings.TrimSpace(v)
				}
			}
			if len(path) == 2 && entry.Loc != "" {
				switch {
				case path[1] == "url" && len(sm.URLs) < maxSitemapEntries:
					sm.URLs = append(sm.URLs, entry)
				case path[1] == "sitemap" && len(sm.Sitemaps) < maxSitemapEntries:
					sm.Sitemaps = append(sm.Sitemaps, entry)
				}
			}
			if len(path) > 0 {
				path = path[:len(path)-1]
			}
		}
	}
	if !rootSet {
		return nil, errors.New("parse sitemap: no root element")
	}
	return sm, nil
}
