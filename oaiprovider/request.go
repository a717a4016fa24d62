package oaiprovider

import (
	"net/url"
	"slices"
	"strings"
	"time"
)

// request is a parsed, valid request.
type request struct {
	verb       string
	identifier string
	prefix     string
	set        string
	from       string // list bounds as catalog.ListRequest compares them
	until      string
	token      string
	echo       [][2]string // the arguments, in the protocol's order, for the request element
}

// arguments lists what each verb takes: required, optional and exclusive (the resumption token
// stands alone).
var arguments = map[string]struct{ required, optional []string }{
	"Identify":            {},
	"ListMetadataFormats": {optional: []string{"identifier"}},
	"ListSets":            {optional: []string{"resumptionToken"}},
	"GetRecord":           {required: []string{"identifier", "metadataPrefix"}},
	"ListIdentifiers":     {required: []string{"metadataPrefix"}, optional: []string{"from", "until", "set", "resumptionToken"}},
	"ListRecords":         {required: []string{"metadataPrefix"}, optional: []string{"from", "until", "set", "resumptionToken"}},
}

var argOrder = []string{"verb", "identifier", "metadataPrefix", "from", "until", "set", "resumptionToken"}

// parse checks a request's arguments: every malformed request becomes a badVerb or badArgument.
func parse(args url.Values) (*request, *oaiError) {
	verbs := args["verb"]
	if len(verbs) != 1 {
		return nil, protoErr("badVerb", "exactly one verb argument is required")
	}
	spec, ok := arguments[verbs[0]]
	if !ok {
		return nil, protoErr("badVerb", "%q is not an OAI-PMH verb", verbs[0])
	}
	req := &request{verb: verbs[0]}
	for name, vs := range args {
		if name == "verb" {
			continue
		}
		if !slices.Contains(spec.required, name) && !slices.Contains(spec.optional, name) {
			return nil, protoErr("badArgument", "%s does not take the argument %q", req.verb, name)
		}
		if len(vs) != 1 {
			return nil, protoErr("badArgument", "the argument %s is repeated", name)
		}
	}
	for _, name := range argOrder {
		if vs, ok := args[name]; ok {
			req.echo = append(req.echo, [2]string{name, vs[0]})
		}
	}
	req.identifier, req.prefix, req.set = args.Get("identifier"), args.Get("metadataPrefix"), args.Get("set")
	if tok := args.Get("resumptionToken"); tok != "" || args.Has("resumptionToken") {
		if len(args) != 2 {
			return nil, protoErr("badArgument", "resumptionToken is an exclusive argument")
		}
		req.token = tok
		return req, nil
	}
	for _, name := range spec.required {
		if args.Get(name) == "" {
			return nil, protoErr("badArgument", "%s requires the argument %s", req.verb, name)
		}
	}
	from, fromDay, err := bound(args, "from", false)
	if err != nil {
		return nil, err
	}
	until, untilDay, err := bound(args, "until", true)
	if err != nil {
		return nil, err
	}
	if from != "" && until != "" {
		if fromDay != untilDay {
			return nil, protoErr("badArgument", "from and until must have the same granularity")
		}
		if from > until {
			return nil, protoErr("badArgument", "from is later than until")
		}
	}
	req.from, req.until = from, until
	return req, nil
}

const (
	dayLayout    = "2006-01-02"
	secondLayout = "2006-01-02T15:04:05Z"
)

// bound reads a from or until argument at either granularity and returns it as a string
// bound on stored datestamps: a day's until covers the whole day.
func bound(args url.Values, name string, upper bool) (string, bool, *oaiError) {
	v := args.Get(name)
	if v == "" {
		if args.Has(name) {
			return "", false, protoErr("badArgument", "%s is empty", name)
		}
		return "", false, nil
	}
	if _, err := time.Parse(dayLayout, v); err == nil && len(v) == len(dayLayout) {
		if upper {
			return v + "T23:59:59Z", true, nil
		}
		return v, true, nil
	}
	if _, err := time.Parse(secondLayout, v); err == nil && len(v) == len(secondLayout) {
		return v, false, nil
	}
	return "", false, protoErr("badArgument", "%s %q is neither YYYY-MM-DD nor YYYY-MM-DDThh:mm:ssZ", name, v)
}

// Datestamp turns a stored datestamp (ISO 8601 of any precision, year to seconds) into the
// repository's granularity, UTC to the second.
func Datestamp(s string) (string, bool) {
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04Z07:00", dayLayout, "2006-01", "2006"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC().Format(secondLayout), true
		}
	}
	return "", false
}

// setsOf lists the sets an item belongs to.
func setsOf(source, family string, open bool) []string {
	var out []string
	if validSpec(source) {
		out = append(out, "source:"+source)
	}
	if validSpec(family) {
		out = append(out, "license:"+family)
	}
	if open {
		out = append(out, "open")
	}
	return out
}

// validSpec reports whether s may be one part of a setSpec.
func validSpec(s string) bool {
	return s != "" && strings.IndexFunc(s, func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("-_.!~*'()", r))
	}) < 0
}
