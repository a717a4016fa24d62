package catalog_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/orchard-oer/orchard/catalog"
	"github.com/orchard-oer/orchard/catalog/embedded"
)

func line(id string) string {
	return fmt.Sprintf(`{"id":"s_%s","source":"s","title":"Title %s"}`, id, id)
}

func TestImportCountsBatchesAndNamesRefusedOnes(t *testing.T) {
	input := strings.Join([]string{
		line("1"),
		`{"id":"s_2"}`,
		line("3"),
		line("4"),
		`{"id":"s_1","source":"s","title":"gone","deleted":true}`,
		line("6"),
		line("7"),
	}, "\n")
	for _, tc := range []struct {
		name                   string
		closed                 bool
		imported, deleted, bad int
		failed                 []catalog.BatchError
		records                int
	}{
		{name: "taken", imported: 5, deleted: 1, bad: 1, records: 4},
		// The index refuses the first batch: it is named by its lines and reading stops there.
		{name: "refused", closed: true, bad: 1, failed: []catalog.BatchError{{First: 1, Last: 4}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			ix, err := embedded.Open(embedded.Config{Dir: dir}, nil)
			if err != nil {
				t.Fatal(err)
			}
			if tc.closed {
				if err := ix.Close(); err != nil {
					t.Fatal(err)
				}
			} else {
				defer ix.Close()
			}
			rep, err := catalog.Import(context.Background(), ix, strings.NewReader(input), catalog.ImportOptions{BatchSize: 3, InFlight: 2})
			if (err != nil) != (tc.failed != nil) {
				t.Fatalf("err = %v, want an error: %v", err, tc.failed != nil)
			}
			if rep.Imported != tc.imported || rep.Deleted != tc.deleted || len(rep.Bad) != tc.bad {
				t.Errorf("imported %d, deleted %d, %d bad; want %d, %d, %d", rep.Imported, rep.Deleted, len(rep.Bad), tc.imported, tc.deleted, tc.bad)
			}
			if len(rep.Failed) != len(tc.failed) {
				t.Fatalf("failed batches %v, want %v", rep.Failed, tc.failed)
			}
			for i, f := range rep.Failed {
				if f.First != tc.failed[i].First || f.Last != tc.failed[i].Last || f.Err == nil {
					t.Errorf("failed batch %d: lines %d-%d (%v), want %d-%d", i, f.First, f.Last, f.Err, tc.failed[i].First, tc.failed[i].Last)
				}
			}
			if tc.closed {
				return
			}
			st, err := ix.Stats(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			if st.Records != tc.records {
				t.Errorf("index holds %d records, want %d", st.Records, tc.records)
			}
		})
	}
}
