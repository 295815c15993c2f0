package report

import "golang.org/x/sys/unix"

// syncAll makes every file written lazily into d durable at once: syncfs(2)
// on the output directory's file system, one call instead of an fsync per
// file.
func (d *outDir) syncAll() error {
	f, err := d.root.Open(".")
	if err != nil {
		return err
	}
	defer f.Close()
	return unix.Syncfs(int(f.Fd()))
}
