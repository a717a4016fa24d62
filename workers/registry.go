package workers

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/orchard-oer/orchard/harvester"
	"github.com/orchard-oer/orchard/harvester/oaipmh"
	"github.com/orchard-oer/orchard/harvester/site"
)

// Errors callers branch on.
var (
	ErrInvalid  = errors.New("invalid")
	ErrNotFound = errors.New("not found")
	ErrExists   = errors.New("already exists")
	// ErrConflict is returned by an update whose revision is no longer the stored one.
	ErrConflict = errors.New("changed since it was read")
	// ErrPending is returned when a source already has a job queued or running.
	ErrPending = errors.New("a job is already queued or running")
	// ErrFull is returned by a write to a bucket that holds as many bytes as it may.
	ErrFull = errors.New("store is full")
)

// MinPace is the least time between two requests to a source's host that a source may ask for.
const MinPace = 100 * time.Millisecond

// Source is a harvest source as the registry keeps it.
type Source struct {
	harvester.Source
	// Title and Description are what learners see of the source instead of its name.
	Title       string `json:"title,omitempty"`
	Description string `json:"description,omitempty"`
	// Schedule is a 5-field cron expression ("30 2 * * *"), a descriptor ("@daily", "@hourly")
	// or an interval ("@every 6h"); empty means manual runs only.
	Schedule string `json:"schedule,omitempty"`
	// TimeZone the schedule is read in (IANA name); empty is UTC.
	TimeZone string `json:"time_zone,omitempty"`
	// FullEvery overrides Config.FullEvery for this source: 0 takes it, negative never.
	FullEvery time.Duration `json:"full_every,omitempty"`

	// Paused sources keep their schedule but are not run by the scheduler.
	Paused   bool      `json:"paused,omitempty"`
	Created  time.Time `json:"created"`
	Updated  time.Time `json:"updated"`
	Revision uint64    `json:"-"` // KV revision the source was read at
}

// Registry stores sources in a KV bucket, one key per source name.
type Registry struct {
	nc    *nats.Conn
	kv    jetstream.KeyValue
	ckpts jetstream.KeyValue
}

