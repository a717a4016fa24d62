package testenv

import (
	"bufio"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// Row is one row of the corpus's EXPECTED.tsv, with its escapes (\t, \n, \\) undone.
type Row struct {
	Path, Item, Field, Value, Notes string
}

// Expected reads the rows of EXPECTED.tsv in the corpus whose path starts with prefix.
func Expected(t testing.TB, prefix string) []Row {
	t.Helper()
	f, err := os.Open(filepath.Join(Corpus(t), "EXPECTED.tsv"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	unescape := strings.NewReplacer(`\\`, `\`, `\t`, "\t", `\n`, "\n")
	var rows []Row
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for first := true; sc.Scan(); first = false {
		c := strings.Split(sc.Text(), "\t")
		if first || len(c) < 4 || !strings.HasPrefix(c[0], prefix) {
			continue
		}
		for len(c) < 5 {
			c = append(c, "")
		}
		rows = append(rows, Row{c[0], c[1], c[2], unescape.Replace(c[3]), unescape.Replace(c[4])})
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return rows
}

// ExpectedByPath groups the rows of Expected by file.
func ExpectedByPath(t testing.TB, prefix string) map[string][]Row {
	t.Helper()
	by := map[string][]Row{}
	for _, r := range Expected(t, prefix) {
		by[r.Path] = append(by[r.Path], r)
	}
	return by
}

// CorpusValues counts the values that element matches (its first group, trimmed) across every
// OAI-PMH response in the corpus.
func CorpusValues(t testing.TB, element *regexp.Regexp) map[string]int {
	t.Helper()
	counts := map[string]int{}
	err := filepath.WalkDir(filepath.Join(Corpus(t), "oai"), func(p string, e os.DirEntry, err error) error {
		if err != nil || e.IsDir() {
			return err
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		for _, m := range element.FindAllStringSubmatch(string(b), -1) {
			counts[strings.TrimSpace(m[1])]++
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return counts
}
