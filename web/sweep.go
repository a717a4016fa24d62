package web

import (
	"errors"
	"net/http"

	"github.com/orchard-oer/orchard/workers"
)

// Sweep is what a run did with its source's records that it did not see (workers.Sweep).
type Sweep struct {
	Status  workers.SweepStatus `json:"status"`
	Reason  string              `json:"reason,omitempty"`
	Seen    int                 `json:"seen"`
	Total   int                 `json:"total"`
	Unseen  int                 `json:"unseen"`
	Removed int                 `json:"removed"`
	Before  string              `json:"before,omitempty"`
	Of      string              `json:"of,omitempty"`
	By      string              `json:"by,omitempty"`
}

func sweepOf(sw *workers.Sweep) *Sweep {
	if sw == nil {
		return nil
	}
	out := Sweep(*sw)
	return &out
}

// sweepStatus answers the errors of a sweep decision: none waiting is a conflict.
func sweepStatus(err error) int {
	if errors.Is(err, workers.ErrNoSweep) {
		return http.StatusConflict
	}
	return statusOf(err)
}

// apiSourceSweep decides a waiting sweep: ?confirm=true removes the records the run did not
// see (202 with the removing run's id), ?confirm=false keeps them.
func (s *Server) apiSourceSweep(w http.ResponseWriter, r *http.Request) {
	confirm, err := boolParam(r.URL.Query(), "confirm")
	if err == nil && confirm == nil {
		err = &ParamError{"confirm", "must be true (remove the records) or false (keep them)"}
	}
	if err != nil {
		writeError(w, http.StatusBadRequest, err)
		return
	}
	id, err := s.workers.DecideSweep(r.Context(), r.PathValue("name"), *confirm)
	if err != nil {
		writeError(w, sweepStatus(err), err)
		return
	}
	if !*confirm {
		writeJSON(w, http.StatusOK, map[string]string{"status": string(workers.SweepKept)})
		return
	}
	writeJSON(w, http.StatusAccepted, map[string]string{"run_id": id})
}

// sourceSweepPost is the source page's "Remove them" / "Keep them".
func (s *Server) sourceSweepPost(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("name")
	if _, err := s.workers.DecideSweep(r.Context(), name, r.PostFormValue("action") == "remove"); err != nil && !errors.Is(err, workers.ErrNoSweep) {
		s.fail(w, r, statusOf(err), err)
		return
	}
	http.Redirect(w, r, "/admin/sources/"+name+"#progress", http.StatusSeeOther)
}

// sourceRemovePost removes a source from its page, with its records unless the box to keep
// them is ticked.
func (s *Server) sourceRemovePost(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("name")
	id, err := s.workers.RemoveSource(r.Context(), name, r.PostFormValue("keep_records") != "")
	if err != nil {
		s.fail(w, r, statusOf(err), err)
		return
	}
	if id != "" {
		http.Redirect(w, r, "/admin/runs/"+id, http.StatusSeeOther)
		return
	}
	http.Redirect(w, r, "/admin/", http.StatusSeeOther)
}
