package workers

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/orchard-oer/orchard/catalog"
	"github.com/orchard-oer/orchard/harvester"
	"github.com/orchard-oer/orchard/harvester/fetch"
	"github.com/orchard-oer/orchard/thumbnail"
	"github.com/orchard-oer/orchard/weburl"
)

// Thumbnails live apart from harvests: indexing a page queues a job per record that names a
// picture, and thumbnailers fetch them at their own pace, so that slow image hosts never hold
// a harvest up.
const (
	thumbsStream   = "ORCHARD_THUMBS"
	thumbsSubject  = "orchard.thumbs."
	thumbsConsumer = "thumbnailers"
	thumbsStore    = "orchard_thumbs"
	thumbFailures  = "orchard_thumb_failures"
	// thumbsAckWait covers one fetch with its retries and pacing.
	thumbsAckWait = 5 * time.Minute
	// headerSource names the picture a stored thumbnail was made of.
	headerSource = "Orchard-Source"
)

// DefaultThumbsMaxBytes is Config.ThumbsMaxBytes when none is configured.
const DefaultThumbsMaxBytes = 4 << 30

// thumbParts are the stream, store and bucket of thumbnails.
type thumbParts struct {
	stream   jetstream.Stream
	store    jetstream.ObjectStore
	failures jetstream.KeyValue
}

// thumbParts provisions the thumbnail stream, store and bucket on first use, so that processes
// that neither make nor serve thumbnails (CLI commands, pipelines without them) leave a cluster
// with no more streams than they need. Every use of s.thumbs calls it first.
func (s *System) thumbParts(ctx context.Context) error {
	s.thumbsMu.Lock()
	defer s.thumbsMu.Unlock()
	if s.thumbs.failures != nil { // the last part ensureThumbs makes
		return nil
	}
	if err := s.ensureThumbs(ctx); err != nil {
		s.thumbs = thumbParts{}
		return fmt.Errorf("provision thumbnails: %w", err)
	}
	return nil
}

func (s *System) ensureThumbs(ctx context.Context) error {
	r, err := s.replicas(ctx, thumbsStream)
	if err != nil {
		return err
	}
	s.thumbs.stream, err = s.js.CreateOrUpdateStream(ctx, jetstream.StreamConfig{
		Name:        thumbsStream,
		Description: "Orchard thumbnails to fetch or remove, one pending per record",
		Subjects:    []string{thumbsSubject + ">"},
		Retention:   jetstream.WorkQueuePolicy,
		// A record's newest wish replaces an older one still waiting.
		MaxMsgsPerSubject: 1,
		Duplicates:        2 * time.Minute,
		MaxAge:            7 * 24 * time.Hour,
		Storage:           jetstream.FileStorage,
		Replicas:          r,
	})
	if err != nil {
		return fmt.Errorf("stream %s: %w", thumbsStream, err)
	}
	_, err = s.thumbs.stream.CreateOrUpdateConsumer(ctx, jetstream.ConsumerConfig{
		Durable:       thumbsConsumer,
		AckPolicy:     jetstream.AckExplicitPolicy,
		AckWait:       thumbsAckWait,
		MaxDeliver:    3, // a thumbnailer lost mid-fetch; failures themselves are recorded, not retried
		MaxAckPending: -1,
		Replicas:      r,
	})
	if err != nil {
		return fmt.Errorf("consumer %s: %w", thumbsConsumer, err)
	}
	ro, err := s.replicas(ctx, "OBJ_"+thumbsStore)
	if err != nil {
		return err
	}
	s.thumbs.store, err = s.js.CreateOrUpdateObjectStore(ctx, jetstream.ObjectStoreConfig{
		Bucket:      thumbsStore,
		Description: "thumbnails of records, by record id",
		MaxBytes:    s.cfg.ThumbsMaxBytes,
		Storage:     jetstream.FileStorage,
		Replicas:    ro,
	})
	if err != nil {
		return fmt.Errorf("object store %s: %w", thumbsStore, err)
	}
	s.thumbs.failures, err = s.bucket(ctx, jetstream.KeyValueConfig{Bucket: thumbFailures,
		Description: "pictures that could not be made into thumbnails, by record id", Storage: jetstream.FileStorage})
	if err != nil {
		return fmt.Errorf("bucket %s: %w", thumbFailures, err)
	}
	return nil
}

