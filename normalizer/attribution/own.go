package attribution

import (
	"regexp"
	"strings"
)

// An attribution of an adaptation often ends with the learner's own notice ("My worksheet is
// licensed under CC BY-SA 4.0"), whose license may rightly differ from the work's. Sentences in
// the first person that name neither the work's title nor its authors are the learner's own, and
// their licenses are not read as claims about the work.

var (
	sentenceSplitRe = regexp.MustCompile(`[.!?;](?:\s+|$)|\n+`)
	firstPersonRe   = regexp.MustCompile(`(?i)(?:^|[^\p{L}])(?:my|mine|me|our|mein|meine|meinem|meinen|meiner|mir|ich|unser|unsere|mon|ma|moi|je|notre|nos|mi|mis|yo|nuestro|nuestra)(?:[^\p{L}]|$)`)
)

// ownSentences lists the sentences of text that speak of the learner's own work.
func ownSentences(text string, want Expected) []string {
	var own []string
	title := fold(want.Title)
	for _, s := range sentenceSplitRe.Split(text, -1) {
		if !firstPersonRe.MatchString(s) {
			continue
		}
		f := fold(s)
		if title != "" && containsWords(f, title) || namesAnAuthor(f, want.Authors) {
			continue
		}
		own = append(own, s)
	}
	return own
}

func namesAnAuthor(text string, authors []string) bool {
	for _, a := range authors {
		if strings.TrimSpace(a) != "" && authorNamed(text, a) {
			return true
		}
	}
	return false
}

// withoutOwn is the document without the learner's own sentences: their text, and the links
// that appear only in them.
func (d document) withoutOwn(own []string) document {
	if len(own) == 0 {
		return d
	}
	out := d
	for _, s := range own {
		out.text = strings.Replace(out.text, s, " ", 1)
	}
	out.links = nil
	for _, l := range d.links {
		key := l.text
		if key == "" {
			key = l.href
		}
		if strings.Contains(out.text, key) || !inAny(own, key) {
			out.links = append(out.links, l)
		}
	}
	return out
}

func inAny(texts []string, s string) bool {
	for _, t := range texts {
		if strings.Contains(t, s) {
			return true
		}
	}
	return false
}
