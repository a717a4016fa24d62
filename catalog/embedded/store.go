package embedded

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// The records live in one append-only log file, catalog.log: a header line naming the layout,
// then one frame per write. The index in memory is rebuilt from the log when the index is
// opened; it keeps only each record's position in the log and reads the record back for the hits
// of a page.
//
// A frame is: payload length (uint32), CRC-32 of op, id and payload (uint32), op (1 byte: 'u'
// upsert, 'd' delete), id length (uint16), id, payload (the record's JSON for an upsert, nothing
// for a delete). A frame cut short by a crash, or one whose checksum fails, ends the log: it and
// what follows are dropped when the log is opened.
const (
	logFile      = "catalog.log"
	logHeader    = "orchard catalog log "
	frameHead    = 4 + 4 + 1 + 2
	opUpsert     = 'u'
	opDelete     = 'd'
	maxIDBytes   = 1<<16 - 1
	compactSlack = 64 << 20 // dead bytes tolerated before a compaction, beside as many live ones
)

// store is the log file of an index.
type store struct {
	path string
	f    *os.File
	size int64 // where the next frame goes
	live int64 // bytes of the frames of live records
}

// entry is where a live record's JSON lies in the log.
type entry struct {
	off int64
	n   uint32
}

// frame encodes one write.
func frame(buf []byte, op byte, id string, payload []byte) []byte {
	var head [frameHead]byte
	binary.LittleEndian.PutUint32(head[0:], uint32(len(payload)))
	head[8] = op
	binary.LittleEndian.PutUint16(head[9:], uint16(len(id)))
	crc := crc32.NewIEEE()
	crc.Write(head[8:])
	crc.Write([]byte(id))
	crc.Write(payload)
	binary.LittleEndian.PutUint32(head[4:], crc.Sum32())
	buf = append(buf, head[:]...)
	buf = append(buf, id...)
	return append(buf, payload...)
}

// readLayout returns the layout version in the header of the log at path.
func readLayout(path string) (int, error) {
	f, err := os.Open(path)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	line, err := bufio.NewReader(f).ReadString('\n')
	rest, ok := strings.CutPrefix(strings.TrimSuffix(line, "\n"), logHeader)
	if err != nil || !ok {
		return 0, fmt.Errorf("%s is not an Orchard catalog log", path)
	}
	return strconv.Atoi(rest)
}

// createLog writes an empty log at path, durably.
func createLog(path string) error {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o644)
	if err != nil {
		return err
	}
	_, err = f.WriteString(logHeader + strconv.Itoa(layoutVersion) + "\n")
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("create %s: %w", path, err)
	}
	return syncDir(filepath.Dir(path))
}

// openStore opens the log at path and calls fn for each frame from the offset from on (0 for
// the first), in order, with where the payload lies. A torn or corrupt tail is cut off.
func openStore(path string, from int64, fn func(op byte, id string, e entry)) (*store, error) {
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		return nil, err
	}
	s := &store{path: path, f: f}
	if err := s.scan(from, fn); err != nil {
		f.Close()
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	return s, nil
}

// errTorn marks the end of the readable frames.
var errTorn = errors.New("torn frame")

