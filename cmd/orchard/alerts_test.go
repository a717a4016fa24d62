package main

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/orchard-oer/orchard/internal/testenv"
)

// The Prometheus alert rules in deploy/ pass promtool, and the Grafana dashboard is JSON.
func TestMonitoringFiles(t *testing.T) {
	root := moduleRoot(t)
	b, err := os.ReadFile(filepath.Join(root, "deploy", "grafana", "orchard.json"))
	if err != nil {
		t.Fatal(err)
	}
	var dash struct {
		Panels []json.RawMessage `json:"panels"`
	}
	if err := json.Unmarshal(b, &dash); err != nil || len(dash.Panels) == 0 {
		t.Errorf("grafana dashboard: %d panels, err %v", len(dash.Panels), err)
	}
	promtool, err := exec.LookPath("promtool")
	if err != nil {
		testenv.Missing(t, "promtool", "apt-get install prometheus (scripts/install-test-deps.sh)")
	}
	out, err := exec.Command(promtool, "check", "rules", filepath.Join(root, "deploy", "prometheus", "alerts.yml")).CombinedOutput()
	if err != nil {
		t.Errorf("promtool check rules: %v\n%s", err, out)
	}
}

// checkMonitoredNames checks that every Orchard metric the dashboard and the alert rules use
// is a series of exposition, the /metrics of a process that has harvested.
func checkMonitoredNames(t *testing.T, exposition string) {
	t.Helper()
	exported := map[string]bool{}
	for line := range strings.Lines(exposition) {
		if series, _, ok := strings.Cut(line, " "); ok && !strings.HasPrefix(line, "#") {
			name, _, _ := strings.Cut(series, "{")
			exported[name] = true
		}
	}
	root := moduleRoot(t)
	used := regexp.MustCompile(`\borchard_[a-z_]+`)
	for _, f := range []string{filepath.Join("deploy", "grafana", "orchard.json"), filepath.Join("deploy", "prometheus", "alerts.yml")} {
		b, err := os.ReadFile(filepath.Join(root, f))
		if err != nil {
			t.Fatal(err)
		}
		names := used.FindAllString(string(b), -1)
		if len(names) == 0 {
			t.Errorf("%s uses no Orchard metric", f)
		}
		for _, name := range names {
			if !exported[name] {
				t.Errorf("%s uses %s, which Orchard does not export", f, name)
			}
		}
	}
}
