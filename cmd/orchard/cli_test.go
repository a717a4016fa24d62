package main

import (
	"bytes"
	"context"
	"strings"
	"testing"
)

// run executes the orchard command line in-process and returns stdout, stderr and the error.
func run(t *testing.T, args ...string) (string, string, error) {
	t.Helper()
	return runCtx(t.Context(), args...)
}

func runCtx(ctx context.Context, args ...string) (string, string, error) {
	var out, errOut bytes.Buffer
	cmd := newRootCmd()
	cmd.SetOut(&out)
	cmd.SetErr(&errOut)
	cmd.SetArgs(args)
	err := cmd.ExecuteContext(ctx)
	return out.String(), errOut.String(), err
}

func TestEveryCommandHasHelp(t *testing.T) {
	root := newRootCmd()
	for _, c := range root.Commands() {
		if c.Name() == "help" || c.Name() == "completion" {
			continue
		}
		if c.Short == "" {
			t.Errorf("%s has no short help", c.CommandPath())
		}
		for _, sub := range c.Commands() {
			if sub.Short == "" {
				t.Errorf("%s has no short help", sub.CommandPath())
			}
		}
	}
	out, _, err := run(t, "--help")
	if err != nil || !strings.Contains(out, "Usage:") {
		t.Fatalf("--help: %v\n%s", err, out)
	}
}