var (
	nameRe = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{0,62}$`)
)

// Bounds of what learners read about a source: a heading and a short paragraph.
const (
	maxTitle       = 200
	maxDescription = 2000
)

// Validate reports everything wrong with src, wrapped in ErrInvalid, or nil.
func (src *Source) Validate() error {
	var bad []string
	if !nameRe.MatchString(src.Name) {
		bad = append(bad, fmt.Sprintf("name %q must be 1 to 63 of [a-z0-9-], starting with a letter or digit", src.Name))
	}
	// Each harvester checks the settings of its own type.
	validators := map[string]func(harvester.Source) error{
		harvester.TypeOAIPMH: oaipmh.Validate,
		harvester.TypeWeb:    site.Validate,
	}
	if validate, ok := validators[src.Type]; ok {
		if err := validate(src.Source); err != nil {
			bad = append(bad, err.Error())
		}
	} else {
		bad = append(bad, fmt.Sprintf("type %q must be %s or %s", src.Type, harvester.TypeOAIPMH, harvester.TypeWeb))
	}
	if n := utf8.RuneCountInString(src.Title); n > maxTitle {
		bad = append(bad, fmt.Sprintf("title must be at most %d characters", maxTitle))
	}
	if n := utf8.RuneCountInString(src.Description); n > maxDescription {
		bad = append(bad, fmt.Sprintf("description must be at most %d characters", maxDescription))
	}
	if src.Pace < 0 || (src.Pace > 0 && src.Pace < MinPace) {
		bad = append(bad, fmt.Sprintf("pace %s must be 0 (default) or at least %s", src.Pace, MinPace))
	}
	if _, err := loadZone(src.TimeZone); err != nil {
		bad = append(bad, err.Error())
	}
	if src.Schedule != "" {
		if _, err := parseSchedule(src.Schedule); err != nil {
			bad = append(bad, err.Error())
		}
	}
	if len(bad) > 0 {
		return fmt.Errorf("%w source: %s", ErrInvalid, strings.Join(bad, "; "))
	}
	return nil
}

// Add stores a new source; ErrExists if the name is taken.
func (r *Registry) Add(ctx context.Context, src Source) (Source, error) {
	if err := src.Validate(); err != nil {
		return Source{}, err
	}
	now := time.Now().UTC()
	src.Created, src.Updated = now, now
	rev, err := putJSON(ctx, r.kv, src.Name, src, freeKey)
	if err != nil {
		return Source{}, fmt.Errorf("add source %s: %w", src.Name, err)
	}
	src.Revision = rev
	return src, nil
}

// Get returns one source, or ErrNotFound.
func (r *Registry) Get(ctx context.Context, name string) (Source, error) {
	if !nameRe.MatchString(name) {
		return Source{}, fmt.Errorf("source %q: %w", name, ErrNotFound)
	}
	src, rev, err := getJSON[Source](ctx, r.kv, name)
	if err != nil {
		return Source{}, fmt.Errorf("source %s: %w", name, err)
	}
	src.Revision = rev
	return src, nil
}

// List returns every source, ordered by name.
func (r *Registry) List(ctx context.Context) ([]Source, error) {
	es, err := entries(ctx, r.nc, r.kv)
	if err != nil {
		return nil, fmt.Errorf("list sources: %w", err)
	}
	out := make([]Source, 0, len(es))
	for _, e := range es {
		src, err := decodeJSON[Source](e)
		if err != nil {
			return nil, fmt.Errorf("list sources: %w", err)
		}
		src.Revision = e.rev
		out = append(out, src)
	}
	slices.SortFunc(out, func(a, b Source) int { return strings.Compare(a.Name, b.Name) })
	return out, nil
}

// Update replaces a source if it is still at src.Revision; ErrConflict otherwise.
func (r *Registry) Update(ctx context.Context, src Source) (Source, error) {
	if err := src.Validate(); err != nil {
		return Source{}, err
	}
	old, err := r.Get(ctx, src.Name)
	if err != nil {
		return Source{}, err
	}
	src.Created = old.Created
	src.Updated = time.Now().UTC()
	b, err := json.Marshal(src)
	if err != nil {
		return Source{}, fmt.Errorf("encode source %s: %w", src.Name, err)
	}
	rev, err := r.kv.Update(ctx, src.Name, b, src.Revision)
	if errors.Is(err, jetstream.ErrKeyRevisionMismatch) || errors.Is(err, jetstream.ErrKeyExists) {
		return Source{}, fmt.Errorf("source %s: %w", src.Name, ErrConflict)
	}
	if err != nil {
		return Source{}, fmt.Errorf("update source %s: %w", src.Name, err)
	}
	src.Revision = rev
	return src, nil
}

// editAttempts bounds how often Edit re-reads a source that another writer changed meanwhile.
const editAttempts = 5

// Edit reads a source, lets change alter it and stores the result at the revision it was read
// at, so that settings that change leaves alone are never lost. With rev 0 a write that another writer
// raced is retried on a fresh read (change must then depend only on what it is given); with a
// non-zero rev the source must still be at rev, and ErrConflict says it is not. change may not
// rename the source.
func (r *Registry) Edit(ctx context.Context, name string, rev uint64, change func(*Source) error) (Source, error) {
	for range editAttempts {
		src, err := r.Get(ctx, name)
		if err != nil {
			return Source{}, err
		}
		if rev != 0 && src.Revision != rev {
			return Source{}, fmt.Errorf("source %s: %w", name, ErrConflict)
		}
		read := src.Revision
		if err := change(&src); err != nil {
			return Source{}, err
		}
		src.Revision = read
		if src.Name != name {
			return Source{}, fmt.Errorf("%w source: name %q cannot be changed to %q", ErrInvalid, name, src.Name)
		}
		out, err := r.Update(ctx, src)
		if errors.Is(err, ErrConflict) && rev == 0 {
			continue
		}
		return out, err
	}
	return Source{}, fmt.Errorf("source %s: %w", name, ErrConflict)
}

// Remove deletes a source and its checkpoints. Its records stay in the catalog.
func (r *Registry) Remove(ctx context.Context, name string) error {
	if _, err := r.Get(ctx, name); err != nil {
		return err
	}
	if err := r.kv.Delete(ctx, name); err != nil {
		return fmt.Errorf("remove source %s: %w", name, err)
	}
	for _, k := range []string{name, name + runSuffix} {
		if err := r.ckpts.Delete(ctx, k); err != nil && !errors.Is(err, jetstream.ErrKeyNotFound) {
			return fmt.Errorf("remove checkpoint of %s: %w", name, err)
		}
	}
	return nil
}
