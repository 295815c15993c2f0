//go:build !linux

package report

import "io/fs"

// syncAll makes every file written lazily into d durable: an fsync of each
// file and directory under d.
func (d *outDir) syncAll() error {
	return fs.WalkDir(d.root.FS(), ".", func(p string, e fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		f, err := d.root.Open(p)
		if err != nil {
			return err
		}
		_ = f.Sync()
		return f.Close()
	})
}
