package web

import (
	"context"
	"fmt"
	"net/http"
	"strings"

	"github.com/orchard-oer/orchard/harvester"
	"github.com/orchard-oer/orchard/probe"
)

// ProbeFunc looks at a source of a type (harvester.TypeOAIPMH or TypeWeb) before it is added;
// probe.Prober.Probe is one.
type ProbeFunc func(ctx context.Context, typ, url string) (probe.Report, error)

func (s *Server) apiProbe(w http.ResponseWriter, r *http.Request) {
	var body struct {
		URL  string `json:"url"`
		Type string `json:"type"`
	}
	if err := decodeBody(r, &body); err != nil {
		writeError(w, statusOf(err), err)
		return
	}
	if body.URL == "" {
		writeError(w, http.StatusBadRequest, &ParamError{"url", "is required"})
		return
	}
	if body.Type == "" {
		body.Type = harvester.TypeOAIPMH
	}
	if s.probe == nil {
		writeError(w, http.StatusServiceUnavailable, fmt.Errorf("probing is not available on this server"))
		return
	}
	rep, err := s.probe(r.Context(), body.Type, strings.TrimSpace(body.URL))
	if err != nil {
		status, err := probeError(err)
		writeError(w, status, err)
		return
	}
	writeJSON(w, http.StatusOK, rep)
}
