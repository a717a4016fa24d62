package web

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/orchard-oer/orchard/workers"
)

// The staff JSON API for sources: the overview, adding, reading, editing and removing sources,
// starting and cancelling their runs, and their progress stream.

func (s *Server) apiStatus(w http.ResponseWriter, r *http.Request) {
	st, err := s.workers.Status(r.Context())
	if err != nil {
		writeError(w, statusOf(err), err)
		return
	}
	stats, err := s.index.Stats(r.Context())
	if err != nil {
		writeError(w, statusOf(err), err)
		return
	}
	dead, err := s.workers.DeadLetters(r.Context())
	if err != nil {
		writeError(w, statusOf(err), err)
		return
	}
	out := Status{Sources: make([]SourceStatus, len(st)), Catalog: stats, DeadLetters: len(dead)}
	for i, ss := range st {
		out.Sources[i] = sourceStatusOf(ss)
	}
	writeJSON(w, http.StatusOK, out)
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

func (s *Server) apiSources(w http.ResponseWriter, r *http.Request) {
	srcs, err := s.workers.Sources().List(r.Context())
	if err != nil {
		writeError(w, statusOf(err), err)
		return
	}
	out := make([]Source, len(srcs))
	for i, src := range srcs {
		out[i] = SourceOf(src)
	}
	writeJSON(w, http.StatusOK, out)
}

func (s *Server) apiSourceAdd(w http.ResponseWriter, r *http.Request) {
	var in Source
	if err := decodeBody(r, &in); err != nil {
		writeError(w, statusOf(err), err)
		return
	}
	detected, err := s.detectSource(r.Context(), in.Detect, &in.Type, &in.Mode, &in.URL)
	if err != nil {
		status, err := probeError(err)
		writeError(w, status, err)
		return
	}
	src, err := in.Settings()
	if err == nil {
		src, err = s.workers.Sources().Add(r.Context(), src)
	}
	if err != nil {
		writeError(w, statusOf(err), err)
		return
	}
	out := SourceOf(src)
	out.Detected = detected
	writeSource(w, http.StatusCreated, out)
}

// writeSource answers with a source and its revision as the ETag, for a later If-Match.
func writeSource(w http.ResponseWriter, status int, src Source) {
	w.Header().Set("ETag", strconv.Quote(strconv.FormatUint(src.Revision, 10)))
	writeJSON(w, status, src)
}

func (s *Server) apiSourceGet(w http.ResponseWriter, r *http.Request) {
	src, err := s.workers.Sources().Get(r.Context(), r.PathValue("name"))
	if err != nil {
		writeError(w, statusOf(err), err)
		return
	}
	writeSource(w, http.StatusOK, SourceOf(src))
}

// apiSourceEdit changes the settings a PUT or PATCH body names and keeps the others. An
// If-Match header with the revision from an ETag (or a source's "revision") makes the edit
// refuse with 412 when someone else changed the source in between; without one, an edit that
// races another is applied again to the newer source.
func (s *Server) apiSourceEdit(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("name")
	body, err := io.ReadAll(io.LimitReader(r.Body, maxBody))
	if err != nil {
		writeError(w, http.StatusBadRequest, &ParamError{"body", err.Error()})
		return
	}
	var named Source
	if err := decodeJSON(bytes.NewReader(body), &named); err != nil {
		writeError(w, http.StatusBadRequest, err)
		return
	}
	if named.Name != "" && named.Name != name {
		writeError(w, http.StatusBadRequest, &ParamError{"name", "must match the name in the path"})
		return
	}
	rev, err := ifMatch(r)
	if err != nil {
		writeError(w, http.StatusBadRequest, err)
		return
	}
	out, err := s.workers.Sources().Edit(r.Context(), name, rev, func(src *workers.Source) error {
		in := SourceOf(*src)
		if err := decodeJSON(bytes.NewReader(body), &in); err != nil {
			return err
		}
		edited, err := in.Settings()
		if err != nil {
			return err
		}
		edited.Created, edited.Revision = src.Created, src.Revision
		*src = edited
		return nil
	})
	if rev != 0 && errors.Is(err, workers.ErrConflict) {
		writeError(w, http.StatusPreconditionFailed, err)
		return
	}
	if err != nil {
		writeError(w, statusOf(err), err)
		return
	}
	writeSource(w, http.StatusOK, SourceOf(out))
}

// ifMatch reads the revision of an If-Match header; 0 without one.
func ifMatch(r *http.Request) (uint64, error) {
	v := strings.Trim(r.Header.Get("If-Match"), `"`)
	if v == "" {
		return 0, nil
	}
	rev, err := strconv.ParseUint(v, 10, 64)
	if err != nil || rev == 0 {
		return 0, &ParamError{"If-Match", "must be a revision number"}
	}
	return rev, nil
}

// apiSourceDelete removes a source: at once with ?keep_records=true (204), otherwise through
// a run that removes its records first (202 with the run's id).
func (s *Server) apiSourceDelete(w http.ResponseWriter, r *http.Request) {
	keep, err := boolParam(r.URL.Query(), "keep_records")
	if err != nil {
		writeError(w, http.StatusBadRequest, err)
		return
	}
	id, err := s.workers.RemoveSource(r.Context(), r.PathValue("name"), keep != nil && *keep)
	if err != nil {
		writeError(w, statusOf(err), err)
		return
	}
	if id != "" {
		writeJSON(w, http.StatusAccepted, map[string]string{"run_id": id})
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (s *Server) apiSourceRun(w http.ResponseWriter, r *http.Request) {
	full, err := boolParam(r.URL.Query(), "full")
	if err != nil {
		writeError(w, http.StatusBadRequest, err)
		return
	}
	id, err := s.workers.RunNow(r.Context(), r.PathValue("name"), full != nil && *full)
	if err != nil {
		writeError(w, statusOf(err), err)
		return
	}
	writeJSON(w, http.StatusAccepted, map[string]string{"run_id": id})
}

func (s *Server) apiSourceCancel(w http.ResponseWriter, r *http.Request) {
	if err := s.workers.Cancel(r.Context(), r.PathValue("name")); err != nil {
		writeError(w, statusOf(err), err)
		return
	}
	writeJSON(w, http.StatusAccepted, map[string]string{"status": "cancelling"})
}

// sseHeartbeat keeps proxies from closing a quiet progress stream.
const sseHeartbeat = 15 * time.Second

// sourceProgress streams a source's progress as server-sent events: first the latest run,
// then every update the workers publish, until the client leaves.
func (s *Server) sourceProgress(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("name")
	ctx := r.Context()
	if _, err := s.workers.Sources().Get(ctx, name); err != nil {
		s.fail(w, r, statusOf(err), err)
		return
	}
	flusher, ok := w.(http.Flusher)
	if !ok {
		s.fail(w, r, http.StatusInternalServerError, errors.New("streaming unsupported"))
		return
	}
	updates, err := s.workers.WatchProgress(ctx, name)
	if err != nil {
		s.fail(w, r, statusOf(err), err)
		return
	}
	w.Header().Set("Content-Type", "text/event-stream")
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("X-Accel-Buffering", "no")
	w.WriteHeader(http.StatusOK)
	send := func(p workers.Progress) bool {
		b, err := json.Marshal(progressOf(p))
		if err != nil {
			return false
		}
		if _, err := fmt.Fprintf(w, "event: progress\ndata: %s\n\n", b); err != nil {
			return false
		}
		flusher.Flush()
		return true
	}
	if runs, err := s.workers.History(ctx, name, 1); err == nil && len(runs) > 0 {
		send(progressOfRun(runs[0]))
	} else {
		_, _ = fmt.Fprint(w, ": no runs yet\n\n")
		flusher.Flush()
	}
	tick := time.NewTicker(sseHeartbeat)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-s.stopping:
			return
		case p, ok := <-updates:
			if !ok || !send(p) {
				return
			}
		case <-tick.C:
			if _, err := fmt.Fprint(w, ": keep-alive\n\n"); err != nil {
				return
			}
			flusher.Flush()
		}
	}
}

func progressOfRun(run workers.Run) workers.Progress {
	at := run.Ended
	if at.IsZero() {
		at = cmpTime(run.Started, run.Queued)
	}
	return workers.Progress{
		RunID: run.ID, Source: run.Source, Status: run.Status, Pages: run.Pages, Records: run.Records,
		Upserted: run.Upserted, Deleted: run.Deleted, Expected: run.Expected, At: at,
	}
}

func cmpTime(a, b time.Time) time.Time {
	if a.IsZero() {
		return b
	}
	return a
}
