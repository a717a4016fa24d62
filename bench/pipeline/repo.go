// Package pipeline benchmarks Orchard end to end: OAI-PMH repositories on loopback, the oaipmh
// harvester, the normalizer, the workers on embedded NATS and the catalog index, until the
// records are searchable.
package pipeline

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// repo serves OAI-PMH for several generated repositories, one per path (/<name>): each holds
// size oai_dc records, listed in pages of page records with resumption tokens holding the
// offset. It answers Identify and ListRecords, which is all a harvest asks.
type repo struct {
	size, page int
}

var epoch = time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)

// Rights statements as repositories write them: URLs, names, several at once, closed ones.
var rights = [][]string{
	{"https://creativecommons.org/licenses/by/4.0/"},
	{"http://creativecommons.org/licenses/by-sa/4.0/", "Creative Commons Attribution-ShareAlike 4.0 International"},
	{"CC BY-NC 4.0"},
	{"https://creativecommons.org/publicdomain/zero/1.0/"},
	{"info:eu-repo/semantics/openAccess", "https://creativecommons.org/licenses/by-nc-nd/3.0/de/"},
	{"© 2021 the authors. All rights reserved."},
	{"Attribution 4.0 International (CC BY 4.0)", "https://creativecommons.org/licenses/by-sa/4.0/"},
}

var (
	languages = []string{"en", "de", "fra", "es", "English"}
	types     = []string{"Text", "info:eu-repo/semantics/lecture", "Video", "Image", "Learning Object"}
	subjects  = []string{"Mathematics", "Biology", "History", "Physics", "Computer science", "Chemistry", "Music"}
)

func (g repo) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	name := strings.Trim(r.URL.Path, "/")
	q := r.URL.Query()
	var body strings.Builder
	body.Grow(g.page * 1500)
	fmt.Fprintf(&body, `<?xml version="1.0" encoding="UTF-8"?>
<OAI-PMH xmlns="http://www.openarchives.org/OAI/2.0/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:schemaLocation="http://www.openarchives.org/OAI/2.0/ http://www.openarchives.org/OAI/2.0/OAI-PMH.xsd">
<responseDate>%s</responseDate><request verb="%s">http://%s%s</request>
`, time.Now().UTC().Format(time.RFC3339), q.Get("verb"), r.Host, r.URL.Path)
	switch q.Get("verb") {
	case "Identify":
		fmt.Fprintf(&body, `<Identify><repositoryName>%s</repositoryName><baseURL>http://%s%s</baseURL><protocolVersion>2.0</protocolVersion>
<adminEmail>oer@example.org</adminEmail><earliestDatestamp>%s</earliestDatestamp><deletedRecord>persistent</deletedRecord>
<granularity>YYYY-MM-DDThh:mm:ssZ</granularity></Identify>`, name, r.Host, r.URL.Path, epoch.Format(time.RFC3339))
	case "ListRecords":
		from, _ := strconv.Atoi(q.Get("resumptionToken"))
		g.listRecords(&body, name, from)
	default:
		body.WriteString(`<error code="badVerb">only Identify and ListRecords</error>`)
	}
	body.WriteString("</OAI-PMH>\n")
	w.Header().Set("Content-Type", "text/xml; charset=utf-8")
	_, _ = w.Write([]byte(body.String()))
}

func (g repo) listRecords(b *strings.Builder, name string, from int) {
	b.WriteString("<ListRecords>\n")
	to := min(from+g.page, g.size)
	for i := from; i < to; i++ {
		writeRecord(b, name, i)
	}
	next := ""
	if to < g.size {
		next = strconv.Itoa(to)
	}
	fmt.Fprintf(b, `<resumptionToken completeListSize="%d" cursor="%d">%s</resumptionToken></ListRecords>`, g.size, from, next)
}

// originID is the OAI identifier of record i of a repository.
func originID(name string, i int) string { return fmt.Sprintf("oai:%s.example.org:item/%d", name, i) }

// writeRecord writes record i of a repository: about 1.5 KB of oai_dc.
func writeRecord(b *strings.Builder, name string, i int) {
	stamp := epoch.Add(time.Duration(i) * time.Hour).Format(time.RFC3339)
	subject := subjects[i%len(subjects)]
	fmt.Fprintf(b, `<record><header><identifier>%s</identifier><datestamp>%s</datestamp><setSpec>col_%d</setSpec></header>
<metadata><oai_dc:dc xmlns:oai_dc="http://www.openarchives.org/OAI/2.0/oai_dc/" xmlns:dc="http://purl.org/dc/elements/1.1/">
<dc:title>%s for beginners, unit %d: open course materials from %s</dc:title>
<dc:creator>Okafor, Ngozi</dc:creator><dc:creator>Lindqvist, Sven %d</dc:creator>
<dc:subject>%s</dc:subject><dc:subject>Open educational resources</dc:subject>
<dc:description>Lecture notes, worked examples and exercises on %s (unit %d), written for first-year students and teachers who want to adapt them. Each chapter ends with questions and a short reading list; the source files can be remixed under the licence given.</dc:description>
<dc:publisher>%s Open Press</dc:publisher><dc:date>%d-%02d-15</dc:date>
<dc:type>%s</dc:type><dc:format>application/pdf</dc:format><dc:language>%s</dc:language>
<dc:identifier>https://%s.example.org/items/%d</dc:identifier>
`, originID(name, i), stamp, i%12, subject, i, name, i%97, subject, subject, i, name, 2005+i%20, 1+i%12,
		types[i%len(types)], languages[i%len(languages)], name, i)
	for _, r := range rights[i%len(rights)] {
		fmt.Fprintf(b, "<dc:rights>%s</dc:rights>", r)
	}
	b.WriteString("\n</oai_dc:dc></metadata></record>\n")
}
