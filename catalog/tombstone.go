package catalog

import "context"

// Tombstone is what remains of a record once it leaves the catalog, so that incremental
// harvesters of Orchard's OAI-PMH repository learn of the deletion: its id, where it came from,
// the license it had (for set membership) and when it was deleted.
type Tombstone struct {
	ID     string `json:"id"`
	Source string `json:"source"`
	Family string `json:"family,omitempty"`
	Open   bool   `json:"open,omitempty"`
	// Deleted is when the record left the catalog, RFC 3339 in UTC to the second.
	Deleted string `json:"deleted"`
}

// Key is the tombstone's position in a harvest list: its deletion time is its datestamp.
func (t *Tombstone) Key() ListKey { return ListKey{Datestamp: t.Deleted, ID: t.ID} }

// Tombstones reads the tombstones of deleted records.
type Tombstones interface {
	// Tombstones returns every tombstone, in no particular order.
	Tombstones(ctx context.Context) ([]Tombstone, error)
}
