package web

import (
	"errors"
	"net/http"
	"net/url"
	"strings"

	"github.com/orchard-oer/orchard/normalizer/license"
	"github.com/orchard-oer/orchard/normalizer/remix"
	"github.com/orchard-oer/orchard/weburl"
)

// A toolkit's remix plan: what its items allow as a collection and as an adaptation, and the
// marking block for the learner's own work. The API and the toolkit page answer the same.

// planJSON is the API's plan of a toolkit.
type planJSON struct {
	Collection collectionJSON `json:"collection"`
	Adaptation adaptationJSON `json:"adaptation"`
	// Marking is the notice for the learner's own work, when its title, license and kind were
	// given and fit the toolkit.
	Marking string `json:"marking,omitempty"`
}

type blockerJSON struct {
	Record string `json:"record"`
	Reason string `json:"reason"`
}

type collectionJSON struct {
	Possible      bool          `json:"possible"`
	Blockers      []blockerJSON `json:"blockers"`
	NonCommercial []string      `json:"non_commercial"` // records that rule out commercial use
	Reason        string        `json:"reason"`
}

type adaptationJSON struct {
	Decidable bool          `json:"decidable"`
	Possible  bool          `json:"possible"`
	Blockers  []blockerJSON `json:"blockers"`
	Clash     []string      `json:"clash,omitempty"` // the two records whose licenses clash
	Licenses  []string      `json:"licenses"`        // what the adaptation may carry
	Reason    string        `json:"reason"`
}

// planOf plans the toolkit's entries that are still in the catalog; ids[i] is the record of
// items[i].
func planOf(entries []toolkitEntry) (items []remix.Item, ids []string, p remix.Plan) {
	for _, e := range entries {
		if e.Rec == nil {
			continue
		}
		items = append(items, remix.Item{Title: e.Rec.Title, Author: joinNames(e.Rec.Creators, "and"), SourceURL: e.Rec.URL, License: e.Rec.License.ID})
		ids = append(ids, e.Rec.ID)
	}
	return items, ids, remix.New(items)
}

func planJSONOf(p remix.Plan, ids []string) planJSON {
	blockers := func(bs []remix.Blocker) []blockerJSON {
		out := []blockerJSON{}
		for _, b := range bs {
			out = append(out, blockerJSON{Record: ids[b.Item], Reason: b.Reason})
		}
		return out
	}
	nc := []string{}
	for _, i := range p.Collection.NonCommercial {
		nc = append(nc, ids[i])
	}
	a := adaptationJSON{
		Decidable: p.Adaptation.Decidable, Possible: p.Adaptation.Possible, Blockers: blockers(p.Adaptation.Blockers),
		Licenses: nonNil(p.Adaptation.Licenses), Reason: p.Adaptation.Reason,
	}
	if c := p.Adaptation.Clash; c != nil {
		a.Clash = []string{ids[c.A], ids[c.B]}
	}
	return planJSON{
		Collection: collectionJSON{Possible: p.Collection.Possible, Blockers: blockers(p.Collection.Blockers), NonCommercial: nc, Reason: p.Collection.Reason},
		Adaptation: a,
	}
}

// ownWork reads the learner's own work from q: title, author, url, license and kind. ok is
// false when no marking was asked for (no title and no license).
func ownWork(q url.Values) (own remix.Own, f license.Format, ok bool, err error) {
	own = remix.Own{Title: q.Get("title"), Author: q.Get("author"), URL: q.Get("url"), License: q.Get("license"), Kind: remix.Kind(q.Get("kind"))}
	if own.Title == "" && own.License == "" {
		return own, "", false, nil
	}
	if rd := license.Parse(own.License); rd.Tool.Known() {
		own.License = rd.Tool.ID // a label such as "CC BY 4.0" or a deed URL names the license too
	}
	if own.Kind == "" {
		own.Kind = remix.KindAdaptation
	}
	if own.URL != "" {
		if own.URL, err = weburl.Clean(own.URL); err != nil {
			return own, "", false, &ParamError{"url", err.Error()}
		}
	}
	switch f = license.Format(q.Get("format")); f {
	case "":
		f = license.FormatText
	case license.FormatText, license.FormatHTML, license.FormatMarkdown:
	default:
		return own, "", false, &ParamError{"format", "must be text, html or markdown"}
	}
	return own, f, true, nil
}

// apiToolkitPlan answers GET /api/toolkits/{id}/plan[?title=&author=&url=&license=&kind=&format=].
func (s *Server) apiToolkitPlan(w http.ResponseWriter, r *http.Request) {
	t, err := s.toolkits.Get(r.Context(), r.PathValue("id"))
	if err != nil {
		s.toolkitError(w, r, err)
		return
	}
	items, ids, p := planOf(s.entries(r.Context(), t, s.pages.catalog.For("en")))
	out := planJSONOf(p, ids)
	own, f, ok, err := ownWork(r.URL.Query())
	if err != nil {
		s.fail(w, r, http.StatusBadRequest, err)
		return
	}
	if ok {
		m, err := remix.Marking(own, items, f)
		if errors.Is(err, remix.ErrNotAllowed) {
			s.fail(w, r, http.StatusBadRequest, &ParamError{"license", err.Error()})
			return
		}
		if err != nil {
			s.fail(w, r, http.StatusInternalServerError, err)
			return
		}
		out.Marking = m
	}
	writeJSON(w, http.StatusOK, out)
}

// planView is the toolkit page's "Plan a remix" section: both answers, and the marking block
// when the learner's form asked for one.
type planView struct {
	remix.Plan
	Items   []remix.Item
	Own     remix.Own
	Choices []license.Tool // licenses the learner may choose for an adaptation
	Marking string
	Error   string
}

// planViewOf plans entries; q, when it names the learner's own work, asks for its marking.
func planViewOf(q url.Values, entries []toolkitEntry) planView {
	items, _, p := planOf(entries)
	v := planView{Plan: p, Items: items}
	for _, id := range p.Adaptation.Licenses {
		if t, ok := license.Lookup(id); ok {
			v.Choices = append(v.Choices, t)
		}
	}
	own, _, ok, err := ownWork(q)
	v.Own = own
	switch {
	case err != nil:
		v.Error = err.Error()
	case ok:
		m, err := remix.Marking(own, items, license.FormatText)
		if err != nil {
			// The reason without the function's prefix: the page already says what was asked.
			_, reason, found := strings.Cut(err.Error(), remix.ErrNotAllowed.Error()+": ")
			if !found {
				reason = err.Error()
			}
			v.Error = "Not possible with these resources: " + reason
		}
		v.Marking = m
	}
	return v
}
