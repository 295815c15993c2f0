package report

import (
	"bytes"
	"crypto/rand"
	"encoding/csv"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"strings"

	"github.com/failwell/failwell/evaluate"
)

// Files of a blind run (--blind), relative to the output directory. Both
// re-identify the candidates: keep them, and do not share them with the
// reviewers of the blinded outputs.
const (
	// BlindMapFile is the mapping pseudonym → name, email, row (CSV).
	BlindMapFile = "blind-map.csv"
	// BlindKeyFile holds the secret key the pseudonyms are derived from,
	// so that runs into the same output directory give the same pseudonyms.
	BlindKeyFile = "blind-key"
)

// blindKeyBytes is the size of a new blind key.
const blindKeyBytes = 32

// BlindKey returns the key of [evaluate.Blind] kept in dir's blind-key file.
// If the file does not exist, dir is created if needed (mode 0700) and a new
// random 32-byte key is written to it (hex, mode 0600). A file that exists
// but does not hold a key of at least 16 bytes is an error: it is not
// replaced, since that would silently change every pseudonym.
func BlindKey(dir string) ([]byte, error) {
	d, err := openOutDir(dir)
	if err != nil {
		return nil, fmt.Errorf("report: %w", err)
	}
	defer d.Close()
	data, err := d.root.ReadFile(BlindKeyFile)
	switch {
	case err == nil:
		key, err := hex.DecodeString(string(bytes.TrimSpace(firstLine(data))))
		if err != nil || len(key) < 16 {
			return nil, fmt.Errorf("report: %s: not a blind key (64 hex digits); move it away to start new pseudonyms", d.displayName(BlindKeyFile))
		}
		return key, nil
	case !errors.Is(err, fs.ErrNotExist):
		return nil, fmt.Errorf("report: read %s: %w", d.displayName(BlindKeyFile), err)
	}
	key := make([]byte, blindKeyBytes)
	_, _ = rand.Read(key) // never fails (crypto/rand)
	err = d.writeFile(BlindKeyFile, func(w io.Writer) error {
		_, err := fmt.Fprintf(w, "%s\n# failwell --blind key: the pseudonyms in this directory are derived from it.\n"+
			"# Keep it secret, with blind-map.csv; delete it to get new pseudonyms on the next run.\n", hex.EncodeToString(key))
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("report: %s: %w", d.path, err)
	}
	return key, nil
}

func firstLine(b []byte) []byte {
	line, _, _ := bytes.Cut(b, []byte("\n"))
	return line
}

// displayName is name inside the output directory, for messages.
func (d *outDir) displayName(name string) string {
	if d.path == "." {
		return name
	}
	return strings.TrimSuffix(d.path, "/") + "/" + name
}

// WriteBlindMap writes blind-map.csv into dir atomically (mode 0600): a
// header "pseudonym,name,email,row" and one line per row of the batch, in
// input order. A value that a spreadsheet would run as a formula (starting
// with =, +, -, @, tab or carriage return) is prefixed with an apostrophe,
// as OWASP recommends for CSV exports.
func WriteBlindMap(dir string, mapping []evaluate.Pseudonym) error {
	d, err := openOutDir(dir)
	if err != nil {
		return fmt.Errorf("report: %w", err)
	}
	defer d.Close()
	if err := d.writeFile(BlindMapFile, func(w io.Writer) error {
		return blindMapCSV(w, mapping)
	}); err != nil {
		return fmt.Errorf("report: %s: %w", d.path, err)
	}
	return nil
}

func blindMapCSV(w io.Writer, mapping []evaluate.Pseudonym) error {
	cw := csv.NewWriter(w)
	if err := cw.Write([]string{"pseudonym", "name", "email", "row"}); err != nil {
		return err
	}
	for _, p := range mapping {
		if err := cw.Write([]string{csvSafe(p.Pseudonym), csvSafe(p.Name), csvSafe(p.Email), csvSafe(p.Ref)}); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// csvSafe neutralises CSV formula injection: text starting with a character
// that makes spreadsheets evaluate the cell gets a leading apostrophe.
func csvSafe(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}
