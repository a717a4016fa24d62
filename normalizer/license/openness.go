package license

import (
	"fmt"
	"strings"
)

// Openness is one of the three choices of how open the resources a learner sees must be. The
// choices nest: free culture is part of Creative Commons and the public domain, which is part of
// everything. CLI, API, pages and probe all take their words from here.
type Openness struct {
	ID          string // "free", "cc", "any": the value of the openness= parameter and --openness flag
	Label       string // the choice as a control shows it
	Description string // what the choice lets through
	// Standing is the word for one license whose narrowest choice this is, as badges, the CLI
	// and the probe show it.
	Standing string
}

// The openness choices, narrowest first.
var (
	OpennessFree = Openness{
		ID:          "free",
		Label:       "Free culture",
		Description: "May be adapted and used commercially: CC BY, CC BY-SA, CC0, the Public Domain Mark and equivalent licenses.",
		Standing:    "Free culture",
	}
	OpennessCC = Openness{
		ID:          "cc",
		Label:       "Creative Commons and public domain",
		Description: "Every Creative Commons license and the public domain, including licenses that forbid commercial use (NC) or adaptations (ND).",
		Standing:    "Some rights reserved",
	}
	OpennessAny = Openness{
		ID:          "any",
		Label:       "Everything",
		Description: "Every resource, with its restrictions shown: all rights reserved, rights statements and unknown licenses too.",
		Standing:    "Reuse needs permission",
	}
)

// DefaultOpenness is what learners see unless they choose otherwise.
var DefaultOpenness = OpennessCC

// StandingUnknown is the word for a license Orchard could not recognise.
const StandingUnknown = "License unknown"

// Opennesses lists the choices, narrowest first.
func Opennesses() []Openness { return []Openness{OpennessFree, OpennessCC, OpennessAny} }

// ParseOpenness reads a choice by id or label, ignoring case. The error lists the accepted ids.
func ParseOpenness(s string) (Openness, error) {
	s = strings.TrimSpace(s)
	for _, o := range Opennesses() {
		if strings.EqualFold(s, o.ID) || strings.EqualFold(s, o.Label) {
			return o, nil
		}
	}
	return Openness{}, fmt.Errorf("openness %q: must be free, cc or any", s)
}

// Openness is the narrowest choice that shows a resource under t: free culture for open tools,
// Creative Commons for the other Creative Commons licenses and public-domain tools, everything
// for the rest (and for an unknown tool).
func (t Tool) Openness() Openness {
	switch {
	case t.Open:
		return OpennessFree
	case t.Kind == KindCC || t.Kind == KindPublicDomain:
		return OpennessCC
	}
	return OpennessAny
}

// Standing is the word for how far a resource under t may be reused.
func (t Tool) Standing() string {
	if !t.Known() {
		return StandingUnknown
	}
	return t.Openness().Standing
}

// NeedsPermission reports whether reusing a work under t, beyond what the law allows anyway,
// needs the rights holder's permission: unknown works, all rights reserved, and rights
// statements that do not leave the work free to use. No attribution makes such a reuse lawful.
func (t Tool) NeedsPermission() bool {
	switch {
	case !t.Known(), t.Kind == KindReserved:
		return true
	case t.Kind == KindRightsStatement:
		return !t.Commercial || !t.Derivatives
	}
	return false
}
