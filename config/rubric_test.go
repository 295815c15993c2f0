package config

import (
	"bytes"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/failwell/failwell/evaluate"
)

var update = flag.Bool("update", false, "rewrite golden files in testdata")

func readTestdata(t *testing.T, name string) []byte {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// TestLoadRubricReportsEveryProblemGolden checks the whole error list of a
// rubric with many problems against testdata/bad-rubric.golden.
func TestLoadRubricReportsEveryProblemGolden(t *testing.T) {
	name := "testdata/bad-rubric.yaml"
	r, err := LoadRubric(name, readTestdata(t, "bad-rubric.yaml"))
	if r != nil {
		t.Errorf("LoadRubric returned a rubric with errors")
	}
	if err == nil {
		t.Fatal("LoadRubric: no error")
	}
	got := []byte(err.Error() + "\n")
	golden := filepath.Join("testdata", "bad-rubric.golden")
	if *update {
		if err := os.WriteFile(golden, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err2 := os.ReadFile(golden)
	if err2 != nil {
		t.Fatalf("%v (run go test ./config -update)", err2)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("error list differs from %s (go test ./config -update to accept)\ngot:\n%s\nwant:\n%s", golden, got, want)
	}

	// Every problem is an *Error with a position, sorted.
	var list ErrorList
	if !errors.As(err, &list) {
		t.Fatalf("error is %T, want ErrorList", err)
	}
	for i, e := range list {
		if e.File != name || e.Line == 0 || e.Col == 0 {
			t.Errorf("problem %d %q has no position", i, e)
		}
		if i > 0 && (list[i-1].Line > e.Line || list[i-1].Line == e.Line && list[i-1].Col > e.Col) {
			t.Errorf("problems not sorted: %q before %q", list[i-1], e)
		}
	}
	// Problems found by evaluate keep their *evaluate.FieldError.
	var fe *evaluate.FieldError
	if !errors.As(err, &fe) {
		t.Errorf("errors.As(*evaluate.FieldError) = false, want true")
	}
}

// TestLoadRubricUnknownKeys checks that unknown and misplaced keys are
// reported with their line and column in every format that has them.
func TestLoadRubricUnknownKeys(t *testing.T) {
	tests := []struct {
		name string
		file string
		data string
		want []string // substrings of the error list, in order
	}{
		{
			name: "yaml top level and nested",
			file: "r.yaml",
			data: "id: x\ncolour: red\ncriteria:\n  - id: a\n    wieght: 1\n    signals:\n      - {id: s, kind: regex, patern: x}\n",
			want: []string{
				`r.yaml:2:1: colour: unknown key "colour"`,
				`r.yaml:5:5: criteria[0].wieght: unknown key "wieght" (did you mean "weight"?)`,
				`r.yaml:7:30: criteria[0].signals[0].patern: unknown key "patern" (did you mean "pattern"?)`,
			},
		},
		{
			name: "yaml duplicate key",
			file: "r.yml",
			data: "id: x\nid: y\n",
			want: []string{`r.yml:2:1: id: duplicate key "id"`},
		},
		{
			name: "json",
			file: "r.json",
			data: "{\n  \"id\": \"x\",\n  \"colour\": \"red\",\n  \"criteria\": [{\"id\": \"a\", \"Weight\": 1}]\n}\n",
			want: []string{
				`r.json:3:3: colour: unknown key "colour"`,
				`r.json:4:28: criteria[0].Weight: unknown key "Weight" (did you mean "weight"?)`,
			},
		},
		{
			name: "toml",
			file: "r.toml",
			data: "id = \"x\"\ncolour = \"red\"\n[[criteria]]\nid = \"a\"\nwieght = 1\n",
			want: []string{
				`r.toml:2:1: colour: unknown key "colour"`,
				`r.toml:5:1: criteria[0].wieght: unknown key "wieght" (did you mean "weight"?)`,
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := LoadRubric(tt.file, []byte(tt.data))
			if err == nil {
				t.Fatal("no error")
			}
			lines := strings.Split(err.Error(), "\n")
			at := 0
			for _, w := range tt.want {
				i := slices.IndexFunc(lines[at:], func(l string) bool { return strings.HasPrefix(l, w) })
				if i < 0 {
					t.Errorf("missing %q (in order) in:\n%s", w, err)
					continue
				}
				at += i + 1
			}
		})
	}
}

// TestLoadRubricTypeErrors checks the messages for values of the wrong type.
func TestLoadRubricTypeErrors(t *testing.T) {
	tests := []struct {
		name, data, want string
	}{
		{"string for number", "criteria:\n  - weight: abc\n", `r.yaml:2:13: criteria[0].weight: expected a number, got string "abc"`},
		{"scalar for list", "bands: none\n", `r.yaml:1:8: bands: expected a list, got string "none"`},
		{"list for string", "id: [a, b]\n", `r.yaml:1:5: id: expected a string, got a list`},
		{"mapping for list", "criteria: {id: a}\n", `r.yaml:1:11: criteria: expected a list, got a mapping`},
		{"float for int", "examples:\n  - expect: {a: 1.5}\n", `r.yaml:2:17: examples[0].expect.a: expected an integer, got number 1.5`},
		{"top level list", "- a\n", `r.yaml:1:1: expected a mapping, got a list`},
		{"syntax", "id: [\n", `r.yaml:1: did not find expected node content`},
		{"empty", "", `r.yaml: empty rubric`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := LoadRubric("r.yaml", []byte(tt.data))
			if err == nil {
				t.Fatal("no error")
			}
			if got := strings.Split(err.Error(), "\n"); !slices.Contains(got, tt.want) {
				t.Errorf("got:\n%s\nwant a line %q", err, tt.want)
			}
		})
	}
}

// TestLoadRubricFormatsAgree checks that the TOML and JSON versions of a
// small rubric decode to the same value as the YAML one.
func TestLoadRubricFormatsAgree(t *testing.T) {
	want, err := LoadRubric("small.yaml", readTestdata(t, "small.yaml"))
	if err != nil {
		t.Fatalf("small.yaml: %v", err)
	}
	if len(want.Criteria) != 1 || len(want.Criteria[0].Signals) != 2 || want.Criteria[0].Signals[1].Pattern != `(?i)\bsince then\b` {
		t.Fatalf("small.yaml decoded wrongly: %+v", want)
	}
	for _, name := range []string{"small.toml", "small.json"} {
		t.Run(name, func(t *testing.T) {
			got, err := LoadRubric(name, readTestdata(t, name))
			if err != nil {
				t.Fatalf("%v", err)
			}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("got %+v\nwant %+v", got, want)
			}
		})
	}
}

// TestDefaultRubric checks the embedded default rubric: it loads, validates
// and compiles, and has exactly the six criteria of the product.
func TestDefaultRubric(t *testing.T) {
	r, data, err := ReadRubric("")
	if err != nil {
		t.Fatalf("embedded default rubric: %v", err)
	}
	if !bytes.Equal(data, DefaultRubricYAML()) {
		t.Errorf("ReadRubric(\"\") bytes differ from DefaultRubricYAML()")
	}
	var ids []string
	for _, c := range r.Criteria {
		ids = append(ids, c.ID)
	}
	want := []string{"scope", "recency", "learning", "structure", "arc", "ownership"}
	if !slices.Equal(ids, want) {
		t.Errorf("criteria = %v, want %v", ids, want)
	}
	if d := DefaultRubric(); !reflect.DeepEqual(d, r) {
		t.Errorf("DefaultRubric() differs from ReadRubric(\"\")")
	}
}

// TestDefaultRubricIsAFreshCopy checks that callers cannot change each
// other's default rubric.
func TestDefaultRubricIsAFreshCopy(t *testing.T) {
	a := DefaultRubric()
	a.ID = "changed"
	a.Bands = nil
	if b := DefaultRubric(); b.ID == "changed" || b.Bands == nil {
		t.Errorf("DefaultRubric shares state between calls")
	}
	y := DefaultRubricYAML()
	y[0] = '!'
	if DefaultRubricYAML()[0] == '!' {
		t.Errorf("DefaultRubricYAML shares its bytes")
	}
}

func TestReadRubric(t *testing.T) {
	r, data, err := ReadRubric(filepath.Join("testdata", "small.yaml"))
	if err != nil || r == nil || r.ID != "small" {
		t.Fatalf("ReadRubric(small.yaml) = %v, %v", r, err)
	}
	if !bytes.Equal(data, readTestdata(t, "small.yaml")) {
		t.Errorf("ReadRubric bytes differ from the file")
	}
	_, _, err = ReadRubric(filepath.Join("testdata", "missing.yaml"))
	if !errors.Is(err, os.ErrNotExist) {
		t.Errorf("missing file: got %v, want ErrNotExist", err)
	}
}

// TestLocate checks the mapping of rubric paths back to YAML nodes.
func TestLocate(t *testing.T) {
	src := "id: x\ncriteria:\n  - id: a\n    signals:\n      - id: s\n        pattern: \"(\"\n  - id: b\n    <<: &w {weight: 2}\nexamples:\n  - expect: {scope: 9}\n"
	doc, err := parseDocument("r.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		path      string
		line, col int
	}{
		{"", 1, 1},
		{"id", 1, 1},
		{"criteria", 2, 1},
		{"criteria[0]", 3, 5},
		{"criteria[0].signals[0].pattern", 6, 9},
		{"criteria[0].weight", 3, 5},  // missing key: the criterion
		{"criteria[7].weight", 2, 1},  // missing index: the list's key
		{"criteria[1].weight", 8, 13}, // through a merge key
		{"examples[0].expect.scope", 10, 14},
		{"examples[0].expect[scope]", 10, 14},
	}
	for _, tt := range tests {
		n := locate(doc.root, tt.path)
		if n.Line != tt.line || n.Column != tt.col {
			t.Errorf("locate(%q) = %d:%d, want %d:%d", tt.path, n.Line, n.Column, tt.line, tt.col)
		}
	}
}

func TestErrorFormat(t *testing.T) {
	tests := []struct {
		e    Error
		want string
	}{
		{Error{File: "rubric.yaml", Line: 12, Col: 5, Path: "criteria[2].weight", Msg: "must be > 0"}, "rubric.yaml:12:5: criteria[2].weight: must be > 0"},
		{Error{File: "rubric.toml", Path: "criteria[2].weight", Msg: "must be > 0"}, "rubric.toml: criteria[2].weight: must be > 0"},
		{Error{File: "r.yaml", Line: 3, Msg: "bad"}, "r.yaml:3: bad"},
		{Error{Path: "jobs", Msg: "must be >= 0"}, "jobs: must be >= 0"},
		{Error{Msg: "bad"}, "bad"},
	}
	for _, tt := range tests {
		if got := tt.e.Error(); got != tt.want {
			t.Errorf("got %q, want %q", got, tt.want)
		}
	}
	l := ErrorList{{File: "b", Line: 1, Msg: "x"}, {File: "a", Line: 9, Msg: "y"}, {File: "a", Line: 2, Msg: "z"}}
	if got, want := l.Err().Error(), "a:2: z\na:9: y\nb:1: x"; got != want {
		t.Errorf("ErrorList = %q, want %q", got, want)
	}
	if (ErrorList{}).Err() != nil {
		t.Errorf("empty ErrorList.Err() != nil")
	}
}

// TestLoadRubricTOMLPositions checks that problems in TOML files are located
// through array tables, dotted keys, inline tables and arrays.
func TestLoadRubricTOMLPositions(t *testing.T) {
	src := `id = "t"
bands = [{name = "All", min = 0}, {name = "Top", min = 200}]

[[criteria]]
id = "a"

[[criteria]]
id = "b"
levels.extra = 1

[[criteria.signals]]
id = "s"
kind = "regex"
pattern = "("

[[criteria.signals]]
id = "t"
kinds = "regex"
`
	_, err := LoadRubric("r.toml", []byte(src))
	if err == nil {
		t.Fatal("no error")
	}
	for _, want := range []string{
		"r.toml:2:50: bands[1].min: must be between 0 and 100, got 200",
		"r.toml:4:3: criteria[0].weight: must be > 0, got 0",
		"r.toml:9:1: criteria[1].levels: expected a list, got a mapping",
		"r.toml:14:1: criteria[1].signals[0].pattern: invalid regular expression: error parsing regexp: missing closing ): `(`",
		`r.toml:18:1: criteria[1].signals[1].kinds: unknown key "kinds" (did you mean "kind"?)`,
	} {
		if !slices.Contains(strings.Split(err.Error(), "\n"), want) {
			t.Errorf("missing %q in:\n%s", want, err)
		}
	}
}
