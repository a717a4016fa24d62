package catalog

import (
	"errors"
	"io"
	"slices"
	"strings"
	"testing"
)

// repeatReader yields n copies of one byte without holding them.
type repeatReader struct {
	b byte
	n int
}

func (r *repeatReader) Read(p []byte) (int, error) {
	if r.n == 0 {
		return 0, io.EOF
	}
	k := min(len(p), r.n)
	for i := range p[:k] {
		p[i] = r.b
	}
	r.n -= k
	return k, nil
}

func TestReadLinesSkipsOverlongLines(t *testing.T) {
	good := func(id string) string { return `{"id":"s_` + id + `","source":"s","title":"T"}` }
	huge := func() io.Reader { return &repeatReader{'x', 20 << 20} }
	for _, tc := range []struct {
		name    string
		in      io.Reader
		records []int
		tooLong []int
	}{
		{"between good lines", io.MultiReader(strings.NewReader(good("1")+"\n"), huge(), strings.NewReader("\n"+good("3")+"\n")), []int{1, 3}, []int{2}},
		{"last, without a line end", io.MultiReader(strings.NewReader(good("1")+"\n"), huge()), []int{1}, []int{2}},
		{"exactly the longest", io.MultiReader(strings.NewReader(good("1")+"\n"), &repeatReader{' ', MaxLine - len(good("2"))}, strings.NewReader(good("2"))), []int{1, 2}, nil},
		{"one byte over", io.MultiReader(&repeatReader{' ', MaxLine + 1 - len(good("1"))}, strings.NewReader(good("1")+"\r\n"+good("2"))), []int{2}, []int{1}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var records, tooLong []int
			err := ReadLines(tc.in, func(line int, rec Record, err error) error {
				switch {
				case errors.Is(err, ErrLineTooLong):
					tooLong = append(tooLong, line)
				case err != nil:
					t.Errorf("line %d: %v", line, err)
				default:
					records = append(records, line)
				}
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(records, tc.records) || !slices.Equal(tooLong, tc.tooLong) {
				t.Errorf("records on lines %v, too long %v; want %v and %v", records, tooLong, tc.records, tc.tooLong)
			}
		})
	}
}
