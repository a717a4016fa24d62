// Package remix plans what a learner may make of a toolkit of works: a collection, in which every
// work keeps its own license, or an adaptation, whose license must satisfy all of theirs. It
// writes the marking for the learner's own work. It builds on the license knowledge base
// (license.Compatible, license.Attribute) and is pure: no I/O.
package remix

import (
	"errors"
	"fmt"
	"strings"

	"github.com/orchard-oer/orchard/normalizer/license"
)

// Item is one work of a toolkit.
type Item struct {
	Title     string
	Author    string
	SourceURL string
	License   string // a license id, or anything license.Parse reads
}

// Blocker is an item that stops an answer, with the reason.
type Blocker struct {
	Item   int // index into the items
	Reason string
}

// Collection is the answer for sharing the items side by side, each under its own license.
type Collection struct {
	Possible bool
	Blockers []Blocker // items that may not be shared at all
	// NonCommercial lists the items whose license forbids commercial use: the collection may be
	// shared, but not used commercially unless they are taken out.
	NonCommercial []int
	Reason        string
}

// Clash is the first pair of items whose licenses no adaptation can satisfy together.
type Clash struct {
	A, B   int
	Reason string
}

// Adaptation is the answer for combining the items into one new work.
type Adaptation struct {
	Decidable bool // false when a license is unknown or lacks the version the answer depends on
	Possible  bool
	Blockers  []Blocker // items that may not be adapted, or whose license cannot be read
	Clash     *Clash
	Licenses  []string // ids the adaptation may carry, most current first
	Reason    string
}

// Plan is both answers for one toolkit.
type Plan struct {
	Collection Collection
	Adaptation Adaptation
}

// New plans a toolkit.
func New(items []Item) Plan {
	tools := make([]license.Tool, len(items))
	for i, it := range items {
		tools[i] = tool(it.License)
	}
	return Plan{Collection: collection(items, tools), Adaptation: adaptation(items, tools)}
}

func tool(id string) license.Tool {
	if t, ok := license.Lookup(strings.TrimSpace(id)); ok {
		return t
	}
	return license.Parse(id).Tool
}

// name is how an answer refers to an item: its title, or its position when it has none.
func name(items []Item, i int) string {
	if t := strings.TrimSpace(items[i].Title); t != "" {
		return fmt.Sprintf("%q", t)
	}
	return fmt.Sprintf("item %d", i+1)
}

// shareable says why a tool does not let a work be shared as it is, "" when it does.
func shareable(t license.Tool) string {
	switch {
	case !t.Known():
		return "its license is unknown, so it may not be shared without permission"
	case t.Kind == license.KindReserved:
		return "all rights are reserved, so it may not be shared without permission"
	case t.Kind == license.KindRightsStatement && !t.Derivatives:
		return t.Title + " is a rights statement, not a license: ask the rights holder"
	}
	return ""
}

func collection(items []Item, tools []license.Tool) Collection {
	c := Collection{Possible: true}
	for i, t := range tools {
		if why := shareable(t); why != "" {
			c.Possible = false
			c.Blockers = append(c.Blockers, Blocker{Item: i, Reason: name(items, i) + ": " + why})
			continue
		}
		if !t.Commercial {
			c.NonCommercial = append(c.NonCommercial, i)
		}
	}
	switch {
	case !c.Possible:
		c.Reason = "Not every item may be shared: take out or get permission for " + blockerNames(items, c.Blockers) + "."
	case len(c.NonCommercial) > 0:
		c.Reason = "Every item may be shared under its own license, NoDerivatives ones included as long as they stay unchanged; " +
			"the collection may not be used commercially while it includes " + indexNames(items, c.NonCommercial) + "."
	default:
		c.Reason = "Every item may be shared under its own license; credit each one and keep its license with it."
	}
	return c
}

