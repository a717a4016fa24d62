package lab

import (
	"cmp"
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/orchard-oer/orchard/auth"
	"github.com/orchard-oer/orchard/catalog"
	"github.com/orchard-oer/orchard/workers"
)

// Bucket is the document bucket the lab is kept in. Learners write to it without an account,
// so it is bounded: BucketBytes in all, BucketValue per document (a learner with every
// question answered at MaxText stays well below it).
const (
	Bucket      = "lab"
	BucketBytes = 256 << 20
	BucketValue = 1 << 20
)

// Class is an exercise set opened for learners. Its items keep the questions with the facts of
// their records as they were when it opened.
type Class struct {
	Code     string    `json:"code"`
	Set      string    `json:"set"`
	Title    string    `json:"title"`
	Items    []Item    `json:"items"`
	Skipped  []string  `json:"skipped,omitempty"` // why questions of the set were left out
	Closed   bool      `json:"closed"`
	By       string    `json:"by,omitempty"`
	Created  time.Time `json:"created"`
	Learners int       `json:"learners"`
}

// Item is a question as a class asks it.
type Item struct {
	N        int      `json:"n"` // 1-based, stable within the class
	Prompt   string   `json:"prompt"`
	Question Question `json:"question"`
	Facts    []Facts  `json:"facts,omitempty"`
}

// Item returns the class's question n.
func (c *Class) Item(n int) (*Item, error) {
	if n < 1 || n > len(c.Items) {
		return nil, &FieldError{"question", fmt.Sprintf("this class has questions 1 to %d", len(c.Items))}
	}
	return &c.Items[n-1], nil
}

// Learner is one member of a class, known by a display name and a secret key.
type Learner struct {
	ID       string              `json:"id"`
	Name     string              `json:"name"`
	KeyHash  string              `json:"key_hash"`
	Joined   time.Time           `json:"joined"`
	Attempts int                 `json:"attempts"`
	Answers  map[string]Answered `json:"answers"` // by question number
}

// Answered is the last answer to one question, with its grade.
type Answered struct {
	Answer Answer    `json:"answer"`
	Result Result    `json:"result"`
	At     time.Time `json:"at"`
	Tries  int       `json:"tries"`
}

// Last returns the last answer to question n, if any.
func (l *Learner) Last(n int) (Answered, bool) {
	a, ok := l.Answers[strconv.Itoa(n)]
	return a, ok
}

// Correct counts the questions whose last answer was right.
func (l *Learner) Correct() int {
	n := 0
	for _, a := range l.Answers {
		if a.Result.Correct {
			n++
		}
	}
	return n
}

func (l *Learner) keyOK(key string) bool {
	return key != "" && subtle.ConstantTimeCompare([]byte(auth.Hash(key)), []byte(l.KeyHash)) == 1
}

// DocStore opens document buckets; *workers.System is one.
type DocStore interface {
	Docs(ctx context.Context, bucket string) (*workers.Docs, error)
}

// boundedDocStore is a DocStore that can also bound a bucket's size, as *workers.System does.
type boundedDocStore interface {
	BoundedDocs(ctx context.Context, bucket string, maxBytes int64, maxValue int32) (*workers.Docs, error)
}

// Store keeps sets, classes and learners, and reads the catalog to open classes and to check
// the records learners find.
type Store struct {
	docs  *workers.Docs
	index catalog.Index
}

// Open opens the lab's bucket in w (bounded when w can bound it) over the catalog index.
func Open(ctx context.Context, w DocStore, index catalog.Index) (*Store, error) {
	var d *workers.Docs
	var err error
	if b, ok := w.(boundedDocStore); ok {
		d, err = b.BoundedDocs(ctx, Bucket, BucketBytes, BucketValue)
	} else {
		d, err = w.Docs(ctx, Bucket)
	}
	if err != nil {
		return nil, fmt.Errorf("open lab: %w", err)
	}
	return &Store{docs: d, index: index}, nil
}

// Document keys: sets and classes by id and code, learners under their class.
func setKey(id string) string           { return "set." + id }
func classKey(code string) string       { return "class." + code }
func learnerKey(code, id string) string { return "learner." + code + "." + id }

// codeAlphabet leaves out letters and digits that are easily confused (0 O, 1 I L).
const codeAlphabet = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"

// CodeLen is the length of a class code: 31^6 ≈ 890 million codes.
const CodeLen = 6

func newCode() string {
	b := make([]byte, CodeLen)
	_, _ = rand.Read(b) // crypto/rand.Read never fails
	for i := range b {
		b[i] = codeAlphabet[int(b[i])%len(codeAlphabet)]
	}
	return string(b)
}

