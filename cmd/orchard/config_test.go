package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

// showConfig runs `orchard config show` in dir and decodes its YAML.
func showConfig(t *testing.T, dir string, args ...string) map[string]any {
	t.Helper()
	t.Chdir(dir)
	out, errOut, err := run(t, append([]string{"config", "show"}, args...)...)
	if err != nil {
		t.Fatalf("config show: %v\n%s", err, errOut)
	}
	var m map[string]any
	if err := yaml.Unmarshal([]byte(out), &m); err != nil {
		t.Fatalf("config show printed no YAML: %v\n%s", err, out)
	}
	return m
}

func get(m map[string]any, path string) any {
	var v any = m
	for _, k := range strings.Split(path, ".") {
		v = v.(map[string]any)[k]
	}
	return v
}

func isolate(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	t.Setenv("XDG_CONFIG_HOME", filepath.Join(dir, "xdg"))
	t.Setenv("HOME", dir)
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		if k == "ORCHARD_MEILISEARCH" || k == "ORCHARD_CORPUS" {
			continue // where the test parts are, not configuration
		}
		if strings.HasPrefix(k, "ORCHARD_") {
			t.Setenv(k, "")
			os.Unsetenv(k)
		}
	}
	return dir
}

func TestConfigPrecedence(t *testing.T) {
	file := "http:\n  addr: file:1\nlog:\n  level: warn\ndata_dir: /from/file\nworkers:\n  count: 7\n"
	tests := []struct {
		name  string
		file  bool
		env   map[string]string
		flags []string
		want  map[string]any
	}{
		{"defaults", false, nil, nil, map[string]any{"http.addr": "127.0.0.1:8080", "log.level": "info", "workers.count": 2}},
		{"file beats defaults", true, nil, nil, map[string]any{"http.addr": "file:1", "log.level": "warn", "workers.count": 7}},
		{"env beats file", true, map[string]string{"ORCHARD_HTTP_ADDR": "env:2", "ORCHARD_WORKERS_COUNT": "9"}, nil,
			map[string]any{"http.addr": "env:2", "log.level": "warn", "workers.count": 9}},
		{"env alone", false, map[string]string{"ORCHARD_CATALOG_MEILISEARCH_URL": "http://m:7700"}, nil,
			map[string]any{"catalog.meilisearch.url": "http://m:7700"}},
		{"flags beat env", true, map[string]string{"ORCHARD_DATA_DIR": "/from/env", "ORCHARD_LOG_LEVEL": "error"},
			[]string{"--data-dir", "/from/flag"}, map[string]any{"data_dir": "/from/flag", "log.level": "error"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := isolate(t)
			if tt.file {
				if err := os.WriteFile(filepath.Join(dir, "orchard.yaml"), []byte(file), 0o600); err != nil {
					t.Fatal(err)
				}
			}
			for k, v := range tt.env {
				t.Setenv(k, v)
			}
			m := showConfig(t, dir, tt.flags...)
			for path, want := range tt.want {
				if got := get(m, path); got != want {
					t.Errorf("%s = %v, want %v", path, got, want)
				}
			}
		})
	}
}

func TestConfigSearchPaths(t *testing.T) {
	dir := isolate(t)
	xdg := filepath.Join(dir, "xdg", "orchard")
	if err := os.MkdirAll(xdg, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(xdg, "orchard.yaml"), []byte("http: {addr: 'xdg:1'}\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	work := filepath.Join(dir, "work")
	os.Mkdir(work, 0o755)
	if got := get(showConfig(t, work), "http.addr"); got != "xdg:1" {
		t.Fatalf("config from $XDG_CONFIG_HOME/orchard not read: addr = %v", got)
	}
	// A file in the current directory wins over the XDG one.
	os.WriteFile(filepath.Join(work, "orchard.yaml"), []byte("http: {addr: 'cwd:1'}\n"), 0o600)
	if got := get(showConfig(t, work), "http.addr"); got != "cwd:1" {
		t.Fatalf("config in the current directory not preferred: addr = %v", got)
	}
}

func TestConfigShowMasksSecrets(t *testing.T) {
	dir := isolate(t)
	t.Setenv("ORCHARD_CATALOG_MEILISEARCH_KEY", "super-secret-key")
	t.Setenv("ORCHARD_TOKEN", "tok-secret")
	t.Chdir(dir)
	out, _, err := run(t, "config", "show")
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(out, "super-secret") || strings.Contains(out, "tok-secret") {
		t.Fatalf("secrets printed:\n%s", out)
	}
	if !strings.Contains(out, "key: '********'") && !strings.Contains(out, `key: "********"`) {
		t.Fatalf("masked key not shown:\n%s", out)
	}
}

func TestMalformedConfig(t *testing.T) {
	tests := []struct{ name, body, want string }{
		{"bad yaml", "http: [unclosed\n", "orchard.yaml"},
		{"wrong type", "workers:\n  count: many\n", "workers.count"},
		{"bad duration", "harvest:\n  pace: soon\n", "harvest.pace"},
		{"bad log level", "log:\n  level: loud\n", "log.level"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := isolate(t)
			path := filepath.Join(dir, "orchard.yaml")
			os.WriteFile(path, []byte(tt.body), 0o600)
			t.Chdir(dir)
			_, _, err := run(t, "config", "show")
			if err == nil {
				t.Fatal("malformed config accepted")
			}
			msg := err.Error()
			if strings.Contains(msg, "\n") || !strings.Contains(msg, tt.want) {
				t.Fatalf("error %q should be one line naming %q", msg, tt.want)
			}
			if tt.name != "bad log level" && !strings.Contains(msg, path) {
				t.Fatalf("error %q should name the file %s", msg, path)
			}
		})
	}
}

func TestExampleConfigLoads(t *testing.T) {
	dir := isolate(t)
	m := showConfig(t, dir, "--config", filepath.Join(moduleRoot(t), "deploy", "orchard.example.yaml"))
	if get(m, "nats.replicas") != 3 || get(m, "catalog.meilisearch.url") != "http://meilisearch:7700" {
		t.Fatalf("example config not read: %v", m)
	}
}

func moduleRoot(t *testing.T) string {
	t.Helper()
	wd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for d := wd; d != "/"; d = filepath.Dir(d) {
		if _, err := os.Stat(filepath.Join(d, "go.mod")); err == nil {
			return d
		}
	}
	t.Fatal("no go.mod above " + wd)
	return ""
}
