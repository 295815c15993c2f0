package config

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/spf13/pflag"
)

// writeFile writes a file into a new temporary directory and returns the
// directory.
func writeFile(t *testing.T, name, content string) string {
	t.Helper()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}

// env returns a getenv function over a map.
func env(m map[string]string) func(string) string {
	return func(k string) string { return m[k] }
}

// flags returns a flag set with every setting's flag, parsed from args.
func flags(t *testing.T, args ...string) *pflag.FlagSet {
	t.Helper()
	fs := pflag.NewFlagSet("test", pflag.ContinueOnError)
	AddFlags(fs)
	if err := fs.Parse(args); err != nil {
		t.Fatalf("parse %q: %v", args, err)
	}
	return fs
}

func date(s string) time.Time {
	t, err := time.Parse(DateLayout, s)
	if err != nil {
		panic(err)
	}
	return t
}

// TestLoadPrecedence checks flag > env > file > default for settings of
// every kind, for every combination of the three sources.
func TestLoadPrecedence(t *testing.T) {
	type layer struct {
		file string // YAML text for the file
		env  string // the environment variable's value
		flag string // the flag's argument
		// the Config value each source yields
		wantFile, wantEnv, wantFlag any
	}
	tests := []struct {
		key    string
		get    func(Config) any
		layers []layer
	}{
		{"out", func(c Config) any { return c.Out }, []layer{
			{"out: from-file", "from-env", "--out=from-flag", "from-file", "from-env", "from-flag"}}},
		{"jobs", func(c Config) any { return c.Jobs }, []layer{
			{"jobs: 2", "3", "--jobs=4", 2, 3, 4}}},
		{"as_of", func(c Config) any { return c.AsOf }, []layer{
			{"as_of: 2026-01-02", "2026-02-03", "--as-of=2026-03-04", date("2026-01-02"), date("2026-02-03"), date("2026-03-04")}}},
		{"no_pdf", func(c Config) any { return c.NoPDF }, []layer{
			{"no_pdf: true", "false", "--no-pdf", true, false, true},
			{"no_pdf: false", "true", "--no-pdf=false", false, true, false}}},
		{"columns", func(c Config) any { return c.Columns }, []layer{
			{"columns: {Story: File Header}", "story=Env Header", `--columns=story="Flag, Header",name=Candidate`,
				map[string]string{"story": "File Header"},
				map[string]string{"story": "Env Header"},
				map[string]string{"story": "Flag, Header", "name": "Candidate"}}}},
		{"brand.org", func(c Config) any { return c.Brand.Org }, []layer{
			{"brand: {org: File Org}", "Env Org", "--brand-org=Flag Org", "File Org", "Env Org", "Flag Org"}}},
		{"brand.paper", func(c Config) any { return c.Brand.Paper }, []layer{
			{"brand:\n  paper: letter", "A4", "--brand-paper=Letter", "Letter", "A4", "Letter"}}},
	}
	for _, tt := range tests {
		s, ok := setting(tt.key)
		if !ok {
			t.Fatalf("no setting %q", tt.key)
		}
		def := tt.get(Default())
		for li, l := range tt.layers {
			// Every subset of {file, env, flag}: the highest source present wins.
			for mask := range 8 {
				hasFile, hasEnv, hasFlag := mask&1 != 0, mask&2 != 0, mask&4 != 0
				name := tt.key + "/" + strings.Join(slices.DeleteFunc([]string{
					map[bool]string{true: "file"}[hasFile],
					map[bool]string{true: "env"}[hasEnv],
					map[bool]string{true: "flag"}[hasFlag],
				}, func(s string) bool { return s == "" }), "+")
				if mask == 0 {
					name = tt.key + "/default"
				}
				t.Run(name, func(t *testing.T) {
					opts := LoadOptions{Dir: t.TempDir(), Getenv: env(nil), Flags: flags(t)}
					want := def
					if hasFile {
						opts.Dir = writeFile(t, "failwell.yaml", l.file+"\n")
						want = l.wantFile
					}
					if hasEnv {
						opts.Getenv = env(map[string]string{s.Env: l.env})
						want = l.wantEnv
					}
					if hasFlag {
						opts.Flags = flags(t, l.flag)
						want = l.wantFlag
					}
					c, err := Load(opts)
					if err != nil {
						t.Fatalf("layer %d: Load: %v", li, err)
					}
					if got := tt.get(c); !reflect.DeepEqual(got, want) {
						t.Errorf("layer %d: got %#v, want %#v", li, got, want)
					}
				})
			}
		}
	}
}

