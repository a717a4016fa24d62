package license

import "strings"

// Compat says whether an adaptation combining works under several licenses can be shared, and
// under which licenses it may be.
type Compat struct {
	Decidable bool     // false when an id is unknown or lacks the version the answer depends on
	Possible  bool     // an adaptation combining all of them may be shared
	Licenses  []string // ids the adaptation may carry, most current first
	Reason    string   // one sentence
}

// Compatible applies Creative Commons' compatibility chart for adaptations: public-domain tools
// combine with anything; BY asks only for credit; NC keeps the adaptation non-commercial;
// ShareAlike requires the same license elements in the same or a later version (BY-SA 4.0 also
// one way into GPLv3); NoDerivatives and all-rights-reserved material cannot be adapted at all.
func Compatible(ids ...string) Compat {
	if len(ids) == 0 {
		return Compat{Reason: "No license was given."}
	}
	tools := make([]Tool, 0, len(ids))
	for _, id := range ids {
		t, ok := Lookup(strings.TrimSpace(id))
		if !ok {
			t = Parse(id).Tool
		}
		switch {
		case t.ID == "":
			return Compat{Reason: "\"" + id + "\" is not a known license, so compatibility cannot be decided."}
		case t.IsFamily():
			return Compat{Reason: t.ID + " names no version, and compatibility depends on it."}
		}
		tools = append(tools, t)
	}
	for _, t := range tools {
		if !t.Derivatives {
			return Compat{Decidable: true, Reason: t.ID + " does not allow adaptations to be shared."}
		}
	}
	space := outputSpace(tools)
	allowed := space
	for _, t := range tools {
		allowed = filter(allowed, rule(t))
	}
	if len(allowed) == 0 {
		return Compat{Decidable: true, Reason: clash(tools, space)}
	}
	c := Compat{Decidable: true, Possible: true}
	for _, t := range allowed {
		c.Licenses = append(c.Licenses, t.ID)
	}
	c.Reason = possibleReason(tools)
	return c
}

// rule says which licenses an adaptation of material under t may carry.
func rule(t Tool) func(Tool) bool {
	c := ccCodes[t.code]
	switch {
	case t.Kind == KindPublicDomain || !t.Attribution && t.Derivatives && t.Commercial:
		return func(Tool) bool { return true }
	case t.Kind == KindCC && t.ShareAlike:
		return func(o Tool) bool {
			if t.Version == "1.0" {
				return o.ID == t.ID
			}
			if t.ID == "CC-BY-SA-4.0" && (o.ID == "GPL-3.0-only" || o.ID == "GPL-3.0-or-later") {
				return true
			}
			return o.Kind == KindCC && o.Family == t.Family && o.Version >= t.Version
		}
	case t.Kind == KindCC && c.nc:
		return func(o Tool) bool { return o.Kind == KindCC && o.Attribution && !o.Commercial }
	case t.Kind == KindCC:
		return func(o Tool) bool {
			if o.Kind == KindSoftware {
				return t.Version == "4.0" && o.Family == "GPL"
			}
			return o.Attribution
		}
	case t.Kind == KindSoftware && !t.ShareAlike:
		return func(o Tool) bool { return o.Attribution }
	case strings.HasSuffix(t.ID, "-or-later"):
		base := strings.TrimSuffix(t.Version, "-or-later")
		return func(o Tool) bool { return o.Family == t.Family && o.Version >= base }
	}
	return func(o Tool) bool { return o.ID == t.ID }
}

// outputSpace lists the licenses worth offering for an adaptation: the 4.0 suite, the inputs
// themselves, later versions of any ShareAlike input, GPLv3 and CC0.
func outputSpace(in []Tool) []Tool {
	var ids []string
	for _, code := range []string{"by", "by-sa", "by-nc", "by-nc-sa", "by-nd", "by-nc-nd"} {
		ids = append(ids, ccTool(code, "4.0", "").ID)
	}
	for _, t := range in {
		ids = append(ids, t.ID)
		if t.Kind == KindCC && t.ShareAlike {
			for _, v := range []string{"2.0", "2.5", "3.0"} {
				if v > t.Version {
					ids = append(ids, ccTool(t.code, v, "").ID)
				}
			}
		}
	}
	ids = append(ids, "GPL-3.0-only", "GPL-3.0-or-later", idCC0)
	var out []Tool
	seen := map[string]bool{}
	for _, id := range ids {
		if t, ok := Lookup(id); ok && !seen[t.ID] {
			seen[t.ID] = true
			out = append(out, t)
		}
	}
	return out
}

func filter(ts []Tool, keep func(Tool) bool) []Tool {
	var out []Tool
	for _, t := range ts {
		if keep(t) {
			out = append(out, t)
		}
	}
	return out
}

// clash explains why no license fits: the first pair of inputs with nothing in common.
func clash(tools []Tool, space []Tool) string {
	for i, a := range tools {
		for _, b := range tools[i+1:] {
			if len(filter(filter(space, rule(a)), rule(b))) == 0 {
				return a.ID + " and " + b.ID + " each require adaptations to carry terms the other does not allow."
			}
		}
	}
	return "No license satisfies the terms of all of " + strings.Join(ids(tools), ", ") + "."
}

func possibleReason(tools []Tool) string {
	var sa, nc []string
	pd := true
	for _, t := range tools {
		if t.Kind != KindPublicDomain {
			pd = false
		}
		if t.ShareAlike {
			sa = append(sa, t.ID)
		}
		if !t.Commercial {
			nc = append(nc, t.ID)
		}
	}
	switch {
	case pd:
		return "Public-domain material may be adapted and shared under any terms."
	case len(sa) > 0:
		return subject(sa, "requires", "require") + " the adaptation to be shared alike, so only the listed licenses fit."
	case len(nc) > 0:
		return subject(nc, "forbids", "forbid") + " commercial use, so the adaptation must stay non-commercial."
	}
	return "The licenses ask only for credit, so the adaptation may carry any license that keeps attribution."
}

func ids(ts []Tool) []string {
	out := make([]string, len(ts))
	for i, t := range ts {
		out[i] = t.ID
	}
	return out
}

func subject(names []string, one, many string) string {
	if len(names) == 1 {
		return names[0] + " " + one
	}
	return strings.Join(names, " and ") + " " + many
}
