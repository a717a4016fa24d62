package main

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/orchard-oer/orchard/internal/testsite"
)

// `orchard source sweep` decides a waiting sweep; `orchard source remove` removes a source with
// its records, or alone with --keep-records.
func TestSourceSweepAndRemove(t *testing.T) {
	t.Setenv("ORCHARD_DATA_DIR", isolate(t))
	site := testsite.Start(t, "/a", "/b")
	server := startServe(t)
	token, errOut, err := run(t, "token", "create", "--role", "admin", "--name", "cli")
	if err != nil {
		t.Fatalf("token create: %v\n%s", err, errOut)
	}
	t.Setenv("ORCHARD_TOKEN", strings.TrimSpace(token))
	cli := func(args ...string) string {
		t.Helper()
		out, errOut, err := run(t, args...)
		if err != nil {
			t.Fatalf("%v: %v\n%s%s", args, err, out, errOut)
		}
		// A record is marked by the second it was written in: the next run starts later.
		time.Sleep(time.Until(time.Now().Truncate(time.Second).Add(time.Second)))
		return out
	}
	records := func() int {
		t.Helper()
		resp, err := http.Get(server + "/api/search?source=site&openness=any")
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var res struct{ Total int }
		if err := json.NewDecoder(resp.Body).Decode(&res); err != nil {
			t.Fatal(err)
		}
		return res.Total
	}
	add := []string{"source", "add", "site", "--type", "web", "--mode", "sitemap", "--url", site.Sitemap()}
	cli(add...)
	cli("harvest", "run", "site", "--wait")
	if n := records(); n != 2 {
		t.Fatalf("%d records after the first run", n)
	}
	site.Clear()
	cli("harvest", "run", "site", "--full", "--wait")
	if _, _, err := run(t, "source", "sweep", "site"); err == nil {
		t.Error("sweep without --confirm or --keep accepted")
	}
	if out := cli("source", "sweep", "site", "--keep"); !strings.Contains(out, "kept") || records() != 2 {
		t.Errorf("sweep --keep: %q, %d records", out, records())
	}
	if _, _, err := run(t, "source", "sweep", "site", "--confirm"); err == nil || !strings.Contains(err.Error(), "no sweep waits") {
		t.Errorf("confirm with no sweep waiting: %v", err)
	}

	if out := cli("source", "remove", "site", "--keep-records"); !strings.Contains(out, "records stay") || records() != 2 {
		t.Errorf("remove --keep-records: %q, %d records", out, records())
	}
	cli(add...)
	if out := cli("source", "remove", "site", "--wait"); !strings.Contains(out, "removing site") || records() != 0 {
		t.Errorf("remove: %q, %d records", out, records())
	}
	if _, _, err := run(t, "source", "show", "site"); err == nil {
		t.Error("source still there after its removal")
	}
}
