package catalog

import "time"

// ListRequest asks for a harvest list: the records matching Filter whose list date
// (Record.ListDate) lies within From and Until, in (list date, id) order. Keyset paging (After) rather than offsets keeps a
// list stable while the catalog changes: a record added or removed before the position never
// shifts the records after it, so a harvester sees each record at most once per list.
type ListRequest struct {
	Filter Filter
	// From and Until bound the list date, inclusive, compared as strings; empty means no
	// bound. List dates are ISO 8601 in UTC, so that string order is time order.
	From, Until string
	// After starts the list after this position; nil starts at its beginning.
	After *ListKey
	// Limit is the most records returned; 0 takes 100.
	Limit int
}

// Stamp formats t as Orchard writes the times it sets itself (Record.Indexed,
// Tombstone.Deleted): RFC 3339 in UTC to the second, the OAI-PMH granularity.
func Stamp(t time.Time) string { return t.UTC().Format(time.RFC3339) }

// ListKey is a position in a harvest list.
type ListKey struct {
	// Datestamp is the list date of a record, the deletion time of a tombstone.
	Datestamp string
	ID        string
}

// ListDate is the date that places a record in a harvest list: when Orchard last wrote it, or
// for a record written before Orchard kept that, its datestamp at the source. Listing by
// Orchard's own date is what lets an incremental harvester see a record harvested after its
// last visit whose datestamp at the source is older than that visit.
func (r *Record) ListDate() string {
	if r.Indexed != "" {
		return r.Indexed
	}
	return fullDate(r.Datestamp)
}

// fullDate pads an ISO 8601 date coarser than seconds to the first second it covers: string
// order is time order only at one precision ("2023-06-01" sorts before "2023-06-01T00:00:00Z",
// so a bound of that second would leave the day out).
func fullDate(d string) string {
	switch len(d) {
	case len("2006"):
		return d + "-01-01T00:00:00Z"
	case len("2006-01"):
		return d + "-01T00:00:00Z"
	case len("2006-01-02"):
		return d + "T00:00:00Z"
	}
	return d
}

// Key is the record's position in a harvest list.
func (r *Record) Key() ListKey { return ListKey{Datestamp: r.ListDate(), ID: r.ID} }

// Less orders positions by date, then id.
func (k ListKey) Less(o ListKey) bool {
	if k.Datestamp != o.Datestamp {
		return k.Datestamp < o.Datestamp
	}
	return k.ID < o.ID
}

// ListPage is one page of a harvest list.
type ListPage struct {
	Records []Record
	// Total counts the whole list (From, Until and Filter, ignoring After).
	Total int
}

// PageSize returns the page size a request asks for.
func (r ListRequest) PageSize() int {
	if r.Limit <= 0 {
		return 100
	}
	return r.Limit
}
