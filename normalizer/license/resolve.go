package license

import "strings"

// Scopes of a statement, as harvester.Scope names them.
const (
	ScopeResource = "resource"
	ScopeSite     = "site"
	ScopePart     = "part"
	ScopeAccess   = "access"
)

// Statement is one rights statement about a resource: where it was found, the value as written,
// an anchor's visible text when the value is its href, and what it is about.
type Statement struct {
	From  string
	Value string
	Text  string
	Scope string // resource (the default), site, part or access
}

// Evidence is one statement that was read and what it meant.
type Evidence struct {
	From  string `json:"from"`
	Value string `json:"value"`
	ID    string `json:"id"`
}

// Resolution is the license of a resource decided from all its statements.
type Resolution struct {
	Tool     Tool
	Evidence []Evidence
	Conflict bool // statements of the deciding scope disagree; a librarian should decide
	Warnings []string
}

// Resolve decides a resource's license from every statement found about it:
//   - a statement about the resource beats a site-wide one, which is used only when the resource
//     says nothing;
//   - within a scope a URL (or id, badge, markup, provider field) beats free text;
//   - a "part" statement (an image credit) is evidence only, and an access term is ignored;
//   - statements that name the same tool, or a less specific form of it (CC BY-SA and
//     .../by-sa/4.0/), agree, and the most specific wins;
//   - statements of the deciding scope that disagree set Conflict; the strongest one is kept as
//     the tool, and all evidence is returned.
func Resolve(stmts []Statement) Resolution {
	var res Resolution
	type read struct {
		Reading
		scope int
		weak  bool
	}
	var reads []read
	for _, st := range stmts {
		rd := Parse(st.Value)
		if st.Text != "" && rd.Tool.ID != "" && rd.Form != FormText {
			anchorText(&rd, st.Text)
		}
		if rd.Tool.ID == "" && st.Text != "" && strings.TrimSpace(st.Value) == "" {
			rd = Parse(st.Text)
		}
		res.Evidence = append(res.Evidence, Evidence{From: st.From, Value: st.Value, ID: rd.Tool.ID})
		for _, w := range rd.Warnings {
			res.Warnings = append(res.Warnings, st.From+": "+w)
		}
		scope := strings.ToLower(st.Scope)
		switch {
		case rd.Access || scope == ScopeAccess:
			continue
		case scope == ScopePart:
			continue
		}
		s := 0
		if scope == ScopeSite {
			s = 1
		}
		if rd.Tool.ID != "" {
			reads = append(reads, read{rd, s, rd.Form == FormText})
		}
	}
	if len(reads) == 0 {
		return res
	}
	bestScope := 2
	for _, r := range reads {
		bestScope = min(bestScope, r.scope)
	}
	var best *read
	for i := range reads {
		r := &reads[i]
		if r.scope != bestScope {
			continue
		}
		if best == nil || best.weak && !r.weak {
			best = r
		}
	}
	res.Tool = best.Tool
	for _, r := range reads {
		if r.scope != bestScope {
			continue
		}
		if !r.Tool.agrees(res.Tool) {
			res.Conflict = true
			continue
		}
		res.Tool = moreSpecific(res.Tool, r.Tool)
	}
	if res.Conflict {
		res.Warnings = append(res.Warnings, "statements about the resource disagree; "+best.Tool.ID+" was kept from the strongest")
		res.Tool = best.Tool
	}
	return res
}
