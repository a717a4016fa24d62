package embedded

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"

	"github.com/RoaringBitmap/roaring/v2"
)

// A snapshot is the index in memory written out by Close, so that the next Open reads bitmaps
// instead of analyzing every record again. It names the length of the log it covers; Open
// replays the frames written after that. A snapshot that does not match the log (another
// layout, a log shorter than it covers, or any read error) is ignored and the index rebuilt from
// the log alone, so it never needs to be trusted more than the log. Compaction removes it before
// it moves records in the log.
const (
	snapFile  = "catalog.snap"
	snapMagic = "orchard catalog snapshot 5\n"
)

// snapWriter writes the fields of a snapshot, keeping the first error.
type snapWriter struct {
	w   *bufio.Writer
	buf []byte
	err error
}

func (s *snapWriter) uint(v uint64) {
	if s.err == nil {
		s.buf = binary.AppendUvarint(s.buf[:0], v)
		_, s.err = s.w.Write(s.buf)
	}
}

func (s *snapWriter) str(v string) {
	s.uint(uint64(len(v)))
	if s.err == nil {
		_, s.err = s.w.WriteString(v)
	}
}

func (s *snapWriter) bitmap(b *roaring.Bitmap) {
	b.RunOptimize()
	s.uint(b.GetSerializedSizeInBytes())
	if s.err == nil {
		_, s.err = b.WriteTo(s.w)
	}
}

func (s *snapWriter) bitmaps(m map[string]*roaring.Bitmap) {
	s.uint(uint64(len(m)))
	for k, b := range m {
		s.str(k)
		s.bitmap(b)
	}
}

// writeSnapshot writes m, which covers the log up to covered bytes, to dir, replacing the
// snapshot there by a rename.
func writeSnapshot(dir string, m *memory, covered int64) error {
	path := filepath.Join(dir, snapFile)
	tmp := path + ".tmp"
	f, err := os.Create(tmp)
	if err != nil {
		return fmt.Errorf("write snapshot: %w", err)
	}
	s := &snapWriter{w: bufio.NewWriterSize(f, 1<<20)}
	_, s.err = s.w.WriteString(snapMagic)
	s.uint(uint64(covered))
	s.uint(uint64(len(m.docs)))
	for _, d := range m.docs {
		s.str(d.id)
		s.uint(uint64(d.at.off))
		s.uint(uint64(d.at.n))
		s.str(d.sortDate)
		s.str(d.datestamp)
		s.str(d.sortTitle)
		s.str(d.listDate)
	}
	s.bitmap(m.live)
	s.uint(uint64(len(m.words)))
	for w, p := range m.words {
		s.str(w)
		s.bitmap(p.title)
		s.bitmap(p.body)
	}
	for _, lang := range sortedKeys(m.stems) {
		s.str(lang)
		s.bitmaps(m.stems[lang])
	}
	for _, f := range sortedKeys(m.facets) {
		s.str(f)
		s.bitmaps(m.facets[f])
	}
	for _, b := range m.flags {
		s.bitmap(b)
	}
	err = s.err
	if err == nil {
		err = s.w.Flush()
	}
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, path)
	}
	if err != nil {
		_ = os.Remove(tmp)
		return fmt.Errorf("write snapshot: %w", err)
	}
	return syncDir(dir)
}

// snapReader reads the fields of a snapshot, keeping the first error.
type snapReader struct {
	r   *bufio.Reader
	err error
}

func (s *snapReader) uint() uint64 {
	if s.err != nil {
		return 0
	}
	var v uint64
	v, s.err = binary.ReadUvarint(s.r)
	return v
}

// maxSnapString bounds a string read from a snapshot, so that a damaged length fails the read
// instead of allocating it.
const maxSnapString = 1 << 20

func (s *snapReader) str() string {
	n := s.uint()
	if s.err != nil || n == 0 {
		return ""
	}
	if n > maxSnapString {
		s.err = errors.New("string too long")
		return ""
	}
	b := make([]byte, n)
	_, s.err = io.ReadFull(s.r, b)
	return string(b)
}

func (s *snapReader) bitmap() *roaring.Bitmap {
	b := roaring.New()
	n := s.uint()
	if s.err == nil {
		_, s.err = b.ReadFrom(io.LimitReader(s.r, int64(n)))
	}
	return b
}

func (s *snapReader) bitmaps() map[string]*roaring.Bitmap {
	n := s.uint()
	m := make(map[string]*roaring.Bitmap, min(n, 1<<16))
	for range n {
		if s.err != nil {
			break
		}
		k := s.str()
		m[k] = s.bitmap()
	}
	return m
}

// readSnapshot reads the snapshot in dir and the length of the log it covers.
func readSnapshot(dir string) (*memory, int64, error) {
	f, err := os.Open(filepath.Join(dir, snapFile))
	if err != nil {
		return nil, 0, err
	}
	defer f.Close()
	s := &snapReader{r: bufio.NewReaderSize(f, 1<<20)}
	magic := make([]byte, len(snapMagic))
	if _, err := io.ReadFull(s.r, magic); err != nil || string(magic) != snapMagic {
		return nil, 0, errors.New("not a snapshot of this layout")
	}
	m := newMemory()
	covered := int64(s.uint())
	n := s.uint()
	if n > 1<<32 {
		return nil, 0, errors.New("too many records")
	}
	m.docs = make([]doc, 0, n)
	for i := range n {
		if s.err != nil {
			break
		}
		d := doc{id: s.str(), at: entry{off: int64(s.uint()), n: uint32(s.uint())},
			sortDate: s.str(), datestamp: s.str(), sortTitle: s.str(), listDate: s.str()}
		d.dateHead = head(d.sortDate)
		m.docs = append(m.docs, d)
		if d.id != "" {
			m.ids[d.id] = uint32(i)
		}
	}
	m.live = s.bitmap()
	words := s.uint()
	for range words {
		if s.err != nil {
			break
		}
		w := s.str()
		m.words[w] = &postings{title: s.bitmap(), body: s.bitmap()}
		m.fresh = append(m.fresh, w)
	}
	for range len(m.stems) {
		lang := s.str()
		if _, ok := m.stems[lang]; !ok && s.err == nil {
			s.err = fmt.Errorf("unknown language %q", lang)
		}
		m.stems[lang] = s.bitmaps()
	}
	for range len(m.facets) {
		facet := s.str()
		if _, ok := m.facets[facet]; !ok && s.err == nil {
			s.err = fmt.Errorf("unknown facet %q", facet)
		}
		m.facets[facet] = s.bitmaps()
	}
	for i := range m.flags {
		m.flags[i] = s.bitmap()
	}
	if s.err != nil {
		return nil, 0, s.err
	}
	if uint64(len(m.ids)) != m.live.GetCardinality() {
		return nil, 0, errors.New("records and live set disagree")
	}
	m.settle()
	return m, covered, nil
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}
