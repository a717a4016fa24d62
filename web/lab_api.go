package web

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"

	"github.com/orchard-oer/orchard/lab"
)

// The lab's JSON API: facilitators (librarians) build sets and open classes; learners join a
// class with its code and answer with the key they were given.

// openLab opens the lab's store beside the server's other stores.
func (s *Server) openLab(ctx context.Context) error {
	st, err := lab.Open(ctx, s.workers, s.index)
	if err != nil {
		return fmt.Errorf("new web server: %w", err)
	}
	s.lab = st
	return nil
}

// labError answers an error of the lab with a status and a message a learner can act on.
func (s *Server) labError(w http.ResponseWriter, r *http.Request, err error) {
	var fe *lab.FieldError
	switch {
	case errors.As(err, &fe):
		s.fail(w, r, http.StatusBadRequest, &ParamError{fe.Field, fe.Reason})
	case errors.Is(err, lab.ErrNotFound):
		s.fail(w, r, http.StatusNotFound, err)
	case errors.Is(err, lab.ErrKey):
		s.fail(w, r, http.StatusForbidden, err)
	case errors.Is(err, lab.ErrClosed), errors.Is(err, lab.ErrFull), errors.Is(err, lab.ErrGone):
		s.fail(w, r, http.StatusConflict, err)
	default:
		s.fail(w, r, statusOf(err), err)
	}
}

// learnerKeyHeader carries "<learner id>.<key>", the one value a learner's client keeps.
const learnerKeyHeader = "X-Learner-Key"

func splitLearnerKey(v string) (id, key string) {
	id, key, _ = strings.Cut(v, ".")
	return id, key
}

// LabClass is a class as learners see it: prompts and the records to look at, not the facts
// that answer the questions.
type LabClass struct {
	Code      string        `json:"code"`
	Title     string        `json:"title"`
	Closed    bool          `json:"closed"`
	Questions []LabQuestion `json:"questions"`
}

// LabQuestion is one question of a LabClass.
type LabQuestion struct {
	N       int            `json:"n"`
	Kind    lab.Kind       `json:"kind"`
	Prompt  string         `json:"prompt"`
	Records []LabRecordRef `json:"records"`
}

// LabRecordRef names a record a question is about, with its page.
type LabRecordRef struct {
	ID    string `json:"id"`
	Title string `json:"title"`
	Page  string `json:"page"`
}

func labClassOf(c *lab.Class) LabClass {
	out := LabClass{Code: c.Code, Title: c.Title, Closed: c.Closed, Questions: make([]LabQuestion, len(c.Items))}
	for i, it := range c.Items {
		q := LabQuestion{N: it.N, Kind: it.Question.Kind, Prompt: it.Prompt, Records: []LabRecordRef{}}
		for _, f := range it.Facts {
			q.Records = append(q.Records, LabRecordRef{ID: f.ID, Title: f.Title, Page: "/records/" + f.ID})
		}
		out.Questions[i] = q
	}
	return out
}

// LabLearner is a learner's own answers.
type LabLearner struct {
	ID      string                  `json:"id"`
	Name    string                  `json:"name"`
	Key     string                  `json:"key,omitempty"` // only when they just joined
	Correct int                     `json:"correct"`
	Answers map[string]lab.Answered `json:"answers"`
}

func labLearnerOf(l *lab.Learner) LabLearner {
	return LabLearner{ID: l.ID, Name: l.Name, Correct: l.Correct(), Answers: l.Answers}
}

func (s *Server) apiLabSets(w http.ResponseWriter, r *http.Request) {
	sets, err := s.lab.Sets(r.Context())
	if err != nil {
		s.labError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"sets": sets})
}

func (s *Server) apiLabSetCreate(w http.ResponseWriter, r *http.Request) {
	var set lab.Set
	if err := decodeBody(r, &set); err != nil {
		writeError(w, http.StatusBadRequest, err)
		return
	}
	s.createSet(w, r, set)
}

