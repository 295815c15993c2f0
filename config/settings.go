package config

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/pflag"
)

// Setting describes one configuration setting and the three ways to set it.
type Setting struct {
	// Key is the setting's key in a configuration file, snake_case, with a
	// dot for nesting: "as_of" is `as_of:`, "brand.org" is `org:` under
	// `brand:`. The "config" setting cannot appear in a file.
	Key string
	// Flag is the command-line flag, without dashes: "as-of".
	Flag string
	// Env is the environment variable: "FAILWELL_AS_OF".
	Env string
	// Default is the default value as text; empty when the default is empty
	// (see Help for what that means).
	Default string
	// Help is a one-line description.
	Help string

	kind kind
	arg  string                 // the word of Help that names the flag's value in usage
	set  func(c *Config, v any) // v has the kind's Go type
}

// kind is a setting's value type.
type kind int

const (
	kindString kind = iota // string
	kindInt                // int
	kindBool               // bool
	kindDate               // time.Time, "YYYY-MM-DD"
	kindMap                // map[string]string, "k=v,k=v"
	kindPath               // string naming a file, relative to the config file
)

// DateLayout is the layout of dates in settings: "YYYY-MM-DD".
const DateLayout = "2006-01-02"

// Settings lists every setting, in the order `-h` and the README show them.
// It is the one table of keys, flags and FAILWELL_* variables.
var Settings = []Setting{
	{Key: "config", arg: "file", Flag: "config", Env: "FAILWELL_CONFIG", kind: kindPath,
		Help: "configuration file (default: failwell.yaml, .yml, .toml or .json in the working directory)",
		set:  func(c *Config, v any) { c.File = v.(string) }},
	{Key: "out", arg: "directory", Flag: "out", Env: "FAILWELL_OUT", Default: "failwell-out", kind: kindString,
		Help: "output directory",
		set:  func(c *Config, v any) { c.Out = v.(string) }},
	{Key: "rubric", arg: "file", Flag: "rubric", Env: "FAILWELL_RUBRIC", kind: kindPath,
		Help: "rubric file, YAML, TOML or JSON (default: the built-in rubric)",
		set:  func(c *Config, v any) { c.Rubric = v.(string) }},
	{Key: "jobs", Flag: "jobs", Env: "FAILWELL_JOBS", Default: "0", kind: kindInt,
		Help: "stories scored and PDFs rendered at once; 0 means the number of CPUs",
		set:  func(c *Config, v any) { c.Jobs = v.(int) }},
	{Key: "as_of", arg: "date", Flag: "as-of", Env: "FAILWELL_AS_OF", kind: kindDate,
		Help: "reference date (YYYY-MM-DD) for rows without a submission date, and the reports' date (default: today)",
		set:  func(c *Config, v any) { c.AsOf = v.(time.Time) }},
	{Key: "sheet", arg: "worksheet", Flag: "sheet", Env: "FAILWELL_SHEET", kind: kindString,
		Help: "worksheet to read (default: the first sheet with a header row)",
		set:  func(c *Config, v any) { c.Sheet = v.(string) }},
	{Key: "columns", Flag: "columns", Env: "FAILWELL_COLUMNS", kind: kindMap,
		Help: `column headers for fields, overriding detection: story="Your answer",name=Candidate (fields: story, name, email, id, cohort, submitted)`,
		set:  func(c *Config, v any) { c.Columns = v.(map[string]string) }},
	{Key: "no_pdf", Flag: "no-pdf", Env: "FAILWELL_NO_PDF", Default: "false", kind: kindBool,
		Help: "skip the per-candidate PDFs",
		set:  func(c *Config, v any) { c.NoPDF = v.(bool) }},
	{Key: "force", Flag: "force", Env: "FAILWELL_FORCE", Default: "false", kind: kindBool,
		Help: "redo everything: score every row and render every PDF again, even those unchanged since the last run into the output directory",
		set:  func(c *Config, v any) { c.Force = v.(bool) }},
	{Key: "shard", arg: "K/N", Flag: "shard", Env: "FAILWELL_SHARD", kind: kindString,
		Help: "process only the K/N-th deterministic partition of the rows (by row key), e.g. 2/8; combine the shard outputs with failwell merge",
		set:  func(c *Config, v any) { c.Shard = v.(string) }},
	{Key: "blind", Flag: "blind", Env: "FAILWELL_BLIND", Default: "false", kind: kindBool,
		Help: "replace names and emails with pseudonyms (\"Candidate 7F3A2C\") in the outputs; the mapping goes to blind-map.csv",
		set:  func(c *Config, v any) { c.Blind = v.(bool) }},
	{Key: "quiet", Flag: "quiet", Env: "FAILWELL_QUIET", Default: "false", kind: kindBool,
		Help: "print no progress",
		set:  func(c *Config, v any) { c.Quiet = v.(bool) }},
	{Key: "log_format", arg: "format", Flag: "log-format", Env: "FAILWELL_LOG_FORMAT", Default: "text", kind: kindString,
		Help: `log format: "text" or "json"`,
		set:  func(c *Config, v any) { c.LogFormat = v.(string) }},
	{Key: "brand.org", arg: "name", Flag: "brand-org", Env: "FAILWELL_BRAND_ORG", kind: kindString,
		Help: "organisation name in the PDF header",
		set:  func(c *Config, v any) { c.Brand.Org = v.(string) }},
	{Key: "brand.logo", arg: "file", Flag: "brand-logo", Env: "FAILWELL_BRAND_LOGO", kind: kindPath,
		Help: "PNG or JPEG logo file for the PDF header",
		set:  func(c *Config, v any) { c.Brand.Logo = v.(string) }},
	{Key: "brand.accent", arg: "colour", Flag: "brand-accent", Env: "FAILWELL_BRAND_ACCENT", kind: kindString,
		Help: `accent colour "#RRGGBB" (default: failwell's)`,
		set:  func(c *Config, v any) { c.Brand.Accent = v.(string) }},
	{Key: "brand.footer", arg: "text", Flag: "brand-footer", Env: "FAILWELL_BRAND_FOOTER", kind: kindString,
		Help: "extra footer text on every PDF page",
		set:  func(c *Config, v any) { c.Brand.Footer = v.(string) }},
	{Key: "brand.paper", arg: "size", Flag: "brand-paper", Env: "FAILWELL_BRAND_PAPER", Default: "A4", kind: kindString,
		Help: `paper size: "A4" or "Letter"`,
		set:  func(c *Config, v any) { c.Brand.Paper = v.(string) }},
}