// NormalizeCode reads a code as people type it: any case, with spaces or a dash.
func NormalizeCode(code string) (string, error) {
	code = strings.ToUpper(strings.NewReplacer(" ", "", "-", "").Replace(strings.TrimSpace(code)))
	if len(code) != CodeLen || strings.Trim(code, codeAlphabet) != "" {
		return "", fmt.Errorf("class %q: %w: check the code with your facilitator", code, ErrNotFound)
	}
	return code, nil
}

// shortID is a random id of 12 hex digits: safe in URLs and document keys, and never read as a
// flag when typed after a command (a base64 id may start with "-").
func shortID() string {
	b := make([]byte, 6)
	_, _ = rand.Read(b) // crypto/rand.Read never fails
	return hex.EncodeToString(b)
}

func validShortID(id string) bool { return len(id) == 12 && catalog.ValidID(id) }

// CreateSet validates and stores a new set.
func (s *Store) CreateSet(ctx context.Context, set Set, by string) (*Set, error) {
	if err := set.Validate(); err != nil {
		return nil, err
	}
	if n, err := s.count(ctx, "set."); err != nil {
		return nil, err
	} else if n >= MaxSets {
		return nil, fmt.Errorf("sets: at most %d: %w", MaxSets, ErrFull)
	}
	set.ID, set.By, set.Created = shortID(), by, time.Now().UTC()
	if _, err := s.docs.Create(ctx, setKey(set.ID), set); err != nil {
		return nil, fmt.Errorf("create set: %w", err)
	}
	return &set, nil
}

func (s *Store) count(ctx context.Context, prefix string) (int, error) {
	docs, err := s.docs.List(ctx, prefix)
	if err != nil {
		return 0, fmt.Errorf("count %s: %w", strings.TrimSuffix(prefix, "."), err)
	}
	return len(docs), nil
}

// Set returns a stored set or the starter set (id StarterID).
func (s *Store) Set(ctx context.Context, id string) (*Set, error) {
	if id == StarterID {
		return Starter()
	}
	if !validShortID(id) {
		return nil, fmt.Errorf("set %q: %w", id, ErrNotFound)
	}
	var set Set
	if _, err := s.docs.Get(ctx, setKey(id), &set); errors.Is(err, workers.ErrNotFound) {
		return nil, fmt.Errorf("set %s: %w", id, ErrNotFound)
	} else if err != nil {
		return nil, err
	}
	return &set, nil
}

// Sets lists the starter set, then the stored sets, newest first.
func (s *Store) Sets(ctx context.Context) ([]Set, error) {
	starter, err := Starter()
	if err != nil {
		return nil, err
	}
	sets, err := listDocs[Set](ctx, s.docs, "set.")
	if err != nil {
		return nil, err
	}
	slices.SortFunc(sets, func(a, b Set) int { return b.Created.Compare(a.Created) })
	return append([]Set{*starter}, sets...), nil
}

func listDocs[T any](ctx context.Context, d *workers.Docs, prefix string) ([]T, error) {
	docs, err := d.List(ctx, prefix)
	if err != nil {
		return nil, fmt.Errorf("list %s: %w", strings.TrimSuffix(prefix, "."), err)
	}
	out := make([]T, 0, len(docs))
	for _, doc := range docs {
		var v T
		if err := json.Unmarshal(doc.Value, &v); err != nil {
			return nil, fmt.Errorf("read %s: %w", doc.Key, err)
		}
		out = append(out, v)
	}
	return out, nil
}

// OpenClass opens a class for a set: it reads each question's records from the catalog (or
// picks them by the question's query) and keeps their facts. A named record that left the
// catalog stops the opening with an error naming it; a pick that finds nothing leaves its
// question out, said in Class.Skipped, so that a shared set works on any catalog.
func (s *Store) OpenClass(ctx context.Context, setID, by string) (*Class, error) {
	set, err := s.Set(ctx, setID)
	if err != nil {
		return nil, err
	}
	if n, err := s.count(ctx, "class."); err != nil {
		return nil, err
	} else if n >= MaxClasses {
		return nil, fmt.Errorf("classes: at most %d: %w", MaxClasses, ErrFull)
	}
	c := &Class{Set: set.ID, Title: set.Title, By: by, Created: time.Now().UTC()}
	for i, q := range set.Questions {
		facts, skip, err := s.resolve(ctx, q)
		if err != nil {
			return nil, fmt.Errorf("question %d: %w", i+1, err)
		}
		if skip != "" {
			c.Skipped = append(c.Skipped, fmt.Sprintf("question %d: %s", i+1, skip))
			continue
		}
		c.Items = append(c.Items, Item{N: len(c.Items) + 1, Question: q, Facts: facts, Prompt: prompt(q, facts)})
	}
	if len(c.Items) == 0 {
		return nil, &FieldError{"set", "no question of this set found records in this catalog: " + strings.Join(c.Skipped, "; ")}
	}
	for range 5 { // a code already taken is drawn again
		c.Code = newCode()
		if _, err = s.docs.Create(ctx, classKey(c.Code), c); !errors.Is(err, workers.ErrExists) {
			break
		}
	}
	if err != nil {
		return nil, fmt.Errorf("open class: %w", err)
	}
	return c, nil
}