func (s *Server) createSet(w http.ResponseWriter, r *http.Request, set lab.Set) {
	out, err := s.lab.CreateSet(r.Context(), set, viewerOf(r).Name)
	if err != nil {
		s.labError(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, out)
}

// apiLabSetImport takes a set in YAML, as another institution exported it.
func (s *Server) apiLabSetImport(w http.ResponseWriter, r *http.Request) {
	b, err := io.ReadAll(io.LimitReader(r.Body, lab.MaxYAML+1))
	if err != nil {
		writeError(w, http.StatusBadRequest, err)
		return
	}
	set, err := lab.ParseYAML(b)
	if err != nil {
		s.labError(w, r, err)
		return
	}
	s.createSet(w, r, *set)
}

func (s *Server) apiLabSet(w http.ResponseWriter, r *http.Request) {
	set, err := s.lab.Set(r.Context(), r.PathValue("id"))
	if err != nil {
		s.labError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, set)
}

func (s *Server) apiLabSetExport(w http.ResponseWriter, r *http.Request) {
	set, err := s.lab.Set(r.Context(), r.PathValue("id"))
	if err != nil {
		s.labError(w, r, err)
		return
	}
	s.writeYAML(w, r, set)
}

// writeYAML sends a set as a YAML download.
func (s *Server) writeYAML(w http.ResponseWriter, r *http.Request, set *lab.Set) {
	b, err := set.YAML()
	if err != nil {
		s.labError(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "application/yaml; charset=utf-8")
	w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="orchard-set-%s.yaml"`, set.ID))
	_, _ = w.Write(b)
}

func (s *Server) apiLabClassOpen(w http.ResponseWriter, r *http.Request) {
	c, err := s.lab.OpenClass(r.Context(), r.PathValue("id"), viewerOf(r).Name)
	if err != nil {
		s.labError(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, c)
}

func (s *Server) apiLabClasses(w http.ResponseWriter, r *http.Request) {
	cs, err := s.lab.Classes(r.Context())
	if err != nil {
		s.labError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"classes": nonNil(cs)})
}

func (s *Server) apiLabClassClose(w http.ResponseWriter, r *http.Request) {
	var body struct {
		Closed bool `json:"closed"`
	}
	if err := decodeBody(r, &body); err != nil {
		writeError(w, http.StatusBadRequest, err)
		return
	}
	c, err := s.lab.SetClosed(r.Context(), r.PathValue("code"), body.Closed)
	if err != nil {
		s.labError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, c)
}

// LabResults is the facilitator's table: the class with its facts, and every learner's
// answers.
type LabResults struct {
	Class    *lab.Class   `json:"class"`
	Learners []LabLearner `json:"learners"`
}

func (s *Server) apiLabResults(w http.ResponseWriter, r *http.Request) {
	c, ls, err := s.lab.Results(r.Context(), r.PathValue("code"))
	if err != nil {
		s.labError(w, r, err)
		return
	}
	if r.URL.Query().Get("format") == "csv" {
		s.writeResultsCSV(w, r, c, ls)
		return
	}
	out := LabResults{Class: c, Learners: make([]LabLearner, len(ls))}
	for i := range ls {
		out.Learners[i] = labLearnerOf(&ls[i])
	}
	writeJSON(w, http.StatusOK, out)
}

func (s *Server) writeResultsCSV(w http.ResponseWriter, r *http.Request, c *lab.Class, ls []lab.Learner) {
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="orchard-class-%s.csv"`, c.Code))
	if err := lab.WriteCSV(w, c, ls); err != nil {
		s.log.Error("write class results", "class", c.Code, "err", err)
	}
}

// Learners' routes.

func (s *Server) apiLabClass(w http.ResponseWriter, r *http.Request) {
	c, err := s.lab.Class(r.Context(), r.PathValue("code"))
	if err != nil {
		s.labError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, labClassOf(c))
}

func (s *Server) apiLabJoin(w http.ResponseWriter, r *http.Request) {
	var body struct {
		Name string `json:"name"`
	}
	if err := decodeBody(r, &body); err != nil {
		writeError(w, http.StatusBadRequest, err)
		return
	}
	c, l, key, err := s.lab.Join(r.Context(), r.PathValue("code"), body.Name)
	if err != nil {
		s.labError(w, r, err)
		return
	}
	me := labLearnerOf(l)
	me.Key = l.ID + "." + key
	writeJSON(w, http.StatusCreated, map[string]any{"class": labClassOf(c), "learner": me})
}

func (s *Server) apiLabMe(w http.ResponseWriter, r *http.Request) {
	id, key := splitLearnerKey(r.Header.Get(learnerKeyHeader))
	_, l, err := s.lab.Learner(r.Context(), r.PathValue("code"), id, key)
	if err != nil {
		s.labError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, labLearnerOf(l))
}

func (s *Server) apiLabAnswer(w http.ResponseWriter, r *http.Request) {
	n, err := strconv.Atoi(r.PathValue("n"))
	if err != nil {
		s.fail(w, r, http.StatusBadRequest, &ParamError{"n", "must be a question number"})
		return
	}
	var a lab.Answer
	if err := decodeBody(r, &a); err != nil {
		s.fail(w, r, statusOf(err), err)
		return
	}
	id, key := splitLearnerKey(r.Header.Get(learnerKeyHeader))
	done, err := s.lab.Answer(r.Context(), r.PathValue("code"), id, key, n, a)
	if err != nil {
		s.labError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, done)
}
