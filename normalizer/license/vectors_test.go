package license

import (
	"bufio"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/orchard-oer/orchard/internal/testenv"
)

// disagreements are vector rows whose reading Orchard does not share, with the reason. The
// specification (ARCHITECTURE.md: only real combinations are recognised, anything else is
// unknown with a warning, never guessed) wins over the row.
var disagreements = map[string]struct{ id, why string }{
	// /licenses/by/2.1/ has no port, and 2.1 exists only as ports (au, ca, es, jp): an invalid
	// URL, so unknown with a warning rather than the family or a guessed port.
	"https://creativecommons.org/licenses/by/2.1/": {"", "2.1 exists only as ports; invalid combination"},
	"license=by version=2.1":                       {"", "2.1 exists only as ports; invalid combination"},
}

// vectorID maps a vector's family code, version and jurisdiction onto Orchard's id.
func vectorID(code, version, jur, input string) string {
	if version == "?" {
		version = ""
	}
	if jur == "?" {
		jur = ""
	}
	switch {
	case code == "unknown" || code == "none":
		return ""
	case code == "cc0":
		return "CC0-1.0"
	case code == "pdm":
		return "CC-PDM-1.0"
	case code == "publicdomain":
		// The old creativecommons.org/licenses/publicdomain/ URL is the CC dedication (CC-PDDC);
		// every other generic claim is not a CC tool.
		if strings.Contains(input, "creativecommons.org/licenses/publicdomain") {
			return "CC-PDDC"
		}
		return "LicenseRef-Public-Domain"
	case code == "all-rights-reserved":
		return "LicenseRef-All-Rights-Reserved"
	case strings.HasPrefix(code, "rs-"):
		return "LicenseRef-RS-" + strings.TrimPrefix(code, "rs-")
	case code == "certification":
		return "CC-CERTIFICATION-" + version + "-" + strings.ToUpper(jur)
	}
	if sw, ok := map[string]string{"gpl": "GPL", "lgpl": "LGPL", "gfdl": "GFDL", "bsd": "BSD", "mit": "MIT", "apache": "Apache"}[code]; ok {
		if version == "" {
			return sw
		}
		return sw + "-" + version
	}
	id := "CC-" + strings.ToUpper(strings.ReplaceAll(code, "+", "-PLUS"))
	if version != "" {
		id += "-" + version
	}
	if jur != "" {
		id += "-" + strings.ToUpper(jur)
	}
	return id
}

func TestVectors(t *testing.T) {
	dir := testenv.Corpus(t)
	f, err := os.Open(filepath.Join(dir, "licenses", "vectors.tsv"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	rows := 0
	for sc.Scan() {
		line := sc.Text()
		if rows++; rows == 1 {
			continue
		}
		cols := strings.Split(line, "\t")
		if len(cols) < 4 {
			t.Fatalf("row %d: %d columns", rows, len(cols))
		}
		in, code, version, jur := cols[0], cols[1], cols[2], cols[3]
		want := vectorID(code, version, jur, in)
		if d, ok := disagreements[in]; ok {
			want = d.id
		}
		got := Parse(in)
		if got.Tool.ID != want {
			t.Errorf("row %d Parse(%q) = %q %v, want %q (%s)", rows, in, got.Tool.ID, got.Warnings, want, code)
			continue
		}
		switch {
		case code == "unknown" && !got.Access && len(got.Warnings) == 0:
			t.Errorf("row %d Parse(%q): unknown without a warning", rows, in)
		case version == "?" && want != "" && len(got.Warnings) == 0:
			t.Errorf("row %d Parse(%q): version-less reading without a warning", rows, in)
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	if rows < 190 {
		t.Fatalf("read %d rows, want the whole file", rows)
	}
}