// thumbJob asks for a record's thumbnail to be made from URL, or removed when URL is empty.
type thumbJob struct {
	ID  string `json:"id"`
	URL string `json:"url,omitempty"`
}

// queueThumbs asks for the thumbnails of records the index has confirmed, and for the removal
// of deleted records' ones. Publishing is asynchronous: a lost job costs a picture until the
// record is harvested again, never a harvest.
func (s *System) queueThumbs(ups []catalog.Record, dels []string) {
	for _, r := range ups {
		if r.Thumbnail != "" {
			s.publishThumb(thumbJob{ID: r.ID, URL: r.Thumbnail})
		}
	}
	for _, id := range dels {
		s.publishThumb(thumbJob{ID: id})
	}
}

func (s *System) publishThumb(j thumbJob) {
	data, _ := json.Marshal(j)
	sum := sha256.Sum256([]byte(j.URL))
	msg := &nats.Msg{Subject: thumbsSubject + j.ID, Data: data, Header: nats.Header{}}
	// The same wish twice within the duplicate window (a page sent again) is stored once.
	msg.Header.Set(jetstream.MsgIDHeader, j.ID+"."+hex.EncodeToString(sum[:8]))
	if _, err := s.js.PublishMsgAsync(msg); err != nil {
		s.log.Debug("queue thumbnail", "record", j.ID, "err", err)
	}
}

// Thumbnailer makes thumbnails of records' pictures.
type Thumbnailer struct {
	// Client fetches the pictures: it paces each host and refuses private addresses as it
	// does for harvests.
	Client *fetch.Client
	Limits thumbnail.Limits
	// Workers is how many pictures are fetched at once; 0 takes 2.
	Workers int
}

// ThumbnailFailure is why a record's picture gave no thumbnail.
type ThumbnailFailure struct {
	URL    string    `json:"url"`
	Reason string    `json:"reason"`
	At     time.Time `json:"at"`
	// Transient failures (a host down, timeouts) may be tried again after thumbRetryAfter, when
	// the record is harvested again; the others only once the record names another picture.
	Transient bool `json:"transient,omitempty"`
}

// thumbRetryAfter is how long a transient failure stands.
const thumbRetryAfter = 24 * time.Hour

// RunThumbnails makes thumbnails until ctx is done. A picture that cannot be had (refused,
// too large, not an image) is recorded as a failure and not tried again until the record
// names another one; one whose host failed is tried again a day later at the earliest.
func (s *System) RunThumbnails(ctx context.Context, t Thumbnailer) error {
	if t.Client == nil {
		return errors.New("thumbnails need a fetch client")
	}
	t.Limits = t.Limits.WithDefaults()
	if err := s.thumbParts(ctx); err != nil {
		return err
	}
	cons, err := s.thumbs.stream.Consumer(ctx, thumbsConsumer)
	if err != nil {
		return fmt.Errorf("thumbnail consumer: %w", err)
	}
	var wg sync.WaitGroup
	for range max(t.Workers, 1) {
		wg.Go(func() {
			for ctx.Err() == nil {
				fctx, cancel := context.WithTimeout(ctx, fetchWait)
				msg, err := cons.Next(jetstream.FetchContext(fctx))
				cancel()
				if err != nil {
					continue // a timeout, or ctx is done
				}
				s.thumbnail(ctx, t, msg)
			}
		})
	}
	wg.Wait()
	return nil
}

// thumbnail handles one job and settles its message.
func (s *System) thumbnail(ctx context.Context, t Thumbnailer, msg jetstream.Msg) {
	var j thumbJob
	if err := json.Unmarshal(msg.Data(), &j); err != nil || !catalog.ValidID(j.ID) {
		_ = msg.TermWithReason("undecodable thumbnail job")
		return
	}
	err := s.makeThumb(ctx, t, j)
	if ctx.Err() != nil {
		_ = msg.Nak() // stopping: another thumbnailer takes it
		return
	}
	if err != nil {
		// NATS failed, not the picture: tried again a little later, at most MaxDeliver times.
		s.log.Warn("thumbnail", "record", j.ID, "err", err)
		s.metrics.thumbs.WithLabelValues("error").Inc()
		_ = msg.NakWithDelay(time.Minute)
		return
	}
	_ = msg.Ack()
}

