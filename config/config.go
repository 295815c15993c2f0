// Package config turns a configuration file, FAILWELL_* environment
// variables and command-line flags into one validated [Config], and decodes
// rubric files (YAML, TOML or JSON) strictly into an [evaluate.Rubric].
//
// Precedence is flags > environment > file > defaults; only flags the user
// actually set take part. Every problem is reported at once, located by file,
// line and column where the source has them ([Error], [ErrorList]). Unknown
// keys are errors.
//
// The package holds no global state: each [Load] uses its own viper
// instance and reads the environment only through the getenv function it is
// given. It does not open input spreadsheets, check that the output
// directory exists, or decide what a zero as-of date means (the caller uses
// today); it does check that the brand logo is a readable PNG or JPEG file,
// so that a bad logo stops the run before anything is scored.
package config

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Config is failwell's validated application configuration.
type Config struct {
	// File is the configuration file [Load] read, or empty if none. It is
	// not itself a setting.
	File string
	// Out is the output directory; default "failwell-out".
	Out string
	// Rubric is the rubric file (YAML, TOML or JSON); empty means the
	// embedded default rubric. A relative path in a configuration file is
	// relative to that file's directory.
	Rubric string
	// Jobs bounds how many stories are scored and PDFs rendered at once;
	// 0 means GOMAXPROCS. Never negative.
	Jobs int
	// AsOf is the reference date for rows without a submission date and the
	// reports' generation date, at midnight UTC; the zero time means today
	// (decided by the caller).
	AsOf time.Time
	// Sheet is the worksheet to read; empty means the first sheet with a
	// header row.
	Sheet string
	// Columns overrides header detection: field ("story", "name", "email",
	// "id", "cohort", "submitted") → the header as written in the sheet.
	// Field names are lower case; headers keep their case. Nil when unset.
	Columns map[string]string
	// NoPDF skips the per-candidate PDFs.
	NoPDF bool
	// Blind replaces candidates' names and emails with stable pseudonyms in
	// every output and writes the mapping to a separate file (run only).
	Blind bool
	// Force re-renders every PDF, ignoring the content hashes an earlier
	// run left in Out (run only).
	Force bool
	// Shard is "K/N": process only the K-th of N deterministic partitions
	// of the rows (see [ParseShard]); empty for all rows (run only).
	Shard string
	// Quiet suppresses progress output.
	Quiet bool
	// LogFormat is "text" or "json".
	LogFormat string
	// Brand is the branding applied to the PDFs.
	Brand Brand
}

// Brand is the organisation's branding of the reports. It has the fields of
// report.Brand, which the caller copies it into (config does not import
// report).
type Brand struct {
	// Org is the organisation name shown in the PDF header; empty for none.
	Org string
	// Logo is the path of a PNG or JPEG logo; empty for none. A relative
	// path in a configuration file is relative to that file's directory.
	Logo string
	// Accent is the accent colour "#RRGGBB"; empty for the default.
	Accent string
	// Footer is extra footer text.
	Footer string
	// Paper is the paper size, "A4" or "Letter".
	Paper string
}

// Default returns the configuration used when nothing is set.
func Default() Config {
	return Config{
		Out:       "failwell-out",
		LogFormat: "text",
		Brand:     Brand{Paper: "A4"},
	}
}

// columnFields are the field names accepted as keys of Config.Columns (the
// same list as ingest.Fields).
var columnFields = []string{"story", "name", "email", "id", "cohort", "submitted"}

var accentRE = regexp.MustCompile(`^#[0-9A-Fa-f]{6}$`)

// Validate reports every problem with c at once, as an [ErrorList] sorted by
// key whose items have the setting's key as Path ("brand.accent"), or nil.
func (c *Config) Validate() error {
	var errs ErrorList
	add := func(key, format string, args ...any) {
		errs.Add(errorf("", 0, 0, key, format, args...))
	}
	if strings.TrimSpace(c.Out) == "" {
		add("out", "must not be empty")
	}
	if c.Jobs < 0 {
		add("jobs", "must be >= 0 (0 means the number of CPUs), got %d", c.Jobs)
	}
	if c.LogFormat != "text" && c.LogFormat != "json" {
		add("log_format", `must be "text" or "json", got %q`, c.LogFormat)
	}
	if _, _, err := ParseShard(c.Shard); err != nil {
		add("shard", "%v", err)
	}
	if c.Brand.Accent != "" && !accentRE.MatchString(c.Brand.Accent) {
		add("brand.accent", `must be a colour "#RRGGBB", got %q`, c.Brand.Accent)
	}
	if c.Brand.Paper != "A4" && c.Brand.Paper != "Letter" {
		add("brand.paper", `must be "A4" or "Letter", got %q`, c.Brand.Paper)
	}
	if c.Brand.Logo != "" {
		if err := checkLogo(c.Brand.Logo); err != nil {
			add("brand.logo", "%v", err)
		}
	}
	for _, k := range sortedKeys(c.Columns) {
		switch {
		case !slices.Contains(columnFields, k):
			msg := fmt.Sprintf("unknown field %q (fields: %s)", k, strings.Join(columnFields, ", "))
			add("columns."+k, "%s", msg)
		case strings.TrimSpace(c.Columns[k]) == "":
			add("columns."+k, "header must not be empty")
		}
	}
	return errs.Err()
}

// checkLogo reports whether the file at path starts like a PNG or a JPEG
// image, the formats the PDF renderer embeds.
func checkLogo(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	head := make([]byte, 8)
	n, _ := io.ReadFull(f, head)
	head = head[:n]
	if bytes.HasPrefix(head, []byte("\x89PNG\r\n\x1a\n")) || bytes.HasPrefix(head, []byte{0xFF, 0xD8, 0xFF}) {
		return nil
	}
	return fmt.Errorf("%s: not a PNG or JPEG image", path)
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// ParseShard parses a shard "K/N" (1 <= K <= N): the K-th of N partitions.
// The empty string is the whole batch, 1/1.
func ParseShard(s string) (k, n int, err error) {
	if strings.TrimSpace(s) == "" {
		return 1, 1, nil
	}
	a, b, ok := strings.Cut(strings.TrimSpace(s), "/")
	k, err1 := strconv.Atoi(strings.TrimSpace(a))
	n, err2 := strconv.Atoi(strings.TrimSpace(b))
	if !ok || err1 != nil || err2 != nil || n < 1 || k < 1 || k > n {
		return 0, 0, fmt.Errorf(`must be "K/N" with 1 <= K <= N (e.g. 2/8), got %q`, s)
	}
	return k, n, nil
}
