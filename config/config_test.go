package config

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/spf13/pflag"
)

// TestValidateLogo checks that the brand logo must be a readable PNG or
// JPEG file (by its first bytes, whatever its name).
func TestValidateLogo(t *testing.T) {
	dir := t.TempDir()
	files := map[string][]byte{
		"logo.png":     []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\x0dIHDR"),
		"photo.jpg":    {0xFF, 0xD8, 0xFF, 0xE0, 0, 0x10, 'J', 'F', 'I', 'F'},
		"logo.svg":     []byte("<svg xmlns='http://www.w3.org/2000/svg'/>"),
		"renamed.png":  []byte("GIF89a...."),
		"empty.png":    {},
		"png-as.bin":   []byte("\x89PNG\r\n\x1a\n"),
		"truncated.pn": []byte("\x89PN"),
	}
	for name, b := range files {
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	tests := []struct {
		file string
		want string // error text; empty for valid
	}{
		{"logo.png", ""},
		{"photo.jpg", ""},
		{"png-as.bin", ""},
		{"logo.svg", "brand.logo: " + filepath.Join(dir, "logo.svg") + ": not a PNG or JPEG image"},
		{"renamed.png", "brand.logo: " + filepath.Join(dir, "renamed.png") + ": not a PNG or JPEG image"},
		{"empty.png", "brand.logo: " + filepath.Join(dir, "empty.png") + ": not a PNG or JPEG image"},
		{"truncated.pn", "brand.logo: " + filepath.Join(dir, "truncated.pn") + ": not a PNG or JPEG image"},
		{"missing.png", "brand.logo: open " + filepath.Join(dir, "missing.png") + ": no such file or directory"},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			c := Default()
			c.Brand.Logo = filepath.Join(dir, tt.file)
			got := ""
			if err := c.Validate(); err != nil {
				got = err.Error()
			}
			if got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

func TestValidate(t *testing.T) {
	tests := []struct {
		name   string
		modify func(c *Config)
		want   []string // the error's lines; nil for valid
	}{
		{"default", func(c *Config) {}, nil},
		{"all set", func(c *Config) {
			c.Jobs, c.LogFormat = 8, "json"
			c.Brand = Brand{Org: "Acme", Accent: "#1a2B3c", Paper: "Letter"}
			c.Columns = map[string]string{"story": "Your answer", "submitted": "Timestamp"}
		}, nil},
		{"empty out", func(c *Config) { c.Out = " " }, []string{"out: must not be empty"}},
		{"negative jobs", func(c *Config) { c.Jobs = -1 }, []string{"jobs: must be >= 0 (0 means the number of CPUs), got -1"}},
		{"log format", func(c *Config) { c.LogFormat = "" }, []string{`log_format: must be "text" or "json", got ""`}},
		{"accent", func(c *Config) { c.Brand.Accent = "#abc" }, []string{`brand.accent: must be a colour "#RRGGBB", got "#abc"`}},
		{"paper", func(c *Config) { c.Brand.Paper = "a4" }, []string{`brand.paper: must be "A4" or "Letter", got "a4"`}},
		{"columns", func(c *Config) { c.Columns = map[string]string{"story": "", "essay": "E"} }, []string{
			`columns.essay: unknown field "essay" (fields: story, name, email, id, cohort, submitted)`,
			"columns.story: header must not be empty",
		}},
		{"everything at once, sorted", func(c *Config) {
			c.Out, c.Jobs, c.LogFormat, c.Brand.Paper = "", -3, "xml", "A3"
		}, []string{
			`brand.paper: must be "A4" or "Letter", got "A3"`,
			"jobs: must be >= 0 (0 means the number of CPUs), got -3",
			`log_format: must be "text" or "json", got "xml"`,
			"out: must not be empty",
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := Default()
			tt.modify(&c)
			err := c.Validate()
			var got []string
			if err != nil {
				got = strings.Split(err.Error(), "\n")
				var list ErrorList
				if !errors.As(err, &list) || len(list) != len(got) {
					t.Errorf("error is %T with %d items, want ErrorList of %d", err, len(list), len(got))
				}
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

// TestSettingsTable checks that the table is consistent: unique names that
// follow one scheme, and defaults that are Default().
func TestSettingsTable(t *testing.T) {
	var c Config
	seen := map[string]bool{}
	for _, s := range Settings {
		if wantFlag := strings.NewReplacer("_", "-", ".", "-").Replace(s.Key); s.Flag != wantFlag {
			t.Errorf("%s: flag %q, want %q", s.Key, s.Flag, wantFlag)
		}
		if wantEnv := "FAILWELL_" + strings.ToUpper(strings.ReplaceAll(s.Key, ".", "_")); s.Env != wantEnv {
			t.Errorf("%s: env %q, want %q", s.Key, s.Env, wantEnv)
		}
		for _, n := range []string{"key " + s.Key, "flag " + s.Flag, "env " + s.Env} {
			if seen[n] {
				t.Errorf("%s: %s used twice", s.Key, n)
			}
			seen[n] = true
		}
		if s.Help == "" || s.set == nil {
			t.Errorf("%s: no help or no setter", s.Key)
		}
		if s.Key == "config" {
			continue
		}
		v, err := parseText(s.kind, s.Default)
		if err != nil {
			t.Errorf("%s: default %q: %v", s.Key, s.Default, err)
			continue
		}
		s.set(&c, v)
	}
	if !reflect.DeepEqual(c, Default()) {
		t.Errorf("defaults in Settings give %+v, want Default() %+v", c, Default())
	}
}

// TestStarterFileLoadsAsDefault checks that the starter file is valid and
// changes nothing, and mentions every setting.
func TestStarterFileLoadsAsDefault(t *testing.T) {
	data := StarterFile()
	dir := writeFile(t, "failwell.yaml", string(data))
	c, err := Load(LoadOptions{Dir: dir})
	if err != nil {
		t.Fatalf("starter file: %v\n%s", err, data)
	}
	if c.File != filepath.Join(dir, "failwell.yaml") {
		t.Errorf("File = %q", c.File)
	}
	c.File = ""
	if !reflect.DeepEqual(c, Default()) {
		t.Errorf("starter file loads as %+v, want Default()", c)
	}
	for _, s := range Settings {
		if !strings.Contains(string(data), "--"+s.Flag) && s.Key != "config" {
			t.Errorf("starter file does not mention --%s", s.Flag)
		}
	}
	for i, line := range strings.Split(string(data), "\n") {
		if len(line) > 80 {
			t.Errorf("line %d is %d bytes long: %q", i+1, len(line), line)
		}
	}
}

func TestAddFlags(t *testing.T) {
	fs := pflag.NewFlagSet("test", pflag.ContinueOnError)
	fs.String("config", "", "defined by the caller")
	AddFlags(fs) // must not panic on the existing --config
	for _, s := range Settings {
		f := fs.Lookup(s.Flag)
		if f == nil {
			t.Errorf("no flag --%s", s.Flag)
			continue
		}
		if s.Key != "config" && !strings.Contains(f.Usage, s.Env) {
			t.Errorf("--%s usage %q does not name %s", s.Flag, f.Usage, s.Env)
		}
	}
	for flag, want := range map[string]string{"as-of": "date", "out": "directory", "jobs": "int", "columns": "field=Header,..."} {
		if got, _ := pflag.UnquoteUsage(fs.Lookup(flag)); got != want {
			t.Errorf("--%s value name %q, want %q", flag, got, want)
		}
	}
	for _, s := range Settings {
		if s.arg != "" && !strings.Contains(s.Help, s.arg) {
			t.Errorf("%s: value name %q is not a word of its help", s.Key, s.arg)
		}
	}
	if got := fs.Lookup("config").Usage; got != "defined by the caller" {
		t.Errorf("AddFlags replaced --config: %q", got)
	}

	sub := pflag.NewFlagSet("sub", pflag.ContinueOnError)
	AddFlags(sub, "rubric", "as_of")
	var names []string
	sub.VisitAll(func(f *pflag.Flag) { names = append(names, f.Name) })
	if want := []string{"as-of", "rubric"}; !slices.Equal(names, want) {
		t.Errorf("AddFlags(rubric, as_of) defined %v, want %v", names, want)
	}
}

func TestParseMap(t *testing.T) {
	tests := []struct {
		in      string
		want    map[string]string
		wantErr bool
	}{
		{"", nil, false},
		{"story=Your answer", map[string]string{"story": "Your answer"}, false},
		{`story="Your answer",name=Candidate`, map[string]string{"story": "Your answer", "name": "Candidate"}, false},
		{`Story="Answer, please", NAME = Full Name `, map[string]string{"story": "Answer, please", "name": "Full Name"}, false},
		{`"story=A, B"`, map[string]string{"story": "A, B"}, false},
		{`story="Say ""why"""`, map[string]string{"story": `Say "why"`}, false},
		{`story=a=b`, map[string]string{"story": "a=b"}, false},
		{"story=A,", map[string]string{"story": "A"}, false},
		{"story", nil, true},
		{`story="open`, nil, true},
	}
	for _, tt := range tests {
		got, err := parseMap(tt.in)
		if (err != nil) != tt.wantErr || !reflect.DeepEqual(got, tt.want) {
			t.Errorf("parseMap(%q) = %v, %v; want %v, error %v", tt.in, got, err, tt.want, tt.wantErr)
		}
	}
	// The flag value prints in a form it parses back from.
	var m mapValue
	if err := m.Set(`story="A, ""B""",name=C`); err != nil {
		t.Fatal(err)
	}
	back, err := parseMap(m.String())
	if err != nil || !reflect.DeepEqual(back, map[string]string(m)) {
		t.Errorf("round trip of %q: got %v, %v", m.String(), back, err)
	}
}
