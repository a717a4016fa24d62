package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/orchard-oer/orchard/web"
)

// The client of a running Orchard's HTTP API, which the admin commands use. It speaks the
// API's own types from package web.

// errStale is returned when an edit pinned to a revision meets a source changed since.
var errStale = errors.New("changed on the server since it was read")

// api calls the admin API of the running Orchard at cfg.Server with the configured token and
// decodes the JSON answer into out (when not nil).
func (a *app) api(ctx context.Context, method, path string, body, out any) error {
	return a.apiAt(ctx, method, path, 0, body, out)
}

// apiAt is api with If-Match: rev when rev is not 0, so that the server refuses a write to
// something changed since rev was read (errStale).
func (a *app) apiAt(ctx context.Context, method, path string, rev uint64, body, out any) error {
	ctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
	defer cancel()
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return err
		}
		rd = bytes.NewReader(b)
	}
	req, err := a.request(ctx, method, path, rd)
	if err != nil {
		return err
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if rev != 0 {
		req.Header.Set("If-Match", strconv.Quote(strconv.FormatUint(rev, 10)))
	}
	resp, err := a.send(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if out == nil || resp.StatusCode == http.StatusNoContent {
		return nil
	}
	if err := json.NewDecoder(resp.Body).Decode(out); err != nil {
		return fmt.Errorf("%s %s: read answer: %w", method, path, err)
	}
	return nil
}

// apiRaw sends body of contentType (when not nil) and returns the answer as it came, for
// answers and bodies that are not JSON (YAML, CSV).
func (a *app) apiRaw(ctx context.Context, method, path, contentType string, body io.Reader) ([]byte, error) {
	ctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
	defer cancel()
	req, err := a.request(ctx, method, path, body)
	if err != nil {
		return nil, err
	}
	if body != nil {
		req.Header.Set("Content-Type", contentType)
	}
	resp, err := a.send(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, fmt.Errorf("%s %s: read answer: %w", method, path, err)
	}
	return b, nil
}

// send sends a request and turns an error answer into an error with the server's message.
func (a *app) send(req *http.Request) (*http.Response, error) {
	method, path := req.Method, req.URL.RequestURI()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, fmt.Errorf("reach orchard at %s: %w", a.cfg.Server, err)
	}
	if resp.StatusCode < 300 {
		return resp, nil
	}
	defer resp.Body.Close()
	var e struct{ Error string }
	_ = json.NewDecoder(io.LimitReader(resp.Body, 1<<20)).Decode(&e)
	if e.Error == "" {
		e.Error = resp.Status
	}
	switch resp.StatusCode {
	case http.StatusUnauthorized:
		e.Error += " (set --token or ORCHARD_TOKEN; create one with `orchard token create --role admin`)"
	case http.StatusPreconditionFailed:
		return nil, fmt.Errorf("%s %s: %w", method, path, errStale)
	}
	return nil, fmt.Errorf("%s %s: %s", method, path, e.Error)
}

// request is a request to the server at path, with the configured token.
func (a *app) request(ctx context.Context, method, path string, body io.Reader) (*http.Request, error) {
	req, err := http.NewRequestWithContext(ctx, method, strings.TrimRight(a.cfg.Server, "/")+path, body)
	if err != nil {
		return nil, err
	}
	if a.cfg.Token != "" {
		req.Header.Set("Authorization", "Bearer "+a.cfg.Token)
	}
	return req, nil
}

// errNoProgress is followProgress's answer for a source that is gone, as one being removed is
// once its records are.
var errNoProgress = errors.New("no progress to follow: the source is gone")

// followProgress reads the server-sent progress events of a source.
func (a *app) followProgress(ctx context.Context, source string, events chan<- web.Progress) error {
	req, err := a.request(ctx, http.MethodGet, "/api/admin/sources/"+url.PathEscape(source)+"/progress", nil)
	if err != nil {
		return err
	}
	req.Header.Set("Accept", "text/event-stream")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return fmt.Errorf("follow progress: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode == http.StatusNotFound {
		return errNoProgress
	}
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("follow progress: %s", resp.Status)
	}
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		data, ok := strings.CutPrefix(sc.Text(), "data:")
		if !ok {
			continue
		}
		var p web.Progress
		if json.Unmarshal([]byte(strings.TrimSpace(data)), &p) != nil {
			continue
		}
		select {
		case events <- p:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	return sc.Err()
}