// TestLoadOnlyChangedFlagsOverride checks that a flag the user did not set
// does not hide the environment or the file, even when its default differs.
func TestLoadOnlyChangedFlagsOverride(t *testing.T) {
	fs := pflag.NewFlagSet("test", pflag.ContinueOnError)
	fs.String("out", "flag-default", "")
	fs.Int("jobs", 7, "")
	if err := fs.Parse(nil); err != nil {
		t.Fatal(err)
	}
	dir := writeFile(t, "failwell.yaml", "jobs: 2\n")
	c, err := Load(LoadOptions{Dir: dir, Flags: fs, Getenv: env(map[string]string{"FAILWELL_OUT": "env-out"})})
	if err != nil {
		t.Fatal(err)
	}
	if c.Out != "env-out" || c.Jobs != 2 {
		t.Errorf("got out=%q jobs=%d, want env-out 2", c.Out, c.Jobs)
	}
}

// TestLoadFlagsOfOtherTypes checks flags the caller defined itself, with
// other types than AddFlags would.
func TestLoadFlagsOfOtherTypes(t *testing.T) {
	fs := pflag.NewFlagSet("test", pflag.ContinueOnError)
	fs.String("jobs", "", "")
	fs.StringToString("columns", nil, "")
	fs.String("as-of", "", "")
	if err := fs.Parse([]string{"--jobs=3", "--columns=Story=Answer", "--as-of=2026-05-06"}); err != nil {
		t.Fatal(err)
	}
	c, err := Load(LoadOptions{Dir: t.TempDir(), Flags: fs})
	if err != nil {
		t.Fatal(err)
	}
	if c.Jobs != 3 || !reflect.DeepEqual(c.Columns, map[string]string{"story": "Answer"}) || !c.AsOf.Equal(date("2026-05-06")) {
		t.Errorf("got %+v", c)
	}
}

