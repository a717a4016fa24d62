// Package meili is the catalog index on a Meilisearch server, for catalogs or traffic one
// process cannot hold.
package meili

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/meilisearch/meilisearch-go"

	"github.com/orchard-oer/orchard/catalog"
)

// Config says which server and index to use.
type Config struct {
	URL string
	// Key is the master or an admin key; it writes documents and settings.
	Key string
	// SearchKey is a search-only key for reads. When empty and Key is set, New looks up a
	// search-only key on the server (Meilisearch creates "Default Search API Key"), and falls
	// back to Key when there is none.
	SearchKey string
	// Index is the index uid.
	Index string
	// Timeout bounds each request and, at startup, how long an unreachable server is retried
	// (default 30 s).
	Timeout time.Duration
	// TaskTimeout bounds the wait for one indexing task (default 10 min).
	TaskTimeout time.Duration
}

// Index is a catalog.Index on Meilisearch. It is safe for concurrent use.
type Index struct {
	cfg    Config
	log    *slog.Logger
	writer meilisearch.IndexManager
	reader meilisearch.IndexManager
	admin  meilisearch.ServiceManager
}

var (
	_ catalog.Index       = (*Index)(nil)
	_ catalog.AsyncWriter = (*Index)(nil)
)

// Settings sent before any document, so documents are indexed once, the right way.
const (
	maxValuesPerFacet = 100 // as the embedded index counts
	maxTotalHits      = 1_000_000
	oneTypo           = 5 // word length for one typo, Meilisearch's default, as the embedded index
	twoTypos          = 9
	taskPoll          = 20 * time.Millisecond
)

// searchable in order of weight: a match in the title ranks first.
var searchable = []string{"title", "keywords", "subjects", "description", "creators", catalog.FieldFieldLabels}

// Document fields beside those catalog.Record.IndexFields derives (catalog.Field*): record
// fields used as they are, and the keys of harvest lists.
const (
	fieldDatestamp = "datestamp"
	fieldListDate  = "list_date"
	fieldListID    = "list_id" // the id in hex, see List
	fieldYear      = "year"
	fieldID        = "id"
)

func settings() *meilisearch.Settings {
	filterable := []string{fieldID, fieldListDate, fieldListID, catalog.FieldHidden, catalog.FieldCommercial, catalog.FieldDerivatives, catalog.FieldOpen, catalog.FieldCommons, fieldYear}
	for _, f := range catalog.Facets {
		filterable = append(filterable, catalog.FacetPrefix+f)
	}
	return &meilisearch.Settings{
		// "sort" first: a requested order (newest, title) wins over relevance; without a sort
		// parameter the rule does nothing.
		RankingRules:         []string{"sort", "words", "typo", "proximity", "attribute", "exactness"},
		SearchableAttributes: searchable,
		FilterableAttributes: filterable,
		SortableAttributes:   []string{catalog.FieldSortTitle, catalog.FieldSortDate, fieldDatestamp, fieldID, fieldListDate, fieldListID},
		// The whole struct: a partial one turns typo tolerance off.
		TypoTolerance: &meilisearch.TypoTolerance{
			Enabled:             true,
			MinWordSizeForTypos: meilisearch.MinWordSizeForTypos{OneTypo: oneTypo, TwoTypos: twoTypos},
			DisableOnWords:      []string{},
			DisableOnAttributes: []string{},
		},
		Pagination: &meilisearch.Pagination{MaxTotalHits: maxTotalHits},
		Faceting: &meilisearch.Faceting{
			MaxValuesPerFacet: maxValuesPerFacet,
			SortFacetValuesBy: map[string]meilisearch.SortFacetType{"*": meilisearch.SortFacetTypeCount},
		},
	}
}