func adaptation(items []Item, tools []license.Tool) Adaptation {
	var a Adaptation
	if len(items) == 0 {
		a.Reason = "The toolkit is empty."
		return a
	}
	a.Decidable = true
	for i, t := range tools {
		var why string
		switch {
		case shareable(t) != "":
			why = shareable(t)
		case !t.Derivatives:
			why = t.Label + " does not allow adaptations to be shared"
		case t.IsFamily():
			why = t.ID + " names no version, and what an adaptation may carry depends on it"
			a.Decidable = false
		}
		if why != "" {
			a.Blockers = append(a.Blockers, Blocker{Item: i, Reason: name(items, i) + ": " + why})
		}
	}
	if len(a.Blockers) > 0 {
		a.Reason = "These items cannot go into an adaptation: " + blockerNames(items, a.Blockers) + "."
		return a
	}
	for i := range tools {
		for j := i + 1; j < len(tools); j++ {
			if c := license.Compatible(tools[i].ID, tools[j].ID); !c.Possible {
				a.Clash = &Clash{A: i, B: j, Reason: name(items, i) + " (" + tools[i].Label + ") and " +
					name(items, j) + " (" + tools[j].Label + ") cannot be combined: " + c.Reason}
				a.Reason = a.Clash.Reason
				return a
			}
		}
	}
	ids := make([]string, len(tools))
	for i, t := range tools {
		ids[i] = t.ID
	}
	c := license.Compatible(ids...)
	a.Possible, a.Licenses, a.Reason = c.Possible, c.Licenses, c.Reason
	return a
}

func blockerNames(items []Item, bs []Blocker) string {
	idx := make([]int, len(bs))
	for i, b := range bs {
		idx[i] = b.Item
	}
	return indexNames(items, idx)
}

func indexNames(items []Item, idx []int) string {
	names := make([]string, len(idx))
	for i, k := range idx {
		names[i] = name(items, k)
	}
	return strings.Join(names, ", ")
}

// Kind says what the learner made of the toolkit.
type Kind string

const (
	KindCollection Kind = "collection"
	KindAdaptation Kind = "adaptation"
)

// Own is the learner's own work.
type Own struct {
	Title   string
	Author  string
	URL     string
	License string // the license the learner chose
	Kind    Kind
}

// ErrNotAllowed is returned when the chosen license or kind does not fit the toolkit.
var ErrNotAllowed = errors.New("not allowed for this toolkit")

// Marking writes the notice for the learner's own work: its title, author and license, then
// what it adapts or includes, each item with its title, author, source and license. It refuses a
// license the plan does not allow.
func Marking(own Own, items []Item, f license.Format) (string, error) {
	p := New(items)
	chosen := tool(own.License)
	if !chosen.Known() || chosen.IsFamily() {
		return "", fmt.Errorf("marking: %w: %q is not a license with a version", ErrNotAllowed, own.License)
	}
	var heading string
	switch own.Kind {
	case KindAdaptation:
		if !p.Adaptation.Possible {
			return "", fmt.Errorf("marking: %w: %s", ErrNotAllowed, p.Adaptation.Reason)
		}
		allowed := false
		for _, id := range p.Adaptation.Licenses {
			allowed = allowed || id == chosen.ID
		}
		if !allowed {
			return "", fmt.Errorf("marking: %w: an adaptation of these items may carry %s, not %s", ErrNotAllowed,
				strings.Join(p.Adaptation.Licenses, ", "), chosen.ID)
		}
		heading = "It adapts:"
	case KindCollection:
		if !p.Collection.Possible {
			return "", fmt.Errorf("marking: %w: %s", ErrNotAllowed, p.Collection.Reason)
		}
		heading = "It includes, each under its own license:"
	default:
		return "", fmt.Errorf("marking: %w: kind %q is not collection or adaptation", ErrNotAllowed, own.Kind)
	}
	var b strings.Builder
	b.WriteString(license.Attribute(license.Work{Title: own.Title, Author: own.Author, SourceURL: own.URL}, chosen, f))
	bullet := "- "
	if f == license.FormatHTML {
		heading, bullet = "<p>"+heading+"</p>", ""
	}
	b.WriteString("\n\n" + heading + "\n")
	for i, it := range items {
		b.WriteString(bullet + license.Attribute(license.Work{Title: it.Title, Author: it.Author, SourceURL: it.SourceURL}, tool(it.License), f))
		if i < len(items)-1 {
			b.WriteString("\n")
		}
	}
	return b.String(), nil
}