// TestLoadErrors checks that every problem is reported at once and names
// the file, key and position, or the variable or flag.
func TestLoadErrors(t *testing.T) {
	tests := []struct {
		name  string
		file  string // file name in the temporary directory, "" for none
		data  string
		env   map[string]string
		flags []string
		want  []string // the error's lines, after the directory is removed
	}{
		{
			name: "yaml unknown keys",
			file: "failwell.yaml",
			data: "out: x\nQuiet: true\nbrand:\n  colour: red\n  org: Acme\npdf: false\nconfig: other.yaml\n",
			want: []string{
				`failwell.yaml:2:1: Quiet: unknown key "Quiet" (did you mean "quiet"?)`,
				`failwell.yaml:4:3: brand.colour: unknown key "colour"`,
				`failwell.yaml:6:1: pdf: unknown key "pdf"`,
				`failwell.yaml:7:1: config: the configuration file cannot be chosen in a configuration file`,
			},
		},
		{
			name: "toml unknown keys",
			file: "failwell.toml",
			data: "out = \"x\"\nbogus = 1\n[brand]\norg = \"Acme\"\npaperr = \"A4\"\n",
			want: []string{
				`failwell.toml:2:1: bogus: unknown key "bogus"`,
				`failwell.toml:5:1: brand.paperr: unknown key "paperr" (did you mean "paper"?)`,
			},
		},
		{
			name: "json unknown keys",
			file: "failwell.json",
			data: "{\n  \"out\": \"x\",\n  \"log-format\": \"json\",\n  \"brand\": {\"orgg\": \"Acme\"}\n}\n",
			want: []string{
				`failwell.json:3:3: log-format: unknown key "log-format" (did you mean "log_format"?)`,
				`failwell.json:4:13: brand.orgg: unknown key "orgg" (did you mean "org"?)`,
			},
		},
		{
			name: "yaml bad types",
			file: "failwell.yaml",
			data: "jobs: abc\nno_pdf: maybe\nas_of: 2026-13-01\ncolumns: [story]\nbrand: Acme\nout: [a]\n",
			want: []string{
				`failwell.yaml:1:7: jobs: expected an integer, got string "abc"`,
				`failwell.yaml:2:9: no_pdf: expected true or false, got string "maybe"`,
				`failwell.yaml:3:8: as_of: expected a date YYYY-MM-DD, got "2026-13-01"`,
				`failwell.yaml:4:10: columns: expected a mapping, got a list`,
				`failwell.yaml:5:8: brand: expected a mapping of brand settings, got string "Acme"`,
				`failwell.yaml:6:6: out: expected a string, got a list`,
			},
		},
		{
			name: "toml bad type",
			file: "failwell.toml",
			data: "jobs = \"abc\"\n",
			want: []string{`failwell.toml:1:8: jobs: expected an integer, got string "abc"`},
		},
		{
			name: "toml syntax",
			file: "failwell.toml",
			data: "jobs = = 1\n",
			want: []string{`failwell.toml:1:8: incomplete number`},
		},
		{
			name: "yaml invalid values",
			file: "failwell.yaml",
			data: "jobs: -1\nlog_format: xml\nbrand:\n  accent: red\n  paper: A5\ncolumns:\n  story: Answer\n  essay: Essay\n",
			want: []string{
				`failwell.yaml:1:1: jobs: must be >= 0 (0 means the number of CPUs), got -1`,
				`failwell.yaml:2:1: log_format: must be "text" or "json", got "xml"`,
				`failwell.yaml:4:3: brand.accent: must be a colour "#RRGGBB", got "red"`,
				`failwell.yaml:5:3: brand.paper: must be "A4" or "Letter", got "A5"`,
				`failwell.yaml:8:3: columns.essay: unknown field "essay" (fields: story, name, email, id, cohort, submitted)`,
			},
		},
		{
			name: "environment",
			env:  map[string]string{"FAILWELL_JOBS": "many", "FAILWELL_NO_PDF": "yes please", "FAILWELL_AS_OF": "1 May", "FAILWELL_BRAND_ACCENT": "#12345", "FAILWELL_COLUMNS": "essay=Essay"},
			want: []string{
				`FAILWELL_AS_OF: expected a date YYYY-MM-DD, got "1 May"`,
				`FAILWELL_BRAND_ACCENT: must be a colour "#RRGGBB", got "#12345"`,
				`FAILWELL_COLUMNS: essay: unknown field "essay" (fields: story, name, email, id, cohort, submitted)`,
				`FAILWELL_JOBS: expected an integer, got "many"`,
				`FAILWELL_NO_PDF: expected true or false, got "yes please"`,
			},
		},
		{
			name:  "flags",
			flags: []string{"--as-of=tomorrow", "--log-format=xml", "--jobs=-2"},
			want: []string{
				`--as-of: expected a date YYYY-MM-DD, got "tomorrow"`,
				`--jobs: must be >= 0 (0 means the number of CPUs), got -2`,
				`--log-format: must be "text" or "json", got "xml"`,
			},
		},
		{
			name: "a flag's value is blamed on the flag, not the file",
			file: "failwell.yaml",
			data: "log_format: json\n",
			env:  map[string]string{"FAILWELL_LOG_FORMAT": "xml"},
			want: []string{`FAILWELL_LOG_FORMAT: must be "text" or "json", got "xml"`},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			if tt.file != "" {
				dir = writeFile(t, tt.file, tt.data)
			}
			_, err := Load(LoadOptions{Dir: dir, Getenv: env(tt.env), Flags: flags(t, tt.flags...)})
			if err == nil {
				t.Fatal("no error")
			}
			got := strings.Split(strings.ReplaceAll(err.Error(), dir+string(filepath.Separator), ""), "\n")
			if !slices.Equal(got, tt.want) {
				t.Errorf("got:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(tt.want, "\n"))
			}
			var list ErrorList
			if !errors.As(err, &list) {
				t.Errorf("error is %T, want ErrorList", err)
			}
		})
	}
}

