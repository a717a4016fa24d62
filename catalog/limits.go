package catalog

import (
	"fmt"
	"unicode"
)

// Bounds on one search, shared by both backends, the HTTP API and the CLI. A query is typed by a
// person; anything longer is either a mistake or an attempt to make the index work hard.
const (
	// MaxQueryBytes bounds the text of a query.
	MaxQueryBytes = 1000
	// MaxQueryWords bounds the words of a query: each word is a clause (or several) of the search.
	MaxQueryWords = 32
	// MaxFuzzyRunes is the longest word matched with typos. Longer words match exactly: the cost
	// of matching a word with typos grows with its length, and few real words are longer.
	MaxFuzzyRunes = 20
	// MaxFuzzyWords is how many words of a query, from the first, may match with typos; the rest
	// match exactly, by stem or as a prefix. It bounds the typo matching one search does.
	MaxFuzzyWords = 4
)

// QueryError says why a query was refused. It never repeats the query.
type QueryError struct{ Reason string }

func (e *QueryError) Error() string { return "query " + e.Reason }

// Unwrap makes a refused query an invalid request.
func (e *QueryError) Unwrap() error { return ErrInvalid }

// CheckQuery refuses a query longer than MaxQueryBytes or with more than MaxQueryWords words.
func CheckQuery(q string) error {
	if len(q) > MaxQueryBytes {
		return &QueryError{fmt.Sprintf("must be at most %d bytes", MaxQueryBytes)}
	}
	if QueryWords(q) > MaxQueryWords {
		return &QueryError{fmt.Sprintf("must have at most %d words", MaxQueryWords)}
	}
	return nil
}

// QueryWords counts the words of q as the backends split it, or a few more: runs of letters,
// digits and marks, with every ideograph and hiragana a word of its own (Unicode word rules split
// them so).
func QueryWords(q string) int {
	n, in := 0, false
	for _, r := range q {
		switch {
		case unicode.In(r, unicode.Han, unicode.Hiragana):
			n++
			in = false
		case unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.IsMark(r):
			if !in {
				n++
			}
			in = true
		default:
			in = false
		}
	}
	return n
}
