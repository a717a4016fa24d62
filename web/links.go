package web

import "net/http"

// apiBrokenLinks lists the records whose landing pages the link checker found gone.
func (s *Server) apiBrokenLinks(w http.ResponseWriter, r *http.Request) {
	links, err := s.workers.BrokenLinks(r.Context())
	if err != nil {
		writeError(w, statusOf(err), err)
		return
	}
	writeJSON(w, http.StatusOK, nonNil(links))
}

func (s *Server) brokenLinksPage(w http.ResponseWriter, r *http.Request) {
	links, err := s.workers.BrokenLinks(r.Context())
	if err != nil {
		s.fail(w, r, statusOf(err), err)
		return
	}
	s.render(w, r, http.StatusOK, "links", links)
}
