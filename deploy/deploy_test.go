// Package deploy holds no code: its tests run the deployment files through the tools that
// read them (docker-compose, nats-server, systemd-analyze), so that they work as written.
package deploy

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"

	"github.com/orchard-oer/orchard/internal/testenv"
)

const installHint = "run scripts/install-test-deps.sh"

// runTool runs a program in this directory with env added to a copy of the environment from
// which the deployment's secrets are removed, and returns its output.
func runTool(t *testing.T, env []string, name string, args ...string) (stdout, stderr string, err error) {
	t.Helper()
	cmd := exec.CommandContext(t.Context(), name, args...)
	cmd.Env = slices.DeleteFunc(os.Environ(), func(kv string) bool {
		return strings.HasPrefix(kv, "MEILI_MASTER_KEY=") || strings.HasPrefix(kv, "NATS_PASSWORD=")
	})
	cmd.Env = append(cmd.Env, env...)
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err = cmd.Run()
	return out.String(), errOut.String(), err
}

type composeFile struct {
	Services map[string]struct {
		Image       string         `yaml:"image"`
		Build       any            `yaml:"build"`
		PullPolicy  string         `yaml:"pull_policy"`
		Command     []string       `yaml:"command"`
		Ports       []any          `yaml:"ports"`
		Healthcheck map[string]any `yaml:"healthcheck"`
		Environment map[string]any `yaml:"environment"`
	} `yaml:"services"`
}