// httpClient talks to Meilisearch without gzip: Go's transparent compression stalls about
// 40 ms per request on reused connections against Meilisearch 1.21.
func httpClient(timeout time.Duration) *http.Client {
	return &http.Client{
		Timeout: timeout,
		Transport: refusedBodies{&http.Transport{
			DisableCompression:  true,
			DialContext:         (&net.Dialer{Timeout: 5 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
			MaxIdleConns:        64,
			MaxIdleConnsPerHost: 64,
			IdleConnTimeout:     90 * time.Second,
		}},
	}
}

// refusedBodies drops pooled connections after Meilisearch refuses a request that carried a
// body for its key (401, 403): it answers before reading the body (which meilisearch-go sends
// chunked) and keeps the connection open, and the next request sent on that connection then
// hangs until its deadline.
type refusedBodies struct{ *http.Transport }

func (t refusedBodies) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := t.Transport.RoundTrip(req)
	if err == nil && req.Body != nil && req.Body != http.NoBody &&
		(resp.StatusCode == http.StatusUnauthorized || resp.StatusCode == http.StatusForbidden) {
		resp.Body = closeIdle{resp.Body, t.Transport}
	}
	return resp, err
}

// closeIdle closes the transport's idle connections once the refused answer has been read.
type closeIdle struct {
	io.ReadCloser
	t *http.Transport
}

func (b closeIdle) Close() error {
	err := b.ReadCloser.Close()
	b.t.CloseIdleConnections()
	return err
}

func client(url, key string, hc *http.Client) meilisearch.ServiceManager {
	opts := []meilisearch.Option{meilisearch.WithCustomClient(hc), meilisearch.DisableRetries()}
	if key != "" {
		opts = append(opts, meilisearch.WithAPIKey(key))
	}
	return meilisearch.New(url, opts...)
}

// DefaultConfig is the configuration New completes an empty one to.
func DefaultConfig() Config { return Config{}.withDefaults() }

func (c Config) withDefaults() Config {
	if c.Timeout <= 0 {
		c.Timeout = 30 * time.Second
	}
	if c.TaskTimeout <= 0 {
		c.TaskTimeout = 10 * time.Minute
	}
	return c
}

// New connects to Meilisearch, creates the index when missing and applies its settings. An
// unreachable server is retried with backoff for up to cfg.Timeout.
func New(ctx context.Context, cfg Config, log *slog.Logger) (*Index, error) {
	if cfg.URL == "" || cfg.Index == "" {
		return nil, errors.New("meilisearch: URL and index are required")
	}
	cfg = cfg.withDefaults()
	cfg.URL = strings.TrimRight(cfg.URL, "/")
	hc := httpClient(cfg.Timeout)
	admin := client(cfg.URL, cfg.Key, hc)
	ix := &Index{cfg: cfg, log: log, admin: admin, writer: admin.Index(cfg.Index)}
	if err := ix.waitHealthy(ctx); err != nil {
		return nil, err
	}
	searchKey, err := ix.searchKey(ctx)
	if err != nil {
		return nil, err
	}
	ix.reader = client(cfg.URL, searchKey, hc).Index(cfg.Index)
	if err := ix.ensureIndex(ctx); err != nil {
		return nil, err
	}
	return ix, nil
}

// waitHealthy retries /health with backoff: at startup Meilisearch may not listen yet.
func (ix *Index) waitHealthy(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, ix.cfg.Timeout)
	defer cancel()
	var last error
	for delay := 50 * time.Millisecond; ; delay = min(2*delay, 2*time.Second) {
		h, err := ix.admin.HealthWithContext(ctx)
		if err == nil && h.Status == "available" {
			return nil
		}
		last = err
		if err == nil {
			last = fmt.Errorf("status %q", h.Status)
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("meilisearch %s unreachable: %w", ix.cfg.URL, last)
		case <-time.After(delay):
		}
	}
}

// searchKey picks the key reads use: the configured one, else a search-only key found on the
// server, else the write key.
func (ix *Index) searchKey(ctx context.Context) (string, error) {
	if ix.cfg.SearchKey != "" || ix.cfg.Key == "" {
		return ix.cfg.SearchKey, nil
	}
	var keys *meilisearch.KeysResults
	err := ix.retry(ctx, "list keys", func(ctx context.Context) (err error) {
		keys, err = ix.admin.GetKeysWithContext(ctx, &meilisearch.KeysQuery{Limit: 100})
		return err
	})
	if err != nil {
		return "", err
	}
	for _, k := range keys.Results {
		if slices.Equal(k.Actions, []string{"search"}) && (slices.Contains(k.Indexes, "*") || slices.Contains(k.Indexes, ix.cfg.Index)) &&
			(k.ExpiresAt.IsZero() || k.ExpiresAt.After(time.Now().Add(time.Hour))) {
			ix.log.Debug("meilisearch search key found", "name", k.Name, "uid", k.UID)
			return k.Key, nil
		}
	}
	ix.log.Warn("no search-only Meilisearch key found; searching with the write key", "url", ix.cfg.URL)
	return ix.cfg.Key, nil
}