// resolve reads the facts of a question's records; skip says why a pick found none.
func (s *Store) resolve(ctx context.Context, q Question) (facts []Facts, skip string, err error) {
	for _, id := range q.Records {
		rec, err := s.index.Get(ctx, id)
		if errors.Is(err, catalog.ErrNotFound) || err == nil && (rec.Withheld() || rec.Deleted) {
			return nil, "", fmt.Errorf("record %s is %w since the set was made: edit the set or pick another record", id, ErrGone)
		} else if err != nil {
			return nil, "", fmt.Errorf("read record %s: %w", id, err)
		}
		facts = append(facts, FactsOf(rec))
	}
	for _, p := range q.Picks {
		req := p.Request()
		// Two picks of one question should not pick the same record.
		req.PerPage = len(q.Picks) + 1
		res, err := s.index.Search(ctx, req)
		if err != nil {
			return nil, "", fmt.Errorf("pick %q: %w", p.Describe, err)
		}
		i := slices.IndexFunc(res.Hits, func(h catalog.Hit) bool {
			return !slices.ContainsFunc(facts, func(f Facts) bool { return f.ID == h.ID })
		})
		if i < 0 {
			what := p.Describe
			if what == "" {
				what = "the record it asks for"
			}
			return nil, "this catalog has no " + strings.TrimPrefix(what, "a "), nil
		}
		facts = append(facts, FactsOf(res.Hits[i].Record))
	}
	return facts, "", nil
}

// Class returns a class by code; ErrNotFound names an unknown code clearly.
func (s *Store) Class(ctx context.Context, code string) (*Class, error) {
	c, _, err := s.class(ctx, code)
	return c, err
}

func (s *Store) class(ctx context.Context, code string) (*Class, uint64, error) {
	code, err := NormalizeCode(code)
	if err != nil {
		return nil, 0, err
	}
	var c Class
	rev, err := s.docs.Get(ctx, classKey(code), &c)
	if errors.Is(err, workers.ErrNotFound) {
		return nil, 0, fmt.Errorf("class %s: %w: check the code with your facilitator", code, ErrNotFound)
	} else if err != nil {
		return nil, 0, err
	}
	return &c, rev, nil
}

// Classes lists every class, newest first.
func (s *Store) Classes(ctx context.Context) ([]Class, error) {
	cs, err := listDocs[Class](ctx, s.docs, "class.")
	if err != nil {
		return nil, err
	}
	slices.SortFunc(cs, func(a, b Class) int { return b.Created.Compare(a.Created) })
	return cs, nil
}

// editAttempts bounds how often an edit re-reads a document another edit changed meanwhile.
const editAttempts = 8

// editClass applies change to a class with compare-and-set, again when another edit raced it.
func (s *Store) editClass(ctx context.Context, code string, change func(*Class) error) (*Class, error) {
	for range editAttempts {
		c, rev, err := s.class(ctx, code)
		if err != nil {
			return nil, err
		}
		if err := change(c); err != nil {
			return nil, err
		}
		if _, err := s.docs.Update(ctx, classKey(c.Code), c, rev); errors.Is(err, workers.ErrConflict) {
			continue
		} else if err != nil {
			return nil, err
		}
		return c, nil
	}
	return nil, fmt.Errorf("class %s: %w", code, workers.ErrConflict)
}

// SetClosed closes a class to answers and joins, or opens it again.
func (s *Store) SetClosed(ctx context.Context, code string, closed bool) (*Class, error) {
	return s.editClass(ctx, code, func(c *Class) error { c.Closed = closed; return nil })
}

// Join adds a learner to an open class that has room, and returns the learner with the key
// that lets them answer.
func (s *Store) Join(ctx context.Context, code, name string) (*Class, *Learner, string, error) {
	name, err := cleanName(name)
	if err != nil {
		return nil, nil, "", err
	}
	c, err := s.editClass(ctx, code, func(c *Class) error {
		switch {
		case c.Closed:
			return ErrClosed
		case c.Learners >= MaxLearners:
			return fmt.Errorf("class %s has its %d learners: %w", c.Code, MaxLearners, ErrFull)
		}
		c.Learners++
		return nil
	})
	if err != nil {
		return nil, nil, "", err
	}
	key := auth.Secret()
	l := &Learner{ID: shortID(), Name: name, KeyHash: auth.Hash(key), Joined: time.Now().UTC(), Answers: map[string]Answered{}}
	if _, err := s.docs.Create(ctx, learnerKey(c.Code, l.ID), l); err != nil {
		return nil, nil, "", fmt.Errorf("join class %s: %w", c.Code, err)
	}
	return c, l, key, nil
}