// TestLoadUnknownEnvironmentVariables checks that, given the whole
// environment, FAILWELL_* variables that are not settings are errors.
func TestLoadUnknownEnvironmentVariables(t *testing.T) {
	environ := []string{"HOME=/root", "FAILWELL_JOB=2", "FAILWELL_OUT=x", "FAILWELL_BRANDORG=Acme", "FAILWELLNESS=1"}
	_, err := Load(LoadOptions{Dir: t.TempDir(), Environ: environ, Getenv: env(map[string]string{"FAILWELL_OUT": "x"})})
	want := "FAILWELL_BRANDORG: unknown variable (did you mean FAILWELL_BRAND_ORG?)\nFAILWELL_JOB: unknown variable (did you mean FAILWELL_JOBS?)"
	if err == nil || err.Error() != want {
		t.Errorf("got %v, want:\n%s", err, want)
	}
	if _, err := Load(LoadOptions{Dir: t.TempDir(), Environ: []string{"FAILWELL_OUT=x", "FAILWELL_BRAND_PAPER=Letter"}}); err != nil {
		t.Errorf("known variables: %v", err)
	}
}

// TestLoadFindsFile checks how the configuration file is chosen.
func TestLoadFindsFile(t *testing.T) {
	t.Run("none", func(t *testing.T) {
		c, err := Load(LoadOptions{Dir: t.TempDir()})
		if err != nil || !reflect.DeepEqual(c, Default()) {
			t.Errorf("got %+v, %v; want Default()", c, err)
		}
	})
	t.Run("toml in dir", func(t *testing.T) {
		dir := writeFile(t, "failwell.toml", "out = \"toml-out\"\n[brand]\norg = \"Acme\"\n")
		c, err := Load(LoadOptions{Dir: dir})
		if err != nil || c.Out != "toml-out" || c.Brand.Org != "Acme" || c.File != filepath.Join(dir, "failwell.toml") {
			t.Errorf("got %+v, %v", c, err)
		}
	})
	t.Run("two files", func(t *testing.T) {
		dir := writeFile(t, "failwell.yaml", "out: a\n")
		if err := os.WriteFile(filepath.Join(dir, "failwell.json"), []byte(`{"out": "b"}`), 0o644); err != nil {
			t.Fatal(err)
		}
		_, err := Load(LoadOptions{Dir: dir})
		if err == nil || !strings.Contains(err.Error(), "failwell.yaml and ") || !strings.Contains(err.Error(), "failwell.json") {
			t.Errorf("got %v, want an error naming both files", err)
		}
	})
	t.Run("explicit file wins over dir and env", func(t *testing.T) {
		dir := writeFile(t, "failwell.yaml", "out: from-dir\n")
		other := writeFile(t, "other.json", `{"out": "from-other"}`)
		envFile := writeFile(t, "env.yaml", "out: from-env-file\n")
		getenv := env(map[string]string{"FAILWELL_CONFIG": filepath.Join(envFile, "env.yaml")})
		c, err := Load(LoadOptions{Dir: dir, File: filepath.Join(other, "other.json"), Getenv: getenv})
		if err != nil || c.Out != "from-other" {
			t.Errorf("File: got %+v, %v", c, err)
		}
		c, err = Load(LoadOptions{Dir: dir, Getenv: getenv})
		if err != nil || c.Out != "from-env-file" {
			t.Errorf("FAILWELL_CONFIG: got %+v, %v", c, err)
		}
		c, err = Load(LoadOptions{Dir: dir, Getenv: getenv, Flags: flags(t, "--config="+filepath.Join(other, "other.json"))})
		if err != nil || c.Out != "from-other" {
			t.Errorf("--config: got %+v, %v", c, err)
		}
	})
	t.Run("missing explicit file", func(t *testing.T) {
		_, err := Load(LoadOptions{File: filepath.Join(t.TempDir(), "nope.yaml")})
		if !errors.Is(err, os.ErrNotExist) {
			t.Errorf("got %v, want ErrNotExist", err)
		}
	})
	t.Run("empty file and groups", func(t *testing.T) {
		dir := writeFile(t, "failwell.yaml", "# nothing yet\nbrand:\n  # org: Acme\ncolumns:\nout:\njobs: ~\n")
		c, err := Load(LoadOptions{Dir: dir})
		c.File = ""
		if err != nil || !reflect.DeepEqual(c, Default()) {
			t.Errorf("got %+v, %v; want Default()", c, err)
		}
	})
}

