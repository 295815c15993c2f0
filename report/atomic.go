package report

import (
	"bufio"
	"crypto/rand"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"strings"
	"sync"
)

// fileMode is the mode of every file written: the outputs hold personal
// data, so they are readable by their owner only.
const fileMode fs.FileMode = 0o600

// dirMode is the mode of directories created in the output directory.
const dirMode fs.FileMode = 0o700

// outDir is the output directory, opened as an [os.Root] so that no name,
// symbolic link or "..", can make a write land outside it.
type outDir struct {
	root *os.Root
	path string // as given, for error messages
	// lazy skips the per-file fsync of writeFile: the rename still makes
	// each file appear whole or not at all (also after kill -9), and the
	// caller makes the files durable together with [outDir.syncAll].
	lazy bool
	// subs caches the roots of sub-directories written into (feedback/), so
	// that writing many files there does not resolve the path each time.
	subs *subRoots
}

// subRoots are opened sub-directory roots, by slash-separated name.
type subRoots struct {
	mu sync.Mutex
	m  map[string]*os.Root
}

// openOutDir creates dir (mode 0700) if needed and opens it.
func openOutDir(dir string) (*outDir, error) {
	if dir == "" {
		dir = "."
	}
	if err := os.MkdirAll(dir, dirMode); err != nil {
		return nil, fmt.Errorf("create output directory: %w", err)
	}
	root, err := os.OpenRoot(dir)
	if err != nil {
		return nil, fmt.Errorf("open output directory: %w", err)
	}
	return &outDir{root: root, path: dir, subs: &subRoots{m: map[string]*os.Root{}}}, nil
}

// Close closes d and the sub-directory roots it opened.
func (d *outDir) Close() error {
	d.subs.mu.Lock()
	for _, r := range d.subs.m {
		r.Close()
	}
	clear(d.subs.m)
	d.subs.mu.Unlock()
	return d.root.Close()
}

// dirRoot returns the root of the sub-directory dir ("" or "feedback/"),
// opened once: it is inside d.root, so it confines writes just as well.
func (d *outDir) dirRoot(dir string) (*os.Root, error) {
	dir = strings.TrimSuffix(dir, "/")
	if dir == "" {
		return d.root, nil
	}
	d.subs.mu.Lock()
	defer d.subs.mu.Unlock()
	if r, ok := d.subs.m[dir]; ok {
		return r, nil
	}
	r, err := d.root.OpenRoot(dir)
	if err != nil {
		return nil, err
	}
	d.subs.m[dir] = r
	return r, nil
}

// mkdir creates the sub-directory name (slash-separated, inside d) if missing.
func (d *outDir) mkdir(name string) error {
	if err := d.root.MkdirAll(name, dirMode); err != nil {
		return fmt.Errorf("create %s: %w", path.Join(d.path, name), err)
	}
	return nil
}

// writeFile writes the file name (slash-separated, relative to d) atomically:
// (errors name the file relative to d, so that they read the same wherever
// the output directory is; callers add the directory where useful)
// write fills a new temporary file in the same directory, which is flushed,
// synced and renamed over name only if write and every step succeed.
// Otherwise the temporary file is removed and name is left as it was: there
// is never a truncated file under a final name. The file's mode is 0600.
func (d *outDir) writeFile(name string, write func(w io.Writer) error) (err error) {
	f, err := d.create(name)
	if err != nil {
		return err
	}
	if err := write(f); err != nil {
		f.abort()
		return fmt.Errorf("write %s: %w", name, err)
	}
	return f.commit()
}

// pendingFile is a file being written atomically: its content goes to a
// temporary file in the same directory, which commit renames over the
// final name and abort removes.
type pendingFile struct {
	*bufio.Writer
	d    *outDir
	root *os.Root
	f    *os.File
	name string // final name, relative to d
	dir  string // its directory, relative to d
	tmp  string // the temporary file's name in root
	done bool
}

// create starts writing the file name (slash-separated, relative to d)
// atomically; see writeFile.
func (d *outDir) create(name string) (*pendingFile, error) {
	if !fs.ValidPath(name) || name == "." {
		return nil, fmt.Errorf("write %q: invalid output file name", name)
	}
	dir, base := path.Split(name)
	root, err := d.dirRoot(dir)
	if err != nil {
		return nil, fmt.Errorf("write %s: %w", name, err)
	}
	tmp := "." + base + "." + rand.Text()[:10] + ".tmp"
	f, err := root.OpenFile(tmp, os.O_RDWR|os.O_CREATE|os.O_EXCL, fileMode)
	if err != nil {
		return nil, fmt.Errorf("write %s: %w", name, err)
	}
	return &pendingFile{Writer: bufio.NewWriterSize(f, 64<<10), d: d, root: root, f: f, name: name, dir: dir, tmp: tmp}, nil
}

// abort removes the temporary file; the final name is left as it was.
func (p *pendingFile) abort() {
	if p.done {
		return
	}
	p.done = true
	_ = p.f.Close()
	_ = p.root.Remove(p.tmp)
}

// commit flushes, syncs (unless d is lazy) and renames the file into place;
// on failure the temporary file is removed.
func (p *pendingFile) commit() (err error) {
	if p.done {
		return fmt.Errorf("write %s: already finished", p.name)
	}
	defer func() {
		if err != nil {
			p.abort()
			err = fmt.Errorf("write %s: %w", p.name, err)
		}
	}()
	if err = p.Flush(); err != nil {
		return err
	}
	if !p.d.lazy {
		if err = p.f.Sync(); err != nil {
			return err
		}
	}
	if err = p.f.Close(); err != nil {
		return err
	}
	p.done = true
	if err = p.root.Rename(p.tmp, path.Base(p.name)); err != nil {
		_ = p.root.Remove(p.tmp)
		return err
	}
	if !p.d.lazy {
		p.d.syncDir(p.dir)
	}
	return nil
}

// syncDir makes a rename in dir durable where the platform allows it;
// failures are ignored (some file systems refuse to sync a directory).
func (d *outDir) syncDir(dir string) {
	if dir == "" {
		dir = "."
	}
	f, err := d.root.Open(path.Clean(dir))
	if err != nil {
		return
	}
	_ = f.Sync()
	_ = f.Close()
}
