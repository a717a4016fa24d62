package main

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
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
