package web

import (
	"context"
	"errors"
	"fmt"
	"math"
	"net/http"
	"net/url"
	"time"
)

// OAIRepository answers OAI-PMH requests; *oaiprovider.Provider satisfies it.
type OAIRepository interface {
	Respond(ctx context.Context, args url.Values) ([]byte, error)
	Refuse(why string) []byte
}

var errNoOAI = errors.New("this server does not serve OAI-PMH")

// maxOAIForm bounds a POSTed OAI-PMH request; real ones are a few hundred bytes.
const maxOAIForm = 64 << 10

// oai is the OAI-PMH repository's HTTP face: GET or POST, rate limited for anonymous
// harvesters with 503 and Retry-After (the flow control the protocol names), and never a 500
// for a malformed request, which gets its OAI-PMH error in a 200 answer instead.
func (s *Server) oai(w http.ResponseWriter, r *http.Request) {
	if s.oaiRepo == nil {
		s.fail(w, r, http.StatusNotFound, errNoOAI)
		return
	}
	if !viewerOf(r).Staff() {
		if wait, ok := s.limits.allow(s.clientIP(r)); !ok {
			w.Header().Set("Retry-After", fmt.Sprint(int(math.Ceil(wait.Seconds()))))
			http.Error(w, "harvesting too fast; retry later", http.StatusServiceUnavailable)
			return
		}
	}
	w.Header().Set("Content-Type", "text/xml; charset=utf-8")
	r.Body = http.MaxBytesReader(w, r.Body, maxOAIForm)
	if err := r.ParseForm(); err != nil {
		_, _ = w.Write(s.oaiRepo.Refuse("arguments unreadable: " + err.Error()))
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), 30*time.Second)
	defer cancel()
	body, err := s.oaiRepo.Respond(ctx, r.Form)
	if err != nil {
		s.log.Warn("oai-pmh request failed", "err", err)
		w.Header().Set("Retry-After", "30")
		http.Error(w, "catalog unavailable; retry later", http.StatusServiceUnavailable)
		return
	}
	_, _ = w.Write(body)
}