// Debian's docker-compose accepts compose.yaml with the secrets set, refuses it without them,
// and sees one image build, a healthcheck on every service and the API on loopback only.
func TestComposeConfig(t *testing.T) {
	dc := testenv.Program(t, "docker-compose", "apt-get install docker-compose, or "+installHint)
	// An empty env file, so that a deploy/.env of this checkout does not count.
	envFile := filepath.Join(t.TempDir(), "env")
	if err := os.WriteFile(envFile, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	args := []string{"--env-file", envFile, "-f", "compose.yaml", "config"}
	for _, missing := range []string{"MEILI_MASTER_KEY", "NATS_PASSWORD"} {
		var env []string
		for _, v := range []string{"MEILI_MASTER_KEY", "NATS_PASSWORD"} {
			if v != missing {
				env = append(env, v+"=0123456789abcdef0123456789abcdef")
			}
		}
		_, errOut, err := runTool(t, env, dc, args...)
		if err == nil || !strings.Contains(errOut, missing) {
			t.Errorf("without %s: err %v, stderr %s", missing, err, errOut)
		}
	}
	out, errOut, err := runTool(t, []string{"MEILI_MASTER_KEY=0123456789abcdef0123456789abcdef", "NATS_PASSWORD=secret"}, dc, args...)
	if err != nil {
		t.Fatalf("docker-compose config: %v\n%s", err, errOut)
	}
	var cf composeFile
	if err := yaml.Unmarshal([]byte(out), &cf); err != nil {
		t.Fatalf("docker-compose config output: %v", err)
	}
	var builds []string
	for name, s := range cf.Services {
		if s.Build != nil {
			builds = append(builds, name)
		}
		if len(s.Healthcheck) == 0 {
			t.Errorf("service %s has no healthcheck", name)
		}
	}
	if !slices.Equal(builds, []string{"api"}) {
		t.Errorf("services that build: %v, want api alone", builds)
	}
	api, worker := cf.Services["api"], cf.Services["worker"]
	if api.Image != "orchard:local" || worker.Image != "orchard:local" || worker.PullPolicy != "never" {
		t.Errorf("images: api %q, worker %q (pull_policy %q); want both orchard:local, never pulled", api.Image, worker.Image, worker.PullPolicy)
	}
	if !slices.Equal(api.Command, []string{"serve", "--workers=0"}) || !slices.Equal(worker.Command, []string{"worker"}) {
		t.Errorf("commands: api %v, worker %v", api.Command, worker.Command)
	}
	if len(api.Ports) != 1 || !strings.HasPrefix(api.Ports[0].(string), "127.0.0.1:8080:") {
		t.Errorf("api ports %v, want 127.0.0.1:8080 alone", api.Ports)
	}
	for name, s := range cf.Services {
		if name != "api" && len(s.Ports) > 0 {
			t.Errorf("service %s publishes %v", name, s.Ports)
		}
	}
	// The cluster runs the nats-server release Orchard embeds and its tests use.
	minor := regexp.MustCompile(`^v(\d+\.\d+)\.`).FindStringSubmatch(testenv.NATSVersion(t))
	for _, n := range []string{"nats-1", "nats-2", "nats-3"} {
		if img := cf.Services[n].Image; minor == nil || img != "nats:"+minor[1]+"-alpine" {
			t.Errorf("%s runs %s; go.mod has nats-server %s", n, img, testenv.NATSVersion(t))
		}
	}
	if api.Environment["ORCHARD_NATS_PASSWORD"] != "secret" {
		t.Errorf("api gets no NATS password: %v", api.Environment)
	}
}

// Every NATS configuration is valid with the password in the environment, refused without it,
// and keeps monitoring on loopback.
func TestNATSConfigs(t *testing.T) {
	ns := testenv.NATSServer(t)
	confs, err := filepath.Glob("nats/*.conf")
	if err != nil || len(confs) != 3 {
		t.Fatalf("nats configurations: %v %v", confs, err)
	}
	for _, c := range confs {
		if _, errOut, err := runTool(t, []string{"NATS_PASSWORD=secret"}, ns, "-t", "-c", c); err != nil {
			t.Errorf("nats-server -t -c %s: %v\n%s", c, err, errOut)
		}
		if _, errOut, err := runTool(t, nil, ns, "-t", "-c", c); err == nil || !strings.Contains(errOut, "NATS_PASSWORD") {
			t.Errorf("%s without NATS_PASSWORD: %v %s", c, err, errOut)
		}
		b, err := os.ReadFile(c)
		if err != nil {
			t.Fatal(err)
		}
		if !regexp.MustCompile(`(?m)^http: 127\.0\.0\.1:\d+$`).Match(b) {
			t.Errorf("%s: monitoring is not on loopback", c)
		}
	}
}

// systemd-analyze verifies every unit with the orchard binary at the path the units name, in a
// root of its own; any complaint fails the test.
func TestSystemdUnits(t *testing.T) {
	sa := testenv.Program(t, "systemd-analyze", "apt-get install systemd, or "+installHint)
	root := t.TempDir()
	units, err := filepath.Glob("systemd/*.service")
	if err != nil || len(units) != 2 {
		t.Fatalf("units: %v %v", units, err)
	}
	unitDir := filepath.Join(root, "etc", "systemd", "system")
	if err := os.MkdirAll(unitDir, 0o755); err != nil {
		t.Fatal(err)
	}
	execStart := regexp.MustCompile(`(?m)^ExecStart=(\S+)`)
	var names []string
	for _, u := range units {
		b, err := os.ReadFile(u)
		if err != nil {
			t.Fatal(err)
		}
		m := execStart.FindSubmatch(b)
		if m == nil || string(m[1]) != "/usr/local/bin/orchard" {
			t.Fatalf("%s: ExecStart %q, want /usr/local/bin/orchard", u, m)
		}
		if !bytes.Contains(b, []byte("EnvironmentFile=/etc/orchard/orchard.env")) || !bytes.Contains(b, []byte("StateDirectory=")) {
			t.Errorf("%s: no EnvironmentFile for secrets or no StateDirectory", u)
		}
		if err := os.WriteFile(filepath.Join(unitDir, filepath.Base(u)), b, 0o644); err != nil {
			t.Fatal(err)
		}
		name := filepath.Base(u)
		names = append(names, strings.Replace(name, "@.", "@1.", 1))
	}
	// The targets the units name come from the host's systemd.
	if err := os.MkdirAll(filepath.Join(root, "usr", "lib", "systemd"), 0o755); err != nil {
		t.Fatal(err)
	}
	if _, errOut, err := runTool(t, nil, "cp", "-a", "/usr/lib/systemd/system", filepath.Join(root, "usr", "lib", "systemd")); err != nil {
		t.Fatalf("copy systemd units: %v %s", err, errOut)
	}
	bin := filepath.Join(root, "usr", "local", "bin", "orchard")
	if _, errOut, err := runTool(t, nil, "go", "build", "-o", bin, "../cmd/orchard"); err != nil {
		t.Fatalf("build orchard: %v\n%s", err, errOut)
	}
	out, errOut, err := runTool(t, nil, sa, append([]string{"verify", "--root=" + root}, names...)...)
	if err != nil || out != "" || errOut != "" {
		t.Errorf("systemd-analyze verify %v: %v\n%s%s", names, err, out, errOut)
	}
	api, _ := os.ReadFile("systemd/orchard.service")
	if !strings.Contains(string(api), "orchard serve --workers=0 ") {
		t.Error("orchard.service does not run serve --workers=0")
	}
}
