package workers

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/orchard-oer/orchard/harvester"
)

// failing is a harvester whose error carries the source URL as written.
type failing struct{}

func (failing) Harvest(_ context.Context, src harvester.Source, _ json.RawMessage, _ bool, _ harvester.Emit) error {
	return fmt.Errorf("list %s: %w", src.URL, harvester.E(harvester.KindPermanent, "", errors.New("gone")))
}

// syncBuffer is a log sink for concurrent writers.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// The credentials of a source URL appear neither in its run's record nor in the log.
func TestRunRecordsHideUserinfo(t *testing.T) {
	var logs syncBuffer
	cfg := fastConfig(t.TempDir())
	s, err := Open(t.Context(), cfg, slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug})))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	ix := openIndex(t, t.TempDir())
	src := testSource("secret")
	src.URL = "https://harvest:s3cret-pw@example.org/oai"
	if _, err := s.Sources().Add(t.Context(), src); err != nil {
		t.Fatal(err)
	}
	startWorkers(t, s, pipeline(ix, failing{}), 1)
	id, err := s.RunNow(t.Context(), "secret", false)
	if err != nil {
		t.Fatal(err)
	}
	r := waitRun(t, s, id, 20*time.Second, ended)
	if r.Status != StatusFailed || !strings.Contains(r.Error, "https://xxxxx@example.org/oai") {
		t.Errorf("run %+v", r)
	}
	shown, _ := json.Marshal(r)
	for what, text := range map[string]string{"run": string(shown), "log": logs.String()} {
		if strings.Contains(text, "s3cret-pw") {
			t.Errorf("%s shows the userinfo: %s", what, text)
		}
	}
}