// makeThumb fetches, checks, scales and stores one record's picture. Failures of the picture
// are recorded and return nil; the error is what went wrong with NATS.
func (s *System) makeThumb(ctx context.Context, t Thumbnailer, j thumbJob) error {
	if j.URL == "" {
		err := s.thumbs.store.Delete(ctx, j.ID)
		if err != nil && !errors.Is(err, jetstream.ErrObjectNotFound) {
			return fmt.Errorf("remove thumbnail %s: %w", j.ID, err)
		}
		if err := s.thumbs.failures.Purge(ctx, j.ID); err != nil && !errors.Is(err, jetstream.ErrKeyNotFound) {
			return fmt.Errorf("remove thumbnail failure %s: %w", j.ID, err)
		}
		return nil
	}
	if info, err := s.thumbs.store.GetInfo(ctx, j.ID); err == nil && info.Headers.Get(headerSource) == j.URL {
		return nil // made already
	}
	if f, _, err := getJSON[ThumbnailFailure](ctx, s.thumbs.failures, j.ID); err == nil && f.URL == j.URL &&
		(!f.Transient || time.Since(f.At) < thumbRetryAfter) {
		return nil // failed already
	}
	resp, err := t.Client.Do(ctx, fetch.Request{
		URL:     j.URL,
		Header:  http.Header{"Accept": {"image/webp,image/png,image/jpeg,image/gif;q=0.9,*/*;q=0.1"}},
		MaxBody: t.Limits.MaxBytes,
	})
	if ctx.Err() != nil {
		return ctx.Err()
	}
	if err != nil {
		return s.thumbFailed(ctx, j, err)
	}
	img, err := thumbnail.Make(resp.Body, t.Limits)
	if err != nil {
		return s.thumbFailed(ctx, j, err)
	}
	if err := s.StoreThumbnail(ctx, j.ID, j.URL, img); err != nil {
		return err
	}
	s.metrics.thumbs.WithLabelValues("stored").Inc()
	return nil
}

// StoreThumbnail keeps img as the thumbnail of record id, made from the picture at source.
func (s *System) StoreThumbnail(ctx context.Context, id, source string, img thumbnail.Image) error {
	if err := s.thumbParts(ctx); err != nil {
		return err
	}
	meta := jetstream.ObjectMeta{Name: id, Headers: nats.Header{}}
	meta.Headers.Set(headerSource, source)
	meta.Headers.Set("Content-Type", img.ContentType)
	if _, err := s.thumbs.store.Put(ctx, meta, bytes.NewReader(img.Data)); err != nil {
		return fmt.Errorf("store thumbnail %s: %w", id, err)
	}
	if err := s.thumbs.failures.Purge(ctx, id); err != nil && !errors.Is(err, jetstream.ErrKeyNotFound) {
		return fmt.Errorf("clear thumbnail failure %s: %w", id, err)
	}
	return nil
}

func (s *System) thumbFailed(ctx context.Context, j thumbJob, cause error) error {
	s.metrics.thumbs.WithLabelValues("refused").Inc()
	f := ThumbnailFailure{URL: j.URL, Reason: weburl.Redact(cause.Error()), At: time.Now().UTC(),
		Transient: harvester.KindOf(cause) == harvester.KindTransient}
	if _, err := putJSON(ctx, s.thumbs.failures, j.ID, f, anyRevision); err != nil {
		return fmt.Errorf("record thumbnail failure %s: %w", j.ID, err)
	}
	return nil
}

