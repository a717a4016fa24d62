// Command oaigen serves a generated OAI-PMH repository on loopback for measuring harvests
// from outside the process, such as the peak memory of `orchard harvest once`:
//
//	go run ./bench/oaigen -n 500000 -addr 127.0.0.1:8099 &
//	/usr/bin/time -v orchard harvest once --url http://127.0.0.1:8099/oai --pace 0s >/dev/null
//
// Records are oai_dc of about 1 KB, one every -step from 2020-01-01 (a second: a month holds
// 2.6 million), listed in pages of -page with tokens holding the offset; from and until are
// honoured.
package main

import (
	"flag"
	"fmt"
	"log"
	"net/http"
	"strconv"
	"strings"
	"time"
)

var epoch = time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)

type repo struct {
	n, page int
	step    time.Duration
}

func main() {
	n := flag.Int("n", 50_000, "records")
	page := flag.Int("page", 500, "records a page")
	step := flag.Duration("step", time.Second, "time between two records' datestamps")
	addr := flag.String("addr", "127.0.0.1:8099", "address to listen on")
	flag.Parse()
	log.Fatal(http.ListenAndServe(*addr, repo{n: *n, page: *page, step: max(*step, time.Second)}))
}

func (g repo) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	var b strings.Builder
	switch q.Get("verb") {
	case "Identify":
		b.WriteString(`<Identify><repositoryName>Generated</repositoryName><baseURL>http://127.0.0.1/oai</baseURL><protocolVersion>2.0</protocolVersion><adminEmail>a@example.org</adminEmail><earliestDatestamp>2020-01-01T00:00:00Z</earliestDatestamp><deletedRecord>no</deletedRecord><granularity>YYYY-MM-DDThh:mm:ssZ</granularity></Identify>`)
	case "ListRecords":
		g.list(&b, q.Get("resumptionToken"), q.Get("from"), q.Get("until"))
	default:
		b.WriteString(`<error code="badVerb">only Identify and ListRecords</error>`)
	}
	w.Header().Set("Content-Type", "text/xml; charset=utf-8")
	fmt.Fprintf(w, `<?xml version="1.0" encoding="UTF-8"?>
<OAI-PMH xmlns="http://www.openarchives.org/OAI/2.0/"><responseDate>%s</responseDate><request>http://127.0.0.1/oai</request>%s</OAI-PMH>`,
		time.Now().UTC().Format(time.RFC3339), b.String())
}

// list writes the page of records lo… of the list start..hi, which a token carries as
// "start-lo-hi".
func (g repo) list(b *strings.Builder, token, from, until string) {
	lo, hi := 0, g.n-1
	if parts := strings.Split(token, "-"); len(parts) == 3 {
		lo, _ = strconv.Atoi(parts[1])
		hi, _ = strconv.Atoi(parts[2])
	} else {
		if t, err := time.Parse(time.RFC3339, stamp(from)); err == nil {
			lo = max(lo, int((t.Sub(epoch)+g.step-1)/g.step))
		}
		if t, err := time.Parse(time.RFC3339, stamp(until)); err == nil {
			hi = min(hi, int(t.Sub(epoch)/g.step))
		}
	}
	if lo > hi {
		b.WriteString(`<error code="noRecordsMatch"/>`)
		return
	}
	start := lo
	if parts := strings.Split(token, "-"); len(parts) == 3 {
		start, _ = strconv.Atoi(parts[0])
	}
	end := min(lo+g.page, hi+1)
	b.Grow((end - lo) * 1200)
	b.WriteString("<ListRecords>")
	for i := lo; i < end; i++ {
		fmt.Fprintf(b, `<record><header><identifier>oai:gen.example.org:%d</identifier><datestamp>%s</datestamp></header><metadata><oai_dc:dc xmlns:oai_dc="http://www.openarchives.org/OAI/2.0/oai_dc/" xmlns:dc="http://purl.org/dc/elements/1.1/">
<dc:title>Open textbook number %d: an introduction to the subject</dc:title><dc:creator>Lovelace, Ada</dc:creator><dc:subject>Mathematics</dc:subject>
<dc:description>A short description of the resource, long enough to look like the abstracts repositories serve, with a sentence or two about what learners will find in it and how it may be reused.</dc:description>
<dc:publisher>Example University Press</dc:publisher><dc:date>2021-05-04</dc:date><dc:type>Text</dc:type><dc:identifier>https://gen.example.org/record/%d</dc:identifier><dc:language>en</dc:language>
<dc:rights>https://creativecommons.org/licenses/by-sa/4.0/</dc:rights></oai_dc:dc></metadata></record>
`, i, epoch.Add(time.Duration(i)*g.step).Format(time.RFC3339), i, i)
	}
	tok := ""
	if end <= hi {
		tok = fmt.Sprintf("%d-%d-%d", start, end, hi)
	}
	fmt.Fprintf(b, `<resumptionToken completeListSize="%d" cursor="%d">%s</resumptionToken></ListRecords>`, hi-start+1, lo-start, tok)
}

// stamp widens a day datestamp to a time.
func stamp(s string) string {
	if len(s) == len("2006-01-02") {
		return s + "T00:00:00Z"
	}
	return s
}
