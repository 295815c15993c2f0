package report

import (
	"archive/zip"
	"bufio"
	"bytes"
	"cmp"
	"compress/flate"
	"errors"
	"fmt"
	"hash"
	"hash/crc32"
	"io"
	"io/fs"
	"os"
	"regexp"
	"slices"
)

// sortedZip is an [excelize.ZipWriter] that makes report.xlsx byte-for-byte
// reproducible. excelize writes the parts of streamed sheets in map order,
// which varies from run to run; sortedZip compresses each part into memory
// as it comes and, on Close, writes all parts in a fixed order
// ([Content_Types].xml first, then by name) with zero timestamps.
//
// Memory: the compressed parts are held until Close, about the size of the
// finished file; sortedZip writes them to w directly, so excelize's own
// in-memory copy of the file is never made.
type sortedZip struct {
	w       io.Writer
	entries []*zipEntry
	cur     *zipEntry
	// replace holds finished parts, by name, that are written instead of
	// the parts excelize saves under those names (the streamed sheets,
	// whose placeholders excelize saves empty).
	replace map[string]*zipEntry
	// replaced counts the placeholders met.
	replaced int
}

type zipEntry struct {
	name string
	buf  bytes.Buffer // deflated content (plain for contentTypes until Close)
	// spill, when set, holds the deflated content instead of buf: the big
	// streamed sheets, whose compressed size grows with the batch.
	spill *spillFile
	fw    *flate.Writer
	crc   hash.Hash32
	size  uint64
}

func (e *zipEntry) Write(p []byte) (int, error) {
	if e.fw == nil {
		return e.buf.Write(p)
	}
	e.crc.Write(p)
	e.size += uint64(len(p))
	return e.fw.Write(p)
}

// contentTypes is the package's content-type list, whose <Default> elements
// excelize writes in map order: sortedZip sorts them.
const contentTypes = "[Content_Types].xml"

// defaultElem matches one <Default> element of [Content_Types].xml.
var defaultElem = regexp.MustCompile(`<Default [^>]*>(?:</Default>)?`)

// canonicalContentTypes sorts the <Default> elements of a content-type list,
// whose order has no meaning.
func canonicalContentTypes(b []byte) []byte {
	locs := defaultElem.FindAllIndex(b, -1)
	if len(locs) < 2 {
		return b
	}
	for i := 1; i < len(locs); i++ {
		if locs[i][0] != locs[i-1][1] {
			return b // not one contiguous run: leave it alone
		}
	}
	elems := make([]string, len(locs))
	for i, l := range locs {
		elems[i] = string(b[l[0]:l[1]])
	}
	slices.Sort(elems)
	start, end := locs[0][0], locs[len(locs)-1][1]
	out := append([]byte{}, b[:start]...)
	for _, e := range elems {
		out = append(out, e...)
	}
	return append(out, b[end:]...)
}

func (z *sortedZip) finish() error {
	if z.cur == nil {
		return nil
	}
	err := z.cur.fw.Close()
	z.cur = nil
	return err
}

// Create starts a new part; the previous one is finished.
func (z *sortedZip) Create(name string) (io.Writer, error) {
	if err := z.finish(); err != nil {
		return nil, err
	}
	if r, ok := z.replace[name]; ok {
		z.entries = append(z.entries, r)
		z.replaced++
		return io.Discard, nil
	}
	e := &zipEntry{name: name, crc: crc32.NewIEEE()}
	z.entries = append(z.entries, e)
	if name == contentTypes {
		return e, nil // kept plain, canonicalised and compressed on Close
	}
	if err := e.compress(); err != nil {
		return nil, err
	}
	z.cur = e
	return e, nil
}

// compress starts compressing e's further writes into e.buf, at the fastest
// level: deflating the big sheets was a third of the workbook's time.
func (e *zipEntry) compress() error {
	var dst io.Writer = &e.buf
	if e.spill != nil {
		dst = e.spill
	}
	fw, err := flate.NewWriter(dst, flate.BestSpeed)
	e.fw = fw
	return err
}

// AddFS is not used by excelize when saving a workbook.
//
// sortedZip implements excelize.ZipWriter.
func (z *sortedZip) AddFS(fs.FS) error { return errors.New("sortedZip: AddFS not supported") }

// Close writes the archive.
func (z *sortedZip) Close() error {
	if err := z.finish(); err != nil {
		return err
	}
	if z.replaced != len(z.replace) {
		return fmt.Errorf("workbook: %d of %d streamed sheets have no placeholder", len(z.replace)-z.replaced, len(z.replace))
	}
	for _, e := range z.entries {
		if e.fw != nil {
			continue
		}
		plain := canonicalContentTypes(e.buf.Bytes())
		e.buf = bytes.Buffer{}
		if err := e.compress(); err != nil {
			return err
		}
		if _, err := e.Write(plain); err != nil {
			return err
		}
		if err := e.fw.Close(); err != nil {
			return err
		}
	}
	rank := func(name string) int {
		if name == contentTypes {
			return 0
		}
		return 1
	}
	slices.SortStableFunc(z.entries, func(a, b *zipEntry) int {
		return cmp.Or(cmp.Compare(rank(a.name), rank(b.name)), cmp.Compare(a.name, b.name))
	})
	zw := zip.NewWriter(z.w)
	for _, e := range z.entries {
		w, err := zw.CreateRaw(&zip.FileHeader{
			Name:               e.name,
			Method:             zip.Deflate,
			CRC32:              e.crc.Sum32(),
			CompressedSize64:   e.compressedSize(),
			UncompressedSize64: e.size,
		})
		if err != nil {
			return err
		}
		if e.spill != nil {
			if err := e.spill.copyTo(w); err != nil {
				return err
			}
		} else if _, err := e.buf.WriteTo(w); err != nil {
			return err
		}
		e.buf = bytes.Buffer{}
	}
	return zw.Close()
}

func (e *zipEntry) compressedSize() uint64 {
	if e.spill != nil {
		return uint64(e.spill.n)
	}
	return uint64(e.buf.Len())
}

// spillFile is a temporary file, unlinked once opened, that holds a part's
// compressed bytes on disk rather than in memory.
type spillFile struct {
	f  *os.File
	bw *bufio.Writer
	n  int64
}

// newSpillFile creates a spill file in dir (the output directory, so that
// no personal data is written anywhere else).
func newSpillFile(dir string) (*spillFile, error) {
	f, err := os.CreateTemp(dir, ".failwell-sheet-*.tmp")
	if err != nil {
		return nil, err
	}
	// Unlinked at once: nothing is left behind, even after kill -9 (where
	// the platform allows removing an open file).
	_ = os.Remove(f.Name())
	return &spillFile{f: f, bw: bufio.NewWriterSize(f, 256<<10)}, nil
}

func (s *spillFile) Write(p []byte) (int, error) {
	n, err := s.bw.Write(p)
	s.n += int64(n)
	return n, err
}

// copyTo writes the spilled bytes to w and closes the file.
func (s *spillFile) copyTo(w io.Writer) error {
	defer s.close()
	if err := s.bw.Flush(); err != nil {
		return err
	}
	if _, err := s.f.Seek(0, io.SeekStart); err != nil {
		return err
	}
	_, err := io.Copy(w, bufio.NewReaderSize(s.f, 256<<10))
	return err
}

func (s *spillFile) close() {
	if s != nil && s.f != nil {
		name := s.f.Name()
		s.f.Close()
		_ = os.Remove(name) // where it could not be removed while open
		s.f = nil
	}
}