// Learner returns a learner of a class, checking the key.
func (s *Store) Learner(ctx context.Context, code, id, key string) (*Class, *Learner, error) {
	c, err := s.Class(ctx, code)
	if err != nil {
		return nil, nil, err
	}
	l, _, err := s.learner(ctx, c.Code, id, key)
	return c, l, err
}

func (s *Store) learner(ctx context.Context, code, id, key string) (*Learner, uint64, error) {
	if !validShortID(id) {
		return nil, 0, ErrKey
	}
	var l Learner
	rev, err := s.docs.Get(ctx, learnerKey(code, id), &l)
	if errors.Is(err, workers.ErrNotFound) {
		return nil, 0, ErrKey
	} else if err != nil {
		return nil, 0, err
	}
	if !l.keyOK(key) {
		return nil, 0, ErrKey
	}
	return &l, rev, nil
}

// Answer grades a learner's answer to question n and keeps it as their last answer to it. An
// answer that cannot be graded, one to a closed class or one over the learner's bound is
// refused and nothing is kept.
func (s *Store) Answer(ctx context.Context, code, id, key string, n int, a Answer) (Answered, error) {
	c, err := s.Class(ctx, code)
	if err != nil {
		return Answered{}, err
	}
	if c.Closed {
		return Answered{}, ErrClosed
	}
	it, err := c.Item(n)
	if err != nil {
		return Answered{}, err
	}
	var found *Facts
	if it.Question.Kind == KindFind {
		if found, err = s.find(ctx, a.Record); err != nil {
			return Answered{}, err
		}
	}
	res, err := Grade(it.Question, it.Facts, a, found)
	if err != nil {
		return Answered{}, err
	}
	for range editAttempts {
		l, rev, err := s.learner(ctx, c.Code, id, key)
		if err != nil {
			return Answered{}, err
		}
		if l.Attempts >= MaxAnswers {
			return Answered{}, fmt.Errorf("at most %d answers per learner: %w", MaxAnswers, ErrFull)
		}
		prev, _ := l.Last(n)
		done := Answered{Answer: a, Result: res, At: time.Now().UTC(), Tries: prev.Tries + 1}
		l.Attempts++
		l.Answers[strconv.Itoa(n)] = done
		if _, err := s.docs.Update(ctx, learnerKey(c.Code, id), l, rev); errors.Is(err, workers.ErrConflict) {
			continue
		} else if err != nil {
			return Answered{}, fmt.Errorf("keep answer: %w", err)
		}
		return done, nil
	}
	return Answered{}, fmt.Errorf("learner %s: %w", id, workers.ErrConflict)
}

// find reads a record a learner found, by id or by the address of its page in Orchard.
func (s *Store) find(ctx context.Context, idOrURL string) (*Facts, error) {
	id := strings.TrimSpace(idOrURL)
	if i := strings.LastIndex(id, "/records/"); i >= 0 {
		id = strings.TrimRight(id[i+len("/records/"):], "/")
		id, _, _ = strings.Cut(id, "?")
		id, _, _ = strings.Cut(id, "#")
	}
	if !catalog.ValidID(id) {
		return nil, &FieldError{"record", "give the record's id or the address of its page in Orchard (…/records/ID)"}
	}
	rec, err := s.index.Get(ctx, id)
	if errors.Is(err, catalog.ErrNotFound) {
		return nil, &FieldError{"record", fmt.Sprintf("no record %s in the catalog: give the id or the address of its page in Orchard", id)}
	} else if err != nil {
		return nil, fmt.Errorf("read record %s: %w", id, err)
	}
	f := FactsOf(rec)
	return &f, nil
}

// Results returns a class with its learners, ordered by name.
func (s *Store) Results(ctx context.Context, code string) (*Class, []Learner, error) {
	c, err := s.Class(ctx, code)
	if err != nil {
		return nil, nil, err
	}
	ls, err := listDocs[Learner](ctx, s.docs, "learner."+c.Code+".")
	if err != nil {
		return nil, nil, err
	}
	slices.SortFunc(ls, func(a, b Learner) int {
		return cmp.Or(strings.Compare(strings.ToLower(a.Name), strings.ToLower(b.Name)), a.Joined.Compare(b.Joined))
	})
	return c, ls, nil
}
