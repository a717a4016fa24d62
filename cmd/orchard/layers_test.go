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

// TestLayers keeps the dependencies pointing one way: what a worker runs (workers, curation,
// probe) never depends on the HTTP package, and workers is the only package importing NATS.
func TestLayers(t *testing.T) {
	for _, pkg := range []string{"workers", "curation", "probe"} {
		deps := goList(t, "-deps", "./"+pkg)
		if !slices.Contains(deps, module+pkg) {
			t.Fatalf("go list -deps ./%s does not list the package itself: %v", pkg, deps)
		}
		if slices.Contains(deps, module+"web") {
			t.Errorf("%s depends on web", pkg)
		}
	}
	var nats []string
	for _, line := range goList(t, "-f", `{{.ImportPath}} {{join .Imports " "}}`, "./...") {
		pkg, imports, _ := strings.Cut(line, " ")
		if strings.Contains(imports, "github.com/nats-io/") {
			nats = append(nats, pkg)
		}
	}
	if !slices.Equal(nats, []string{module + "workers"}) {
		t.Errorf("packages importing NATS: %v, want workers alone", nats)
	}
}