func (s *store) scan(from int64, fn func(op byte, id string, e entry)) error {
	r := bufio.NewReaderSize(io.NewSectionReader(s.f, 0, 1<<62), 1<<20)
	header, err := r.ReadString('\n')
	if err != nil {
		return fmt.Errorf("read header: %w", err)
	}
	off := int64(len(header))
	if from > off {
		if _, err := r.Discard(int(from - off)); err != nil {
			return fmt.Errorf("skip to %d: %w", from, err)
		}
		off = from
	}
	for {
		var head [frameHead]byte
		n, err := io.ReadFull(r, head[:])
		if err == io.EOF {
			break
		}
		var id, payload []byte
		if err == nil {
			plen := binary.LittleEndian.Uint32(head[0:])
			idLen := binary.LittleEndian.Uint16(head[9:])
			buf := make([]byte, int(idLen)+int(plen))
			_, err = io.ReadFull(r, buf)
			id, payload = buf[:idLen], buf[idLen:]
			crc := crc32.NewIEEE()
			crc.Write(head[8:])
			crc.Write(buf)
			if err == nil && crc.Sum32() != binary.LittleEndian.Uint32(head[4:]) {
				err = errTorn
			}
		}
		if err != nil {
			// What follows the last whole frame is a write the crash interrupted.
			if terr := s.f.Truncate(off); terr != nil {
				return fmt.Errorf("cut torn tail at %d: %w", off, terr)
			}
			break
		}
		fn(head[8], string(id), entry{off: off + frameHead + int64(len(id)), n: uint32(len(payload))})
		off += int64(n + len(id) + len(payload))
	}
	s.size = off
	return nil
}

func frameSize(id string, n uint32) int64 { return frameHead + int64(len(id)) + int64(n) }

// append writes frames to the end of the log; what they hold is searchable only after the
// write returned, so a crash loses at most writes not yet acknowledged.
func (s *store) append(buf []byte) error {
	if _, err := s.f.WriteAt(buf, s.size); err != nil {
		return fmt.Errorf("write %s: %w", s.path, err)
	}
	s.size += int64(len(buf))
	return nil
}

// read returns the JSON of the record at e.
func (s *store) read(e entry) ([]byte, error) {
	b := make([]byte, e.n)
	if _, err := s.f.ReadAt(b, e.off); err != nil {
		return nil, fmt.Errorf("read %s at %d: %w", s.path, e.off, err)
	}
	return b, nil
}

// wasteful says whether the log holds enough overwritten and deleted frames to rewrite it.
func (s *store) wasteful() bool {
	return s.size-s.live > s.live+compactSlack
}

// compact rewrites the log with the live records only, in the order of ids, and returns where
// each now lies. The new log replaces the old one by a rename, so a crash leaves one of them
// whole.
func (s *store) compact(ids []string, where func(string) entry) (map[string]entry, error) {
	tmp := s.path + ".compact"
	_ = os.Remove(tmp)
	if err := createLog(tmp); err != nil {
		return nil, err
	}
	f, err := os.OpenFile(tmp, os.O_RDWR, 0)
	if err != nil {
		return nil, err
	}
	ns := &store{path: s.path, f: f}
	if ns.size, err = f.Seek(0, io.SeekEnd); err != nil {
		f.Close()
		return nil, err
	}
	moved := make(map[string]entry, len(ids))
	w := bufio.NewWriterSize(f, 1<<20)
	var buf []byte
	for _, id := range ids {
		e := where(id)
		js, rerr := s.read(e)
		if rerr != nil {
			err = rerr
			break
		}
		buf = frame(buf[:0], opUpsert, id, js)
		if _, err = w.Write(buf); err != nil {
			break
		}
		moved[id] = entry{off: ns.size + frameHead + int64(len(id)), n: e.n}
		ns.size += int64(len(buf))
	}
	if err == nil {
		err = w.Flush()
	}
	if err == nil {
		err = f.Sync()
	}
	if err == nil {
		// The snapshot names places in the old log.
		if rerr := os.Remove(filepath.Join(filepath.Dir(s.path), snapFile)); rerr != nil && !errors.Is(rerr, os.ErrNotExist) {
			err = rerr
		}
	}
	if err == nil {
		err = os.Rename(tmp, s.path)
	}
	if err == nil {
		err = syncDir(filepath.Dir(s.path))
	}
	if err != nil {
		f.Close()
		_ = os.Remove(tmp)
		return nil, fmt.Errorf("compact %s: %w", s.path, err)
	}
	s.f.Close()
	ns.live = ns.size
	*s = *ns
	return moved, nil
}

// close flushes the log to disk and closes it.
func (s *store) close() error {
	err := s.f.Sync()
	if cerr := s.f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("close %s: %w", s.path, err)
	}
	return nil
}
