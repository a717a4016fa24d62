package main

import (
	"os/exec"
	"slices"
	"strings"
	"testing"
)

const module = "github.com/orchard-oer/orchard/"

// goList runs `go list` in the module with args and returns its output lines.
func goList(t *testing.T, args ...string) []string {
	t.Helper()
	cmd := exec.CommandContext(t.Context(), "go", append([]string{"list"}, args...)...)
	cmd.Dir = "../.."
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list %s: %v", strings.Join(args, " "), err)
	}
	return strings.Split(strings.TrimSpace(string(out)), "\n")
}

// TestLayers keeps the dependencies pointing one way: only cmd/orchard (and the benchmarks)
// build on the HTTP package, the pure cores reach no network, NATS or workers, and workers is
// the only package importing NATS.
func TestLayers(t *testing.T) {
	var nats []string
	for _, line := range goList(t, "-f", `{{.ImportPath}}|{{join .Imports " "}}|{{join .Deps " "}}`, "./...") {
		fields := strings.Split(line, "|")
		name, imports, deps := strings.TrimPrefix(fields[0], module), strings.Fields(fields[1]), strings.Fields(fields[2])
		if slices.ContainsFunc(imports, isNATS) {
			nats = append(nats, name)
		}
		above := name == "web" || strings.HasPrefix(name, "cmd/") || strings.HasPrefix(name, "bench/")
		if !above && slices.Contains(deps, module+"web") {
			t.Errorf("%s depends on web", name)
		}
		if pure(name) {
			for _, bad := range []string{"net/http", module + "workers"} {
				if slices.Contains(deps, bad) {
					t.Errorf("%s is a pure core but depends on %s", name, bad)
				}
			}
		}
	}
	if !slices.Equal(nats, []string{"workers"}) {
		t.Errorf("packages importing NATS: %v, want workers alone", nats)
	}
}

// pure names the packages that do no I/O: the normalizer and its parts, the record model, the
// raw-record types, the URL parser, the JSON-LD writer, the vocabularies and the thumbnail maker.
func pure(name string) bool {
	return name == "normalizer" || strings.HasPrefix(name, "normalizer/") || strings.HasPrefix(name, "vocab/") ||
		slices.Contains([]string{"catalog", "harvester", "weburl", "amb", "thumbnail"}, name)
}

func isNATS(dep string) bool { return strings.HasPrefix(dep, "github.com/nats-io/") }