// setting returns the setting with the given key.
func setting(key string) (Setting, bool) {
	for _, s := range Settings {
		if s.Key == key {
			return s, true
		}
	}
	return Setting{}, false
}

// AddFlags defines a flag on fs for each setting, or only for the settings
// with the given keys. Flags already defined on fs are left alone, so the
// caller may define some itself (for example a persistent --config). Each
// flag's usage names its environment variable.
func AddFlags(fs *pflag.FlagSet, keys ...string) {
	for _, s := range Settings {
		if len(keys) > 0 && !contains(keys, s.Key) {
			continue
		}
		if fs.Lookup(s.Flag) != nil {
			continue
		}
		usage := s.Help + " (env " + s.Env + ")"
		if s.arg != "" {
			// pflag shows a `quoted` word of the usage as the value's name.
			usage = strings.Replace(usage, s.arg, "`"+s.arg+"`", 1)
		}
		switch s.kind {
		case kindInt:
			n, _ := strconv.Atoi(s.Default)
			fs.Int(s.Flag, n, usage)
		case kindBool:
			fs.Bool(s.Flag, false, usage)
		case kindMap:
			fs.Var(new(mapValue), s.Flag, usage)
		default:
			fs.String(s.Flag, s.Default, usage)
		}
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// parseText converts a setting's value written as text (an environment
// variable, a flag of another type) into the kind's Go type.
func parseText(k kind, s string) (any, error) {
	switch k {
	case kindInt:
		n, err := strconv.Atoi(strings.TrimSpace(s))
		if err != nil {
			return nil, fmt.Errorf("expected an integer, got %q", s)
		}
		return n, nil
	case kindBool:
		b, err := strconv.ParseBool(strings.TrimSpace(s))
		if err != nil {
			return nil, fmt.Errorf("expected true or false, got %q", s)
		}
		return b, nil
	case kindDate:
		return parseDate(s)
	case kindMap:
		return parseMap(s)
	}
	return s, nil
}

// parseDate parses "YYYY-MM-DD" into midnight UTC; "" is the zero time.
func parseDate(s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}, nil
	}
	t, err := time.Parse(DateLayout, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("expected a date YYYY-MM-DD, got %q", s)
	}
	return t, nil
}

