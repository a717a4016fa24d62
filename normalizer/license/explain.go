package license

// Explanation says in plain language what a license lets a learner do.
type Explanation struct {
	ID      string
	Title   string
	Summary string
	May     []string // what you may do
	Must    []string // what you must do
	MustNot []string // what you must not do
	Notes   []string
}

// Explain explains a license id (or a family) in plain language. It reports false for an unknown
// id.
func Explain(id string) (Explanation, bool) {
	t, ok := Lookup(id)
	if !ok {
		return Explanation{}, false
	}
	e := Explanation{ID: t.ID, Title: t.Title}
	switch t.Kind {
	case KindCC:
		explainCC(t, &e)
	case KindPublicDomain:
		explainPD(t, &e)
	case KindRightsStatement:
		explainRS(t, &e)
	case KindReserved:
		e.Summary = "The rights holder keeps all rights: this is not an open license."
		e.May = []string{"Use the work as copyright law allows without permission, such as quoting it with a citation."}
		e.Must = []string{"Ask the rights holder for permission for anything else."}
		e.MustNot = []string{"Copy, share or adapt the work beyond what the law allows without permission."}
	case KindSoftware:
		explainSoftware(t, &e)
	}
	if t.Retired {
		e.Notes = append(e.Notes, "This tool has been retired by its steward; it still applies to works already released under it, but should not be chosen for new ones.")
	}
	if t.Jurisdiction != "" {
		e.Notes = append(e.Notes, "This version is adapted to the law of "+t.JurisdictionName()+".")
	}
	if t.IsFamily() {
		e.Notes = append(e.Notes, "The version is not known; the exact terms depend on it.")
	}
	return e, true
}

func explainCC(t Tool, e *Explanation) {
	e.May = []string{"Copy and share the work in any medium or format."}
	if t.Derivatives {
		e.May = append(e.May, "Adapt it: remix, transform and build upon it.")
	}
	if t.Commercial {
		e.May = append(e.May, "Use it for any purpose, including commercially.")
	}
	if t.Attribution {
		e.Must = append(e.Must, "Credit the creator, link to the license and say whether you changed the work.")
	}
	if t.ShareAlike {
		e.Must = append(e.Must, "Share your adaptations under the same license, or a compatible one.")
	}
	if !t.Commercial {
		e.MustNot = append(e.MustNot, "Use it mainly for commercial advantage or payment.")
	}
	if !t.Derivatives {
		e.MustNot = append(e.MustNot, "Share adapted versions of the work.")
	}
	e.MustNot = append(e.MustNot, "Add legal terms or technical measures that stop others from doing what the license allows.")
	switch {
	case t.Open:
		e.Summary = "An open license: you may reuse, adapt and share the work, even commercially, under its conditions."
	case !t.Derivatives:
		e.Summary = "You may share the work as it is, but not adapted versions of it."
	default:
		e.Summary = "You may reuse and adapt the work, but not for commercial purposes."
	}
	switch t.code {
	case "sampling", "sampling+", "nc-sampling+":
		e.Notes = append(e.Notes, "The sampling licenses allow reuse of parts of the work in new creations, and forbid advertising uses.")
	case "devnations":
		e.Notes = append(e.Notes, "The Developing Nations license applies only in countries the World Bank does not classify as high-income.")
	}
}

func explainPD(t Tool, e *Explanation) {
	e.May = []string{"Copy, share and adapt the work, for any purpose, including commercially, without asking."}
	e.MustNot = []string{"Suggest that the creator or the publisher endorses you or your use."}
	switch t.ID {
	case idCC0:
		e.Summary = "The creator has waived all their rights: the work is dedicated to the public domain."
		e.Notes = []string{"Credit is not required, but naming the creator and the source is good practice."}
	case idPDM:
		e.Summary = "The work has been identified as free of known copyright restrictions."
		e.Notes = []string{"The mark is a label, not a license: check that the work is in the public domain where you use it."}
	case idPublicDomain:
		e.Summary = "The source says the work is in the public domain, without naming a legal tool."
		e.Notes = []string{"A generic claim: check that the work is in the public domain where you use it."}
	default:
		e.Summary = "The work was dedicated or certified to be in the public domain."
	}
}

func explainRS(t Tool, e *Explanation) {
	e.Summary = t.Title + ": a rights statement, not a license."
	switch t.Family {
	case rsPrefix + "NoC-US":
		e.May = []string{"Use the work freely in the United States, where it is not protected by copyright."}
		e.Must = []string{"Check its status before using it elsewhere."}
	case rsPrefix + "NKC":
		e.May = []string{"Use the work, which the institution believes is free of copyright."}
		e.Must = []string{"Accept that the institution could not confirm its status."}
	case rsPrefix + "InC-EDU":
		e.May = []string{"Use the work for educational purposes."}
		e.Must = []string{"Ask the rights holder for any other use."}
	case rsPrefix + "InC-NC", rsPrefix + "NoC-NC":
		e.May = []string{"Use the work for non-commercial purposes."}
		e.MustNot = []string{"Use it commercially without permission."}
	default:
		e.Must = []string{"Check with the rights holder or the institution before reusing the work beyond what the law allows."}
	}
}

func explainSoftware(t Tool, e *Explanation) {
	e.May = []string{"Use, copy, change and share the work, including commercially."}
	if t.Attribution {
		e.Must = append(e.Must, "Keep the copyright notice and the license text with copies.")
	}
	if t.ShareAlike {
		e.Must = append(e.Must, "Share changed versions under the same license.")
		e.Summary = "A copyleft license: free to use and change, as long as changes stay under the same terms."
	} else {
		e.Summary = "A permissive license: free to use and change, keeping the notices."
	}
	e.MustNot = []string{"Hold the authors liable; the work comes without warranty."}
}
