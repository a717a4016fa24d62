package web

import (
	"cmp"
	"context"
	"errors"
	"net/http"

	"github.com/orchard-oer/orchard/catalog"
)

// Merges is what Workers offers about catalog entries several sources offer; the server finds
// it by type assertion, so that Workers without it still serve everything else.
type Merges interface {
	EntryOf(ctx context.Context, id string) (string, error)
	SplitEntry(ctx context.Context, index catalog.Index, id, by string) ([]string, error)
}

func (s *Server) merges() Merges {
	m, _ := s.workers.(Merges)
	return m
}

// redirectMerged sends a request for a record that was merged into another source's entry to
// that entry, so that old links keep working; it reports whether it did. prefix and suffix
// frame the entry's id in the new path.
func (s *Server) redirectMerged(w http.ResponseWriter, r *http.Request, id, prefix, suffix string) bool {
	m := s.merges()
	if m == nil || r.Method != http.MethodGet || checkRecordID(id) != nil {
		return false
	}
	entry, err := m.EntryOf(r.Context(), id)
	if err != nil || checkRecordID(entry) != nil {
		return false
	}
	to := prefix + entry + suffix
	if q := r.URL.RawQuery; q != "" {
		to += "?" + q
	}
	// Found, not Moved Permanently: a librarian's split gives the record its own page again.
	http.Redirect(w, r, to, http.StatusFound)
	return true
}

var errNoMerges = errors.New("splitting entries needs the workers' NATS")

// splitResult answers a split: the entries the records of a merged entry became.
type splitResult struct {
	Records []string `json:"records"`
}

// split makes each record of the merged entry id an entry of its own.
func (s *Server) split(r *http.Request, id string) ([]string, error) {
	if err := checkRecordID(id); err != nil {
		return nil, err
	}
	m := s.merges()
	if m == nil {
		return nil, errNoMerges
	}
	v := viewerOf(r)
	return m.SplitEntry(r.Context(), s.index, id, cmp.Or(v.Name, string(v.Role)))
}

func (s *Server) apiSplit(w http.ResponseWriter, r *http.Request) {
	ids, err := s.split(r, r.PathValue("id"))
	if err != nil {
		writeError(w, statusOf(err), err)
		return
	}
	writeJSON(w, http.StatusOK, splitResult{Records: ids})
}

// splitPost is the record page's "different resources" button.
func (s *Server) splitPost(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	if _, err := s.split(r, id); err != nil {
		s.fail(w, r, statusOf(err), err)
		return
	}
	http.Redirect(w, r, "/records/"+id, http.StatusSeeOther)
}

// isMergedEntryMiss reports whether err is a record the index does not hold, the case in which
// a merged record's old id leads on to its entry.
func isMergedEntryMiss(err error) bool { return errors.Is(err, catalog.ErrNotFound) }
