package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/orchard-oer/orchard/internal/sourcetest"
	"github.com/orchard-oer/orchard/web"
)

// TestSourceUpdateKeepsSettings sets each setting of a source, changes another one with
// `orchard source update`, and checks that the first survived.
func TestSourceUpdateKeepsSettings(t *testing.T) {
	server, token := serveAsLibrarian(t)
	call := func(method, path string, body, out any) {
		t.Helper()
		b, err := json.Marshal(body)
		if err != nil {
			t.Fatal(err)
		}
		req, err := http.NewRequestWithContext(t.Context(), method, server+path, bytes.NewReader(b))
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Authorization", "Bearer "+token)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		if resp.StatusCode >= 300 {
			t.Fatalf("%s %s: %s", method, path, resp.Status)
		}
		if err := json.NewDecoder(resp.Body).Decode(out); err != nil {
			t.Fatal(err)
		}
	}
	for _, f := range sourcetest.Fields(t) {
		t.Run(f.Name, func(t *testing.T) {
			name := strings.ToLower(fmt.Sprintf("cli-%s", f.Name))
			src := sourcetest.Base(name)
			f.Set(&src)
			var added web.Source
			call(http.MethodPost, "/api/admin/sources", web.SourceOf(src), &added)
			args := []string{"source", "update", name, "--paused"}
			if f.Other() == "Schedule" {
				args = []string{"source", "update", name, "--schedule", sourcetest.OtherSchedule}
			}
			if out, errOut, err := run(t, args...); err != nil || !strings.Contains(out, "updated "+name) {
				t.Fatalf("%v: %v\n%s%s", args, err, out, errOut)
			}
			var shown web.Source
			call(http.MethodGet, "/api/admin/sources/"+name, nil, &shown)
			got, err := shown.Settings()
			if err != nil {
				t.Fatal(err)
			}
			f.Check(t, got)
		})
	}
}