// TestLoadRelativePaths checks that paths in a file are relative to it,
// and paths from flags and the environment are not.
func TestLoadRelativePaths(t *testing.T) {
	dir := writeFile(t, "failwell.yaml", "rubric: rubrics/r.yaml\nout: out\nbrand:\n  logo: logo.png\n")
	if err := os.WriteFile(filepath.Join(dir, "logo.png"), []byte("\x89PNG\r\n\x1a\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	c, err := Load(LoadOptions{File: filepath.Join(dir, "failwell.yaml")})
	if err != nil {
		t.Fatal(err)
	}
	if want := filepath.Join(dir, "rubrics/r.yaml"); c.Rubric != want {
		t.Errorf("rubric = %q, want %q", c.Rubric, want)
	}
	if want := filepath.Join(dir, "logo.png"); c.Brand.Logo != want {
		t.Errorf("logo = %q, want %q", c.Brand.Logo, want)
	}
	if c.Out != "out" {
		t.Errorf("out = %q, want it unchanged", c.Out)
	}
	c, err = Load(LoadOptions{File: filepath.Join(dir, "failwell.yaml"), Flags: flags(t, "--rubric=mine.yaml")})
	if err != nil || c.Rubric != "mine.yaml" {
		t.Errorf("flag rubric = %q, %v; want mine.yaml", c.Rubric, err)
	}
}

// TestLoadColumnsKeepHeaderCase checks that headers keep their case in
// every source while field names are lower-cased.
func TestLoadColumnsKeepHeaderCase(t *testing.T) {
	for _, name := range []string{"failwell.yaml", "failwell.toml", "failwell.json"} {
		data := map[string]string{
			"failwell.yaml": "columns:\n  STORY: Your Answer\n  Name: Full NAME\n",
			"failwell.toml": "[columns]\nSTORY = \"Your Answer\"\nName = \"Full NAME\"\n",
			"failwell.json": `{"columns": {"STORY": "Your Answer", "Name": "Full NAME"}}`,
		}[name]
		c, err := Load(LoadOptions{Dir: writeFile(t, name, data)})
		want := map[string]string{"story": "Your Answer", "name": "Full NAME"}
		if err != nil || !reflect.DeepEqual(c.Columns, want) {
			t.Errorf("%s: got %v, %v; want %v", name, c.Columns, err, want)
		}
	}
}

// TestLoadFormatsAgree checks that the same settings written in YAML, TOML
// and JSON load to the same Config.
func TestLoadFormatsAgree(t *testing.T) {
	files := map[string]string{
		"failwell.yaml": "out: o\njobs: 3\nas_of: 2026-10-01\nno_pdf: true\nlog_format: json\ncolumns:\n  story: Your answer\nbrand:\n  org: Acme\n  accent: \"#112233\"\n  paper: Letter\n",
		"failwell.toml": "out = \"o\"\njobs = 3\nas_of = 2026-10-01\nno_pdf = true\nlog_format = \"json\"\n[columns]\nstory = \"Your answer\"\n[brand]\norg = \"Acme\"\naccent = \"#112233\"\npaper = \"Letter\"\n",
		"failwell.json": `{"out": "o", "jobs": 3, "as_of": "2026-10-01", "no_pdf": true, "log_format": "json", "columns": {"story": "Your answer"}, "brand": {"org": "Acme", "accent": "#112233", "paper": "Letter"}}`,
	}
	want := Default()
	want.Out, want.Jobs, want.AsOf, want.NoPDF, want.LogFormat = "o", 3, date("2026-10-01"), true, "json"
	want.Columns = map[string]string{"story": "Your answer"}
	want.Brand = Brand{Org: "Acme", Accent: "#112233", Paper: "Letter"}
	for name, data := range files {
		c, err := Load(LoadOptions{Dir: writeFile(t, name, data)})
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		c.File = ""
		if !reflect.DeepEqual(c, want) {
			t.Errorf("%s: got %+v\nwant %+v", name, c, want)
		}
	}
}
