package main

import (
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/spf13/viper"
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
	example := filepath.Join(moduleRoot(t), "deploy", "orchard.example.yaml")
	m := showConfig(t, dir, "--config", example)
	if get(m, "nats.replicas") != 3 || get(m, "catalog.meilisearch.url") != "http://meilisearch:7700" {
		t.Fatalf("example config not read: %v", m)
	}
	// The example documents every setting.
	v := viper.New()
	v.SetConfigFile(example)
	if err := v.ReadInConfig(); err != nil {
		t.Fatal(err)
	}
	for _, s := range settings() {
		if !v.InConfig(s.key) {
			t.Errorf("%s is not in %s", s.key, example)
		}
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

// sample is a value of t unlike any default, as it is written in a file, a variable or a flag,
// and as Config holds it.
func sample(t reflect.Type) (string, any) {
	switch {
	case t == durationType:
		return "7m3s", 7*time.Minute + 3*time.Second
	case t.Kind() == reflect.Bool:
		return "true", true
	case t.Kind() == reflect.Int:
		return "7", 7
	case t.Kind() == reflect.Int64:
		return "7000", int64(7000)
	case t.Kind() == reflect.Float64:
		return "2.5", 2.5
	}
	return "http://sample.example:7", "http://sample.example:7"
}

// TestEverySettingFromFileEnvAndFlag sets each key of Config, found by reflection, in each of
// the three ways, so a key added without a way to set it fails here.
func TestEverySettingFromFileEnvAndFlag(t *testing.T) {
	ways := map[string]func(t *testing.T, dir string, s setting, text string) (string, []string){
		"file": func(t *testing.T, dir string, s setting, text string) (string, []string) {
			parts := strings.Split(s.key, ".")
			var b strings.Builder
			for i, p := range parts[:len(parts)-1] {
				fmt.Fprintf(&b, "%s%s:\n", strings.Repeat("  ", i), p)
			}
			fmt.Fprintf(&b, "%s%s: %q\n", strings.Repeat("  ", len(parts)-1), parts[len(parts)-1], text)
			file := filepath.Join(dir, "orchard.yaml")
			if err := os.WriteFile(file, []byte(b.String()), 0o600); err != nil {
				t.Fatal(err)
			}
			return file, nil
		},
		"env": func(t *testing.T, _ string, s setting, text string) (string, []string) {
			t.Setenv("ORCHARD_"+strings.ToUpper(strings.ReplaceAll(s.key, ".", "_")), text)
			return "", nil
		},
		"flag": func(t *testing.T, _ string, s setting, text string) (string, []string) {
			return "", []string{"--" + s.flag() + "=" + text}
		},
	}
	all := settings()
	if len(all) < 40 {
		t.Fatalf("only %d settings found", len(all))
	}
	for _, s := range all {
		for way, set := range ways {
			t.Run(s.key+"/"+way, func(t *testing.T) {
				dir := isolate(t)
				t.Chdir(dir)
				text, want := sample(s.typ)
				file, args := set(t, dir, s, text)
				fs := newRootCmd().PersistentFlags()
				if err := fs.Parse(args); err != nil {
					t.Fatal(err)
				}
				cfg, _, err := loadConfig(file, fs)
				if err != nil {
					t.Fatal(err)
				}
				if got := reflect.ValueOf(*cfg).FieldByIndex(s.index).Interface(); got != want {
					t.Errorf("%s set by %s = %v, want %v", s.key, way, got, want)
				}
			})
		}
	}
}

// TestTypedConfigsCoverEveryField fills every setting and checks that the configurations
// handed to the packages have no field left unset, so a field added to one of them without a
// key fails here.
func TestTypedConfigsCoverEveryField(t *testing.T) {
	var cfg Config
	v := reflect.ValueOf(&cfg).Elem()
	for _, s := range settings() {
		_, val := sample(s.typ)
		v.FieldByIndex(s.index).Set(reflect.ValueOf(val).Convert(s.typ))
	}
	a := &app{cfg: &cfg}
	for name, typed := range map[string]any{
		"web.Config":     a.webConfig(),
		"workers.Config": a.workersConfig("orchard test", "127.0.0.1:4222"),
		"meili.Config":   a.meiliConfig(),
		"fetch.Config":   a.fetchConfig(true),
	} {
		tv := reflect.ValueOf(typed)
		for i := 0; i < tv.NumField(); i++ {
			if f := tv.Type().Field(i).Name; name == "fetch.Config" && (f == "Transport" || f == "Observer" || f == "Shared") {
				continue // tests replace the network with the one; serve and worker set the others
			}
			if tv.Field(i).IsZero() {
				t.Errorf("%s.%s has no configuration key", name, tv.Type().Field(i).Name)
			}
		}
	}
}

func TestUnknownKeyIsAnError(t *testing.T) {
	tests := []struct{ body, key string }{
		{"http:\n  adr: 127.0.0.1:9\n", "unknown key http.adr ("},
		{"catalog:\n  meilisearch:\n    ulr: http://m:7700\n", "catalog.meilisearch.ulr"},
		{"worker:\n  count: 3\n", "worker.count"},
		{"nats:\n  replicas: 3\n  replica: 1\n", "nats.replica"},
		// Empty sections are not reported.
		{"catalog:\n  meilisearch:\nharvest:\n  contact: x\nhttp:\n  metrics_tokn: y\n", "unknown key http.metrics_tokn ("},
	}
	for _, tt := range tests {
		t.Run(tt.key, func(t *testing.T) {
			dir := isolate(t)
			path := filepath.Join(dir, "orchard.yaml")
			if err := os.WriteFile(path, []byte(tt.body), 0o600); err != nil {
				t.Fatal(err)
			}
			t.Chdir(dir)
			_, _, err := run(t, "config", "show")
			if err == nil || !strings.Contains(err.Error(), tt.key) || !strings.Contains(err.Error(), path) {
				t.Fatalf("unknown key accepted or not named with the file: %v", err)
			}
		})
	}
}

// TestServerFollowsHTTPAddr: the CLI reaches the server where http.addr says it listens, and
// --server beats it.
func TestServerFollowsHTTPAddr(t *testing.T) {
	tests := []struct {
		name  string
		env   map[string]string
		flags []string
		want  string
	}{
		{"default", nil, nil, "http://127.0.0.1:8080"},
		{"env addr", map[string]string{"ORCHARD_HTTP_ADDR": "127.0.0.1:9911"}, nil, "http://127.0.0.1:9911"},
		{"wildcard addr", map[string]string{"ORCHARD_HTTP_ADDR": "0.0.0.0:9912"}, nil, "http://127.0.0.1:9912"},
		{"flag addr", nil, []string{"--http-addr", "[::]:9913"}, "http://127.0.0.1:9913"},
		{"server flag wins", map[string]string{"ORCHARD_HTTP_ADDR": "127.0.0.1:9911"}, []string{"--server", "http://other:1"}, "http://other:1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := isolate(t)
			for k, v := range tt.env {
				t.Setenv(k, v)
			}
			m := showConfig(t, dir, tt.flags...)
			if got := get(m, "server"); got != tt.want {
				t.Errorf("server = %v, want %v", got, tt.want)
			}
		})
	}
}