// ThumbnailFailed returns why a record's picture gave no thumbnail, or ErrNotFound.
func (s *System) ThumbnailFailed(ctx context.Context, id string) (ThumbnailFailure, error) {
	if err := s.thumbParts(ctx); err != nil {
		return ThumbnailFailure{}, err
	}
	f, _, err := getJSON[ThumbnailFailure](ctx, s.thumbs.failures, id)
	return f, err
}

// Thumb describes a stored thumbnail.
type Thumb struct {
	ContentType string
	Size        int
	// Version is a short form of the content's digest: it changes with the content, so a URL
	// carrying it can be cached for good.
	Version string
	ETag    string
}

// Thumbs serves stored thumbnails. It keeps the list of them in memory, followed as they
// change, so that pages know without a request which records have one, and the bytes of those
// recently served.
type Thumbs struct {
	store jetstream.ObjectStore

	mu    sync.RWMutex
	known map[string]Thumb
	cache map[string]cachedThumb
	used  int // bytes in cache
}

type cachedThumb struct {
	version string
	data    []byte
}

// thumbCacheBytes bounds the thumbnail bytes kept in memory (a few thousand thumbnails).
const thumbCacheBytes = 64 << 20

// Thumbs follows the thumbnail store until ctx is done. It returns once the stored thumbnails
// are known.
func (s *System) Thumbs(ctx context.Context) (*Thumbs, error) {
	if err := s.thumbParts(ctx); err != nil {
		return nil, err
	}
	w, err := s.thumbs.store.Watch(ctx)
	if err != nil {
		return nil, fmt.Errorf("watch thumbnails: %w", err)
	}
	t := &Thumbs{store: s.thumbs.store, known: map[string]Thumb{}, cache: map[string]cachedThumb{}}
	ready := make(chan struct{})
	go func() {
		defer func() { _ = w.Stop() }()
		initial := true
		for {
			select {
			case <-ctx.Done():
				return
			case info, ok := <-w.Updates():
				if !ok {
					return
				}
				if info == nil {
					if initial {
						initial = false
						close(ready)
					}
					continue
				}
				t.update(info)
			}
		}
	}()
	select {
	case <-ready:
		return t, nil
	case <-ctx.Done():
		return nil, fmt.Errorf("watch thumbnails: %w", ctx.Err())
	}
}

func (t *Thumbs) update(info *jetstream.ObjectInfo) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if info.Deleted {
		delete(t.known, info.Name)
		return
	}
	digest := strings.TrimPrefix(info.Digest, "SHA-256=")
	v := strings.NewReplacer("-", "", "_", "", "=", "").Replace(digest)
	if len(v) > 16 {
		v = v[:16]
	}
	t.known[info.Name] = Thumb{ContentType: info.Headers.Get("Content-Type"), Size: int(info.Size), Version: v, ETag: `"` + v + `"`}
}

// Lookup says whether a record has a thumbnail, and which.
func (t *Thumbs) Lookup(id string) (Thumb, bool) {
	t.mu.RLock()
	defer t.mu.RUnlock()
	th, ok := t.known[id]
	return th, ok
}

// Open returns a record's thumbnail, from memory when it was served lately.
func (t *Thumbs) Open(ctx context.Context, id string) (Thumb, []byte, error) {
	t.mu.RLock()
	th, ok := t.known[id]
	c, hit := t.cache[id]
	t.mu.RUnlock()
	if !ok {
		return Thumb{}, nil, ErrNotFound
	}
	if hit && c.version == th.Version {
		return th, c.data, nil
	}
	data, err := t.store.GetBytes(ctx, id)
	if errors.Is(err, jetstream.ErrObjectNotFound) {
		return Thumb{}, nil, ErrNotFound
	}
	if err != nil {
		return Thumb{}, nil, fmt.Errorf("read thumbnail %s: %w", id, err)
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	if old, ok := t.cache[id]; ok {
		t.used -= len(old.data)
	}
	// Room is made by dropping whichever entries the map yields first: any order will do.
	for k, e := range t.cache {
		if t.used+len(data) <= thumbCacheBytes {
			break
		}
		delete(t.cache, k)
		t.used -= len(e.data)
	}
	t.cache[id] = cachedThumb{version: th.Version, data: data}
	t.used += len(data)
	return th, data, nil
}
