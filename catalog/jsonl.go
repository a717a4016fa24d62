package catalog

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
)

// MaxLine bounds one JSON Lines record. A longer line is reported and skipped, and never held
// in memory whole.
const MaxLine = 16 << 20

// ErrLineTooLong marks a line over MaxLine bytes.
var ErrLineTooLong = fmt.Errorf("line longer than %d MiB, skipped", MaxLine>>20)

// LineError is a JSON Lines record that could not be read or is invalid.
type LineError struct {
	Line int
	Err  error
}

func (e *LineError) Error() string { return fmt.Sprintf("line %d: %v", e.Line, e.Err) }
func (e *LineError) Unwrap() error { return e.Err }

// ReadLines decodes JSON Lines records from r and calls fn for each, with the 1-based line
// number and either a valid record or the reason it is not one (ErrLineTooLong for a line over
// MaxLine). Blank lines are skipped. An error from fn stops reading and is returned.
func ReadLines(r io.Reader, fn func(line int, rec Record, err error) error) error {
	br := bufio.NewReaderSize(r, 64<<10)
	var buf []byte
	for line := 1; ; line++ {
		b, err := readLine(br, buf[:0])
		switch {
		case err == io.EOF && len(b) == 0:
			return nil
		case errors.Is(err, ErrLineTooLong):
			if err := fn(line, Record{}, err); err != nil {
				return err
			}
			continue
		case err != nil && err != io.EOF:
			return fmt.Errorf("read line %d: %w", line, err)
		}
		buf = b
		if b = bytes.TrimSpace(b); len(b) == 0 {
			continue
		}
		var rec Record
		err = decodeStrict(b, &rec)
		if err == nil {
			err = rec.Validate()
		}
		if err := fn(line, rec, err); err != nil {
			return err
		}
	}
}

// readLine appends the next line of br to buf, without its line end. A line over MaxLine is read
// to its end and dropped as it goes: the answer is then ErrLineTooLong. At the end of the input
// it returns what is left with io.EOF.
func readLine(br *bufio.Reader, buf []byte) ([]byte, error) {
	tooLong := false
	for {
		chunk, err := br.ReadSlice('\n')
		if !tooLong {
			buf = append(buf, chunk...)
			if len(bytes.TrimSuffix(buf, []byte("\n"))) > MaxLine {
				tooLong, buf = true, buf[:0]
			}
		}
		switch {
		case err == bufio.ErrBufferFull:
			continue
		case tooLong && (err == nil || err == io.EOF):
			return []byte{}, ErrLineTooLong
		case err != nil:
			return buf, err
		}
		return bytes.TrimSuffix(buf, []byte("\n")), nil
	}
}

func decodeStrict(b []byte, rec *Record) error {
	dec := json.NewDecoder(bytes.NewReader(b))
	if err := dec.Decode(rec); err != nil {
		return fmt.Errorf("not a record: %w", err)
	}
	if dec.More() {
		return errors.New("more than one JSON value on the line")
	}
	return nil
}

// ImportReport says what an import did.
type ImportReport struct {
	// Imported and Deleted count the records of the batches the index confirmed.
	Imported int
	Deleted  int
	Bad      []*LineError
	// Failed are the batches the index did not take, with the lines they came from.
	Failed []*BatchError
}

// BatchError is a batch of records, from lines First to Last, that the index did not take.
type BatchError struct {
	First, Last int
	Err         error
}

func (e *BatchError) Error() string {
	return fmt.Sprintf("lines %d-%d: %v", e.First, e.Last, e.Err)
}
func (e *BatchError) Unwrap() error { return e.Err }

// ImportOptions tune Import.
type ImportOptions struct {
	// BatchSize is the most records per write; 0 takes 5,000.
	BatchSize int
	// InFlight is how many batches an index that is an AsyncWriter may have accepted but not yet
	// confirmed; 0 takes 8. The index queues them, so reading goes on while it applies them, and
	// the window keeps its queue, and what a failure leaves to be sent again, bounded.
	InFlight int
	// OnBad is told of every bad line as it is found.
	OnBad func(*LineError)
	// OnFailed is told of every batch the index did not take, as it is found.
	OnFailed func(*BatchError)
}

// sentBatch is a batch an index accepted and has not yet confirmed.
type sentBatch struct {
	first, last      int
	upserts, deletes int
	pending          Pending
}

