package oaiprovider

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/orchard-oer/orchard/catalog"
)

// setFilter turns a setSpec into the catalog filter of its records. Lists include hidden
// records, which are served as deleted: a record a librarian withdrew is gone for harvesters.
func setFilter(spec string) (catalog.Filter, bool) {
	f := catalog.Filter{WithHidden: true}
	switch kind, v, _ := strings.Cut(spec, ":"); {
	case spec == "":
	case spec == "open":
		yes := true
		f.Open = &yes
	case kind == "source" && validSpec(v):
		f.Sources = []string{v}
	case kind == "license" && validSpec(v):
		f.Families = []string{v}
	default:
		return f, false
	}
	return f, true
}

// inSet reports whether a tombstone belongs to the set spec.
func inSet(t *catalog.Tombstone, spec string) bool {
	return spec == "" || slices.Contains(setsOf(t.Source, t.Family, t.Open), spec)
}

func (p *Provider) list(ctx context.Context, w *writer, req *request) error {
	now := p.now()
	st := listState{Verb: req.verb, Prefix: req.prefix, Set: req.set, From: req.from, Until: req.until}
	if last := now.Add(-time.Second).UTC().Format(secondLayout); st.Until == "" || st.Until > last {
		// A list ends at the second before it began: a record written meanwhile, which its new
		// datestamp moves to the end, would otherwise come twice. The next incremental harvest,
		// from this response's date, gets it.
		st.Until = last
	}
	if req.token != "" {
		var oe *oaiError
		if st, oe = p.open(req.token, req.verb, now); oe != nil {
			return oe
		}
	}
	f, ok := formatByPrefix(st.Prefix)
	if !ok {
		return protoErr("cannotDisseminateFormat", "metadataPrefix %s is not offered", st.Prefix)
	}
	filter, ok := setFilter(st.Set)
	if !ok {
		return protoErr("badArgument", "no set %q: sets are source:<name>, license:<family> and open", st.Set)
	}
	size := p.cfg.PageSize
	page, err := p.index.List(ctx, catalog.ListRequest{Filter: filter, From: st.From, Until: st.Until, After: st.after(), Limit: size + 1})
	if err != nil {
		return err
	}
	tombs, tombTotal, err := p.tombstonesIn(ctx, st)
	if err != nil {
		return err
	}
	items, more, err := merge(page.Records, tombs, size, p.inCatalog(ctx))
	if err != nil {
		return err
	}
	if len(items) == 0 {
		return protoErr("noRecordsMatch", "no records match the request")
	}
	w.open(req)
	for _, it := range items {
		if req.verb == "ListIdentifiers" {
			p.writeHeader(w, it)
		} else {
			p.writeRecord(w, it, f)
		}
	}
	total := page.Total + tombTotal
	switch {
	case more:
		last := items[len(items)-1].key
		next := st
		next.Date, next.ID, next.Cursor, next.Issued = last.Datestamp, last.ID, st.Cursor+len(items), now.Unix()
		w.raw(fmt.Sprintf(`<resumptionToken completeListSize="%d" cursor="%d" expirationDate="%s">`,
			total, st.Cursor, now.Add(tokenTTL).UTC().Format(secondLayout)))
		w.raw(p.sign(next))
		w.raw("</resumptionToken>")
	case req.token != "":
		// The last page of a resumed list says so with an empty token.
		w.raw(fmt.Sprintf(`<resumptionToken completeListSize="%d" cursor="%d"/>`, max(total, st.Cursor+len(items)), st.Cursor))
	}
	w.close(req)
	return nil
}

// tombstonesIn returns the tombstones of a list after its position, in list order, and how
// many the whole list holds. The pipeline removes the tombstone of a record that comes back;
// merge checks those it serves all the same.
func (p *Provider) tombstonesIn(ctx context.Context, st listState) ([]item, int, error) {
	if p.tombs == nil {
		return nil, 0, nil
	}
	all, err := p.tombs.Tombstones(ctx)
	if err != nil {
		return nil, 0, err
	}
	after := st.after()
	var (
		out   []item
		total int
	)
	for i := range all {
		t := &all[i]
		k := t.Key()
		if st.From != "" && k.Datestamp < st.From || st.Until != "" && k.Datestamp > st.Until || !inSet(t, st.Set) {
			continue
		}
		total++
		if after == nil || after.Less(k) {
			out = append(out, item{key: k, tomb: t, deleted: true})
		}
	}
	slices.SortFunc(out, func(a, b item) int {
		if a.key.Less(b.key) {
			return -1
		}
		return 1
	})
	return out, total, nil
}

// inCatalog reports whether a record is in the catalog.
func (p *Provider) inCatalog(ctx context.Context) func(id string) (bool, error) {
	return func(id string) (bool, error) {
		_, err := p.index.Get(ctx, id)
		if errors.Is(err, catalog.ErrNotFound) {
			return false, nil
		}
		return err == nil, err
	}
}

// merge takes up to size items from records and tombstones, both in list order, and reports
// whether any are left. A tombstone of a record back in the catalog is skipped.
func merge(recs []catalog.Record, tombs []item, size int, inCatalog func(string) (bool, error)) ([]item, bool, error) {
	out := make([]item, 0, min(size, len(recs)+len(tombs)))
	i, j := 0, 0
	for len(out) < size && (i < len(recs) || j < len(tombs)) {
		if j >= len(tombs) || i < len(recs) && recs[i].Key().Less(tombs[j].key) {
			r := &recs[i]
			out = append(out, item{key: r.Key(), rec: r, deleted: r.Withheld()})
			i++
			continue
		}
		back, err := inCatalog(tombs[j].tomb.ID)
		if err != nil {
			return nil, false, err
		}
		if !back {
			out = append(out, tombs[j])
		}
		j++
	}
	return out, i < len(recs) || j < len(tombs), nil
}

func (p *Provider) listSets(ctx context.Context, w *writer, req *request) error {
	if req.token != "" {
		return protoErr("badResumptionToken", "the list of sets is never split")
	}
	st, err := p.index.Stats(ctx)
	if err != nil {
		return err
	}
	res, err := p.index.Search(ctx, catalog.SearchRequest{Filter: catalog.Filter{WithHidden: true}, Facets: []string{catalog.FacetFamily}, PerPage: 1})
	if err != nil {
		return err
	}
	w.open(req)
	set := func(spec, name string) {
		w.raw("<set>")
		w.elem("setSpec", spec)
		w.elem("setName", name)
		w.raw("</set>")
	}
	set("open", "Openly licensed resources")
	for _, s := range sortedKeys(st.BySource) {
		if validSpec(s) {
			set("source:"+s, "Harvested from "+s)
		}
	}
	for _, f := range sortedKeys(res.Facets[catalog.FacetFamily]) {
		if validSpec(f) {
			set("license:"+f, "License family "+f)
		}
	}
	w.close(req)
	return nil
}

func sortedKeys(m map[string]int) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}