// parseMap parses `story="Your answer",name=Candidate` (the flag form) into
// a map. Pairs are separated by commas; double quotes group text that holds
// commas and are removed ("" is a literal quote), so `story="A, B"` and
// `"story=A, B"` are the same. Keys are lower-cased and trimmed; headers
// keep their case. An empty string is a nil map.
func parseMap(s string) (map[string]string, error) {
	if strings.TrimSpace(s) == "" {
		return nil, nil
	}
	var pairs []string
	var cur strings.Builder
	quoted := false
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '"' && quoted && i+1 < len(s) && s[i+1] == '"':
			cur.WriteByte('"')
			i++
		case c == '"':
			quoted = !quoted
		case c == ',' && !quoted:
			pairs = append(pairs, cur.String())
			cur.Reset()
		default:
			cur.WriteByte(c)
		}
	}
	if quoted {
		return nil, fmt.Errorf("unterminated quote in %q", s)
	}
	pairs = append(pairs, cur.String())
	m := map[string]string{}
	for _, p := range pairs {
		if strings.TrimSpace(p) == "" {
			continue
		}
		k, v, ok := strings.Cut(p, "=")
		if !ok {
			return nil, fmt.Errorf("expected field=Header, got %q", p)
		}
		m[normKey(k)] = strings.TrimSpace(v)
	}
	return m, nil
}

func normKey(k string) string { return strings.ToLower(strings.TrimSpace(k)) }

// unquote removes the quotes around a header that survived the shell
// (`story="Your answer"` in an environment variable).
func unquote(v string) string {
	v = strings.TrimSpace(v)
	for _, q := range []string{`"`, "'"} {
		if strings.HasPrefix(v, q) {
			return strings.TrimSuffix(strings.TrimPrefix(v, q), q)
		}
	}
	return v
}

// mapValue is the pflag.Value of --columns: `field=Header,...` pairs,
// parsed like FAILWELL_COLUMNS. Repeating the flag adds pairs.
type mapValue map[string]string

func isMapValue(v pflag.Value) bool { _, ok := v.(*mapValue); return ok }

// Set parses and adds pairs.
func (m *mapValue) Set(s string) error {
	pairs, err := parseMap(s)
	if err != nil {
		return err
	}
	if *m == nil {
		*m = mapValue{}
	}
	for k, v := range pairs {
		(*m)[k] = v
	}
	return nil
}

// Type names the value in usage messages.
func (m *mapValue) Type() string { return "field=Header,..." }

// String formats the pairs sorted by field, quoting headers with commas or quotes.
func (m *mapValue) String() string {
	if m == nil {
		return ""
	}
	var b strings.Builder
	for i, k := range sortedKeys(*m) {
		if i > 0 {
			b.WriteByte(',')
		}
		pair := k + "=" + (*m)[k]
		if strings.ContainsAny(pair, `,"`) {
			pair = `"` + strings.ReplaceAll(pair, `"`, `""`) + `"`
		}
		b.WriteString(pair)
	}
	return b.String()
}