// Import reads JSON Lines records into idx in batches, filing each under the fields its
// subjects name (Record.SetFields); records marked deleted are removed.
// Bad lines are reported and skipped; Check finds them beforehand when nothing may go in
// unless all is well. A batch the index refuses is reported with its lines and the rest goes
// on; once the index cannot be reached at all, reading stops. The error is nil only when every
// batch was confirmed.
func Import(ctx context.Context, idx Index, r io.Reader, opts ImportOptions) (ImportReport, error) {
	if opts.BatchSize <= 0 {
		opts.BatchSize = 5000
	}
	if opts.InFlight <= 0 {
		opts.InFlight = 8
	}
	aw, _ := idx.(AsyncWriter)
	var (
		rep      ImportReport
		batch    = make([]Record, 0, opts.BatchSize)
		cur      sentBatch
		inflight []sentBatch
	)
	fail := func(b *sentBatch, err error) {
		be := &BatchError{First: b.first, Last: b.last, Err: err}
		rep.Failed = append(rep.Failed, be)
		if opts.OnFailed != nil {
			opts.OnFailed(be)
		}
	}
	confirm := func(b *sentBatch) error {
		if b.pending != nil {
			if err := b.pending.Wait(ctx); err != nil {
				if ctx.Err() != nil {
					return fmt.Errorf("import: %w", err)
				}
				fail(b, err)
				return nil
			}
		}
		rep.Imported += b.upserts
		rep.Deleted += b.deletes
		return nil
	}
	// send hands the batch to the index; the window holds only what confirms it.
	send := func() error {
		if len(batch) == 0 {
			return nil
		}
		var err error
		if aw != nil {
			cur.pending, err = aw.UpsertAsync(ctx, batch)
		} else {
			err = idx.Upsert(ctx, batch)
		}
		b := cur
		// A fresh slice: the index may hold on to the records it accepted.
		batch, cur = make([]Record, 0, opts.BatchSize), sentBatch{}
		if err != nil {
			fail(&b, err)
			return fmt.Errorf("import: stopped after line %d, where the index refused a batch", b.last)
		}
		inflight = append(inflight, b)
		for len(inflight) > opts.InFlight {
			if err := confirm(&inflight[0]); err != nil {
				return err
			}
			inflight = inflight[1:]
		}
		return nil
	}
	err := ReadLines(r, func(line int, rec Record, err error) error {
		if err != nil {
			le := &LineError{Line: line, Err: err}
			rep.Bad = append(rep.Bad, le)
			if opts.OnBad != nil {
				opts.OnBad(le)
			}
			return nil
		}
		if len(batch) == 0 {
			cur.first = line
		}
		cur.last = line
		// Fields derive from the subjects: an export written before they existed gets them.
		rec.SetFields()
		if rec.Deleted {
			cur.deletes++
		} else {
			cur.upserts++
		}
		batch = append(batch, rec)
		if len(batch) >= opts.BatchSize {
			return send()
		}
		return nil
	})
	if err == nil {
		err = send()
	}
	// What was accepted is confirmed even after a failure, so the report counts it.
	for i := range inflight {
		if werr := confirm(&inflight[i]); werr != nil && err == nil {
			err = werr
		}
	}
	if err == nil && len(rep.Failed) > 0 {
		err = fmt.Errorf("import: %d batches not taken by the index", len(rep.Failed))
	}
	return rep, err
}

// Check reads JSON Lines records from r and returns every bad line.
func Check(r io.Reader) ([]*LineError, error) {
	var bad []*LineError
	err := ReadLines(r, func(line int, _ Record, err error) error {
		if err != nil {
			bad = append(bad, &LineError{Line: line, Err: err})
		}
		return nil
	})
	return bad, err
}

// Export writes every record matching f as JSON Lines and returns how many it wrote.
func Export(ctx context.Context, idx Index, f Filter, w io.Writer) (int, error) {
	return ExportAs(ctx, idx, f, w, func(r *Record) any { return r })
}

// ExportAs writes every record matching f as JSON Lines in the form as gives it, and returns
// how many it wrote.
func ExportAs(ctx context.Context, idx Index, f Filter, w io.Writer, as func(*Record) any) (int, error) {
	bw := bufio.NewWriterSize(w, 64<<10)
	enc := json.NewEncoder(bw)
	enc.SetEscapeHTML(false)
	n := 0
	err := idx.Each(ctx, f, func(rec Record) error {
		n++
		return enc.Encode(as(&rec))
	})
	if err != nil {
		return n, fmt.Errorf("export: %w", err)
	}
	return n, bw.Flush()
}
