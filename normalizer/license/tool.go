// Package license is Orchard's license knowledge base and normalizer: every Creative Commons legal
// tool with its real jurisdiction ports, the rightsstatements.org statements, common software and
// documentation licenses, a parser for the forms real metadata uses, resolution of several
// statements about one resource, attribution, remix compatibility and plain-language explanations.
// It is pure: no I/O.
package license

import "strings"

// Kind says what sort of statement a tool is.
type Kind string

const (
	KindCC              Kind = "cc"               // a current or retired Creative Commons license
	KindPublicDomain    Kind = "public-domain"    // CC0, the Public Domain Mark, the old dedication, a generic claim
	KindRightsStatement Kind = "rights-statement" // rightsstatements.org
	KindSoftware        Kind = "software"         // software, documentation and data licenses by SPDX id
	KindReserved        Kind = "reserved"         // all rights reserved
)

// Tool is one legal tool, or a family of them when Version is empty.
type Tool struct {
	ID           string // SPDX id or the same pattern; the family alone when Version is ""
	Family       string // id without version and port, e.g. CC-BY-SA
	URL          string // canonical deed URL, "" for a family or a tool without one
	Label        string // short label, e.g. "CC BY-SA 3.0 DE"
	Title        string // official English title, e.g. "Attribution-ShareAlike 3.0 Germany"
	Version      string
	Jurisdiction string // port code: "de", "igo", "scotland"; "" when not ported
	Kind         Kind

	Commercial  bool // commercial use allowed
	Derivatives bool // adaptations may be shared
	ShareAlike  bool // adaptations must carry the same (or a compatible) license
	Attribution bool // credit is required
	Open        bool // a free-culture license: BY, BY-SA, the public-domain tools, free software licenses
	Retired     bool // withdrawn by its steward; still valid for works already under it

	code   string // Creative Commons license code, e.g. "by-nc-sa", "sampling+"
	family bool   // a version-less family entry
}

// IsFamily reports whether t stands for a whole family (CC-BY-SA, GPL) rather than one tool.
func (t Tool) IsFamily() bool { return t.family }

// Known reports whether the tool was recognised.
func (t Tool) Known() bool { return t.ID != "" }

// JurisdictionName is the English name of the tool's port, "" when it has none.
func (t Tool) JurisdictionName() string { return portNames[t.Jurisdiction] }

// TitleIn returns the official title in a language ("de", "fr", "es"; "en" or "" for English), or
// the English title when no translation is known.
func (t Tool) TitleIn(lang string) string {
	if tr, ok := translatedTitles[t.ID][lang]; ok {
		return tr
	}
	return t.Title
}

// kb is the knowledge base, built once from the tables in data.go.
var kb = buildKB()

type knowledge struct {
	tools    []Tool         // concrete tools in a stable order
	families []Tool         // family entries (version-less)
	byID     map[string]int // lower-case id → index into all
	all      []Tool         // tools then families
	byPath   map[string]int // canonical creativecommons.org path ("by-sa/4.0/de") → index into all
	byLabel  map[string]int // lower-case label → index into all, tools before families
}

// Lookup finds a tool or a family by id, case-insensitively.
func Lookup(id string) (Tool, bool) {
	if i, ok := lookupID(id); ok {
		return kb.all[i], true
	}
	return Tool{}, false
}

func lookupID(id string) (int, bool) {
	var buf [64]byte
	if len(id) > len(buf) {
		i, ok := kb.byID[strings.ToLower(id)]
		return i, ok
	}
	b := buf[:len(id)]
	for i := 0; i < len(id); i++ {
		b[i] = lower(id[i])
	}
	i, ok := kb.byID[string(b)]
	return i, ok
}

// ByLabel finds a tool or a family by the short label pages show ("CC BY-NC 4.0", "InC"),
// ignoring case.
func ByLabel(label string) (Tool, bool) {
	if i, ok := kb.byLabel[strings.ToLower(strings.TrimSpace(label))]; ok {
		return kb.all[i], true
	}
	return Tool{}, false
}

// All lists every concrete tool (each version and port), in a stable order.
func All() []Tool { return append([]Tool(nil), kb.tools...) }

// Families lists the version-less families (CC-BY, CC-BY-SA, GPL, …).
func Families() []Tool { return append([]Tool(nil), kb.families...) }

func lower(c byte) byte {
	if 'A' <= c && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}

// agrees reports whether t and o name the same tool, or one is a less specific statement of the
// other (a family, or a generic public-domain claim about a public-domain tool).
func (t Tool) agrees(o Tool) bool {
	switch {
	case t.ID == "" || o.ID == "":
		return false
	case t.ID == o.ID:
		return true
	case t.Family == o.Family && (t.IsFamily() || o.IsFamily()):
		return true
	case t.Kind == KindPublicDomain && o.Kind == KindPublicDomain && (t.ID == idPublicDomain || o.ID == idPublicDomain):
		return true
	}
	return false
}

// moreSpecific picks the more specific of two agreeing tools.
func moreSpecific(a, b Tool) Tool {
	score := func(t Tool) int {
		s := 0
		if t.Version != "" {
			s += 2
		}
		if t.ID != idPublicDomain {
			s++
		}
		return s
	}
	if score(b) > score(a) {
		return b
	}
	return a
}
