package harvester

import (
	"errors"
	"fmt"
	"strings"

	"github.com/orchard-oer/orchard/weburl"
)

// Kind classifies a harvest error so that callers can choose to retry, give up or report.
type Kind int

const (
	KindOther     Kind = iota
	KindTransient      // worth retrying later: timeouts, 5xx, resets, rate limits
	KindPermanent      // retrying will not help: 401/403/404, not an OAI-PMH endpoint
	KindInvalid        // the request itself is wrong: bad URL, bad arguments
)

func (k Kind) String() string {
	switch k {
	case KindTransient:
		return "transient"
	case KindPermanent:
		return "permanent"
	case KindInvalid:
		return "invalid"
	}
	return "other"
}

// Error carries a Kind with the failed operation and its cause.
type Error struct {
	Kind Kind
	Op   string // what was being done: "list records https://example.org/oai"
	Err  error
}

// Error never shows the userinfo of a URL: source URLs may carry credentials, and harvest
// errors end up in logs, run records and pages.
func (e *Error) Error() string {
	if e.Op == "" {
		return weburl.Redact(e.Err.Error())
	}
	return weburl.Redact(fmt.Sprintf("%s: %v", e.Op, e.Err))
}

func (e *Error) Unwrap() error { return e.Err }

// E builds an Error.
func E(kind Kind, op string, err error) error {
	return &Error{Kind: kind, Op: op, Err: err}
}

// KindOf returns the Kind of the outermost *Error in err's chain, or KindOther.
func KindOf(err error) Kind {
	var e *Error
	if errors.As(err, &e) {
		return e.Kind
	}
	return KindOther
}

// Invalid is the error of a source's settings validation: nil when nothing is wrong, else a
// KindInvalid error listing every problem.
func Invalid(problems []string) error {
	if len(problems) == 0 {
		return nil
	}
	return E(KindInvalid, "", errors.New(strings.Join(problems, "; ")))
}
