package harvester

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
)

// Checkpoint is what the resume policy asks of a harvester's checkpoint.
type Checkpoint interface {
	// Stamp returns the checkpoint's format version and the fingerprint of the source
	// settings it was taken under.
	Stamp() (version int, fingerprint string)
}

// Fingerprint condenses the source settings that decide what a harvest reads (URLs, formats,
// sets, modes), so that a checkpoint taken under other settings is not resumed.
func Fingerprint(settings ...any) string {
	b, err := json.Marshal(settings)
	if err != nil {
		// Settings are plain strings and slices; should one not encode, no checkpoint
		// matches and the harvest runs in full, which is always safe.
		return ""
	}
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:12])
}

// Resume is the one resume policy of every harvester. It reads raw, the checkpoint a harvest
// was handed, into a new C. It returns nil when there is nothing to resume from (raw empty),
// and nil with a warning for the run when the checkpoint is unreadable, of another version
// than version, or taken under settings whose fingerprint is not fingerprint: the harvest then
// starts afresh and in full rather than fail for good or read what the source no longer is.
func Resume[C any, P interface {
	*C
	Checkpoint
}](raw json.RawMessage, version int, fingerprint string) (cp *C, warning string) {
	if len(raw) == 0 || string(raw) == "null" {
		return nil, ""
	}
	cp = new(C)
	if err := json.Unmarshal(raw, cp); err != nil {
		return nil, fmt.Sprintf("checkpoint unreadable (%v): harvesting in full", err)
	}
	v, fp := P(cp).Stamp()
	switch {
	case v != version:
		return nil, fmt.Sprintf("checkpoint of version %d, this harvester writes %d: harvesting in full", v, version)
	case fp != fingerprint:
		return nil, "source settings changed since the checkpoint: harvesting in full"
	}
	return cp, ""
}
