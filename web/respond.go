package web

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/orchard-oer/orchard/catalog"
	"github.com/orchard-oer/orchard/toolkit"
	"github.com/orchard-oer/orchard/workers"
)

var errNoWorkers = errors.New("this server runs without a harvest system")

// apiError is the body of every error answer.
type apiError struct {
	Error string `json:"error"`
	Param string `json:"param,omitempty"`
}

func writeError(w http.ResponseWriter, status int, err error) {
	body := apiError{Error: err.Error()}
	var pe *ParamError
	var fe *toolkit.FieldError
	switch {
	case errors.As(err, &pe):
		body.Param = pe.Param
	case errors.As(err, &fe):
		body.Param = fe.Field
	}
	writeJSON(w, status, body)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// fail answers an error as JSON to API requests and as a page to browsers.
func (s *Server) fail(w http.ResponseWriter, r *http.Request, status int, err error) {
	if status >= 500 {
		s.log.Error("request failed", "method", r.Method, "path", r.URL.Path, "status", status, "err", err)
	}
	if isAPI(r) {
		writeError(w, status, err)
		return
	}
	s.render(w, r, status, "error", newErrorView(status, err))
}

// errorView is a page that says what went wrong and offers a way on. Title and Message are
// message ids; Text is the error's own sentence, shown where no message says it (the
// translation of a sentence Orchard writes in English is found by its text).
type errorView struct {
	Status  int
	Title   string
	Message string
	Text    string
	// Cause is what is full, for 507 answers.
	Cause string
	// Detail is what the server found wrong with the request, for 400 answers; other causes
	// stay in the log, since they may name internals. ParamErr is Detail when it is about a
	// parameter.
	Detail   string
	ParamErr *ParamError
}

func newErrorView(status int, err error) errorView {
	v := errorView{Status: status, Title: "error.other.title", Text: http.StatusText(status)}
	switch {
	case status == http.StatusNotFound:
		v.Title, v.Message = "error.not_found.title", "error.not_found.text"
	case status == http.StatusInsufficientStorage:
		// A full store is the operator's to mend, not an internal fault: say which.
		v.Title, v.Message, v.Cause = "error.full.title", "error.full.text", err.Error()
	case status >= http.StatusInternalServerError:
		v.Title, v.Message = "error.server.title", "error.server.text"
	case status == http.StatusBadRequest:
		v.Title, v.Message = "error.bad_request.title", "error.bad_request.text"
		v.Detail, v.ParamErr = err.Error(), paramOf(err)
	default:
		v.Text = err.Error()
	}
	return v
}

// notFound answers every path no route claims.
func (s *Server) notFound(w http.ResponseWriter, r *http.Request) {
	s.fail(w, r, http.StatusNotFound, errors.New("not found"))
}

func isAPI(r *http.Request) bool {
	return strings.HasPrefix(r.URL.Path, "/api/") || strings.HasPrefix(r.URL.Path, "/healthz")
}

// statusOf maps errors from the index and workers to HTTP statuses.
func statusOf(err error) int {
	var pe *ParamError
	var fe *toolkit.FieldError
	switch {
	case errors.Is(err, errTooLarge):
		return http.StatusRequestEntityTooLarge
	case errors.Is(err, workers.ErrFull):
		return http.StatusInsufficientStorage
	case errors.As(err, &pe), errors.As(err, &fe), errors.Is(err, workers.ErrInvalid), errors.Is(err, catalog.ErrInvalid):
		return http.StatusBadRequest
	case errors.Is(err, catalog.ErrNotFound), errors.Is(err, workers.ErrNotFound):
		return http.StatusNotFound
	case errors.Is(err, workers.ErrExists), errors.Is(err, workers.ErrConflict),
		errors.Is(err, workers.ErrPending), errors.Is(err, workers.ErrIdle):
		return http.StatusConflict
	}
	return http.StatusBadGateway
}

// maxBody bounds request bodies, JSON and forms alike; every route reads its body through an
// http.MaxBytesReader of this size.
const maxBody = 1 << 20

// errTooLarge is a request body beyond maxBody.
var errTooLarge = &ParamError{"body", fmt.Sprintf("must be at most %d bytes", maxBody)}

// limitBody bounds the body before any handler reads it.
func limitBody(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Body != nil {
			r.Body = http.MaxBytesReader(w, r.Body, maxBody)
		}
		h.ServeHTTP(w, r)
	})
}

// bodyError turns a read past maxBody into errTooLarge.
func bodyError(err error) error {
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		return errTooLarge
	}
	return err
}

// decodeBody reads a JSON request body into v, refusing unknown fields.
func decodeBody(r *http.Request, v any) error {
	return decodeJSON(r.Body, v)
}

// decodeJSON reads JSON into v, refusing unknown fields; fields the JSON leaves out keep
// their values in v.
func decodeJSON(rd io.Reader, v any) error {
	dec := json.NewDecoder(rd)
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		if bodyError(err) == errTooLarge {
			return errTooLarge
		}
		return &ParamError{"body", fmt.Sprintf("invalid JSON: %v", err)}
	}
	return nil
}

// checkRecordID validates the {id} path value.
func checkRecordID(id string) error {
	if !catalog.ValidID(id) {
		return &ParamError{"id", "must be 1 to 511 characters of [A-Za-z0-9_-]"}
	}
	return nil
}
