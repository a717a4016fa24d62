package web

import (
	"bufio"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/orchard-oer/orchard/amb"
	"github.com/orchard-oer/orchard/catalog"
)

// site is this Orchard as JSON-LD and sitemaps name it.
func (s *Server) site(r *http.Request) amb.Site {
	if s.cfg.BaseURL != "" {
		return amb.Site{BaseURL: strings.TrimRight(s.cfg.BaseURL, "/")}
	}
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return amb.Site{BaseURL: scheme + "://" + r.Host}
}

// errPageFull ends a walk over the catalog once a sitemap is full.
var errPageFull = errors.New("sitemap full")

const sitemapNS = "http://www.sitemaps.org/schemas/sitemap/0.9"

// sitemap lists the record pages learners may see, for aggregators that crawl by sitemap and
// read each page's JSON-LD. Above SitemapSize records it is an index of numbered sitemaps.
func (s *Server) sitemap(w http.ResponseWriter, r *http.Request) {
	res, err := s.index.Search(r.Context(), catalog.SearchRequest{PerPage: 1})
	if err != nil {
		s.fail(w, r, http.StatusServiceUnavailable, err)
		return
	}
	if res.Total <= s.cfg.SitemapSize {
		s.writeSitemap(w, r, 0)
		return
	}
	base := s.site(r).BaseURL
	w.Header().Set("Content-Type", "application/xml; charset=utf-8")
	bw := bufio.NewWriter(w)
	fmt.Fprintf(bw, `<?xml version="1.0" encoding="UTF-8"?>`+"\n"+`<sitemapindex xmlns="%s">`+"\n", sitemapNS)
	for n := 1; (n-1)*s.cfg.SitemapSize < res.Total; n++ {
		fmt.Fprintf(bw, "<sitemap><loc>%s/sitemaps/%d.xml</loc></sitemap>\n", base, n)
	}
	bw.WriteString("</sitemapindex>\n")
	_ = bw.Flush()
}

// sitemapPart is the n-th sitemap of the index: /sitemaps/<n>.xml.
func (s *Server) sitemapPart(w http.ResponseWriter, r *http.Request) {
	n, err := strconv.Atoi(strings.TrimSuffix(r.PathValue("file"), ".xml"))
	if err != nil || n < 1 || !strings.HasSuffix(r.PathValue("file"), ".xml") {
		s.fail(w, r, http.StatusNotFound, errors.New("no such sitemap"))
		return
	}
	s.writeSitemap(w, r, n)
}

// writeSitemap writes the n-th part of the record pages in id order (0: all of them), each
// with its last change as lastmod. Ids are URL-safe ([A-Za-z0-9_-]), so need no escaping.
func (s *Server) writeSitemap(w http.ResponseWriter, r *http.Request, n int) {
	site := s.site(r)
	skip, limit := 0, -1
	if n > 0 {
		skip, limit = (n-1)*s.cfg.SitemapSize, s.cfg.SitemapSize
	}
	var (
		bw      *bufio.Writer
		written int
	)
	start := func() {
		w.Header().Set("Content-Type", "application/xml; charset=utf-8")
		bw = bufio.NewWriterSize(w, 64<<10)
		fmt.Fprintf(bw, `<?xml version="1.0" encoding="UTF-8"?>`+"\n"+`<urlset xmlns="%s">`+"\n", sitemapNS)
	}
	seen := 0
	err := s.index.Each(r.Context(), catalog.Filter{}, func(rec catalog.Record) error {
		if seen++; seen <= skip {
			return nil
		}
		if bw == nil {
			start()
		}
		bw.WriteString("<url><loc>" + site.PageURL(rec.ID) + "</loc>")
		if d := rec.ListDate(); d != "" {
			bw.WriteString("<lastmod>" + d + "</lastmod>")
		}
		bw.WriteString("</url>\n")
		if written++; written == limit {
			return errPageFull
		}
		return nil
	})
	switch {
	case err != nil && !errors.Is(err, errPageFull) && bw == nil:
		s.fail(w, r, http.StatusServiceUnavailable, err)
		return
	case err != nil && !errors.Is(err, errPageFull):
		// Too late for a status: a truncated sitemap fails to parse, which crawlers retry.
		s.log.Warn("sitemap cut short", "err", err)
		_ = bw.Flush()
		return
	case bw == nil && n > 0:
		s.fail(w, r, http.StatusNotFound, errors.New("no such sitemap"))
		return
	case bw == nil:
		start()
	}
	bw.WriteString("</urlset>\n")
	_ = bw.Flush()
}