func (ix *Index) ensureIndex(ctx context.Context) error {
	var info *meilisearch.TaskInfo
	err := ix.retry(ctx, "create index", func(ctx context.Context) (err error) {
		info, err = ix.admin.CreateIndexWithContext(ctx, &meilisearch.IndexConfig{Uid: ix.cfg.Index, PrimaryKey: fieldID})
		return err
	})
	if err != nil {
		return err
	}
	if err := ix.wait(ctx, "create index", info.TaskUID); err != nil && !strings.Contains(err.Error(), "index_already_exists") {
		return err
	}
	err = ix.retry(ctx, "update settings", func(ctx context.Context) (err error) {
		info, err = ix.writer.UpdateSettingsWithContext(ctx, settings())
		return err
	})
	if err != nil {
		return err
	}
	return ix.wait(ctx, "update settings", info.TaskUID)
}

// Close releases nothing: the server holds the index.
func (ix *Index) Close() error { return nil }

// DeleteIndex removes the whole index from the server.
func (ix *Index) DeleteIndex(ctx context.Context) error {
	var info *meilisearch.TaskInfo
	err := ix.retry(ctx, "delete index", func(ctx context.Context) (err error) {
		info, err = ix.admin.DeleteIndexWithContext(ctx, ix.cfg.Index)
		return err
	})
	if err != nil {
		return err
	}
	return ix.wait(ctx, "delete index", info.TaskUID)
}

// wait waits for one task and reports its failure with Meilisearch's own message.
func (ix *Index) wait(ctx context.Context, what string, uid int64) error {
	ctx, cancel := context.WithTimeout(ctx, ix.cfg.TaskTimeout)
	defer cancel()
	var task *meilisearch.Task
	err := ix.retry(ctx, what, func(ctx context.Context) (err error) {
		task, err = ix.admin.WaitForTaskWithContext(ctx, uid, taskPoll)
		return err
	})
	if err != nil {
		return fmt.Errorf("wait for %s task %d: %w", what, uid, err)
	}
	if task.Status != meilisearch.TaskStatusSucceeded {
		return fmt.Errorf("meilisearch %s: %s task %d %s: %s (%s)", ix.cfg.URL, what, uid, task.Status, task.Error.Message, task.Error.Code)
	}
	return nil
}

const attempts = 5

// retry runs fn until it succeeds, fails for good, or attempts run out: connection failures and
// 5xx answers are transient, anything else is final. Errors name the server and Meilisearch's
// own message.
func (ix *Index) retry(ctx context.Context, what string, fn func(ctx context.Context) error) error {
	delay := 100 * time.Millisecond
	for attempt := 1; ; attempt++ {
		err := fn(ctx)
		if err == nil {
			return nil
		}
		if ctx.Err() != nil {
			return fmt.Errorf("meilisearch %s: %s: %w", ix.cfg.URL, what, ctx.Err())
		}
		if attempt == attempts || !transient(err) {
			return fmt.Errorf("meilisearch %s: %s: %s", ix.cfg.URL, what, describe(err))
		}
		ix.log.Warn("meilisearch request failed, retrying", "url", ix.cfg.URL, "op", what, "attempt", attempt, "err", describe(err))
		select {
		case <-ctx.Done():
			return fmt.Errorf("meilisearch %s: %s: %w", ix.cfg.URL, what, ctx.Err())
		case <-time.After(delay):
		}
		delay = min(2*delay, 3*time.Second)
	}
}

func transient(err error) bool {
	var me *meilisearch.Error
	if !errors.As(err, &me) {
		return false
	}
	switch me.ErrCode {
	case meilisearch.MeilisearchCommunicationError:
		return true
	case meilisearch.MeilisearchApiError, meilisearch.MeilisearchApiErrorWithoutMessage:
		return me.StatusCode >= 500
	}
	return false
}

// describe shortens meilisearch-go's errors to Meilisearch's message and code.
func describe(err error) string {
	var me *meilisearch.Error
	switch {
	case !errors.As(err, &me):
		return err.Error()
	case me.StatusCode != 0 && me.MeilisearchApiError.Code != "":
		return fmt.Sprintf("%s (%s, HTTP %d)", me.MeilisearchApiError.Message, me.MeilisearchApiError.Code, me.StatusCode)
	case me.OriginError != nil:
		return me.OriginError.Error()
	}
	return err.Error()
}
