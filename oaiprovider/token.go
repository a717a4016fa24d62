package oaiprovider

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"strings"
	"time"

	"github.com/orchard-oer/orchard/catalog"
)

// listState is what a resumption token carries: the whole list request and the position in it,
// so that the repository keeps no state between requests. The position is a key (datestamp,
// id), not an offset, so records added or removed meanwhile never make a harvester miss or
// repeat one.
type listState struct {
	Verb   string `json:"v"`
	Prefix string `json:"m"`
	Set    string `json:"s,omitempty"`
	From   string `json:"f,omitempty"`
	Until  string `json:"u,omitempty"`
	Date   string `json:"d"`
	ID     string `json:"i"`
	Cursor int    `json:"c"`
	Issued int64  `json:"t"`
}

// tokenTTL is how long a token is honoured; it says so in expirationDate.
const tokenTTL = 24 * time.Hour

func (s listState) after() *catalog.ListKey {
	if s.ID == "" {
		return nil
	}
	return &catalog.ListKey{Datestamp: s.Date, ID: s.ID}
}

var b64 = base64.RawURLEncoding

// sign encodes the state and appends an HMAC, so that a token changed by anyone but the
// repository is refused.
func (p *Provider) sign(s listState) string {
	body, _ := json.Marshal(s) // plain strings and numbers: cannot fail
	enc := b64.EncodeToString(body)
	return enc + "." + b64.EncodeToString(p.mac(enc))
}

func (p *Provider) mac(enc string) []byte {
	m := hmac.New(sha256.New, p.cfg.Key)
	m.Write([]byte(enc))
	return m.Sum(nil)[:16]
}

// open checks and decodes a token for verb.
func (p *Provider) open(token, verb string, now time.Time) (listState, *oaiError) {
	bad := func(why string) (listState, *oaiError) {
		return listState{}, protoErr("badResumptionToken", "resumption token %s", why)
	}
	enc, sig, ok := strings.Cut(token, ".")
	got, err := b64.DecodeString(sig)
	if !ok || err != nil || !hmac.Equal(got, p.mac(enc)) {
		return bad("is not one this repository issued")
	}
	body, err := b64.DecodeString(enc)
	var s listState
	if err != nil || json.Unmarshal(body, &s) != nil {
		return bad("is malformed")
	}
	switch {
	case s.Verb != verb:
		return bad("belongs to " + s.Verb)
	case now.Sub(time.Unix(s.Issued, 0)) > tokenTTL:
		return bad("has expired")
	}
	return s, nil
}
