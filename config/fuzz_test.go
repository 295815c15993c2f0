package config

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// FuzzLoadRubric feeds arbitrary bytes to LoadRubric as YAML, JSON and TOML.
// It must never panic; a rubric it accepts must validate; every problem is
// an *Error naming the file, and every problem located in the document
// (with a Path) has a line and column.
func FuzzLoadRubric(f *testing.F) {
	// The default rubric is not a seed: at 30 kB its mutations are slow to
	// run and to minimize, and TestDefaultRubric covers it.
	for _, name := range []string{"small.yaml", "small.json", "small.toml", "bad-rubric.yaml"} {
		f.Add(readTestdataF(f, name))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, name := range []string{"r.yaml", "r.json", "r.toml"} {
			r, err := LoadRubric(name, data)
			if err == nil {
				if r == nil {
					t.Fatalf("%s: nil rubric and nil error", name)
				}
				if verr := r.Validate(); verr != nil {
					t.Fatalf("%s: accepted a rubric that does not validate: %v", name, verr)
				}
				continue
			}
			if r != nil {
				t.Fatalf("%s: rubric and error both returned", name)
			}
			var list ErrorList
			if !errors.As(err, &list) || len(list) == 0 {
				t.Fatalf("%s: error %T is not a non-empty ErrorList: %v", name, err, err)
			}
			for _, e := range list {
				if e.File != name {
					t.Errorf("%s: problem %q names file %q", name, e, e.File)
				}
				if strings.Contains(e.Msg, "internal error") {
					t.Errorf("%s: %v", name, e)
				}
				if e.Path != "" && (e.Line == 0 || e.Col == 0) {
					t.Errorf("%s: problem without position: %q", name, e)
				}
			}
		}
	})
}

func readTestdataF(f *testing.F, name string) []byte {
	f.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		f.Fatal(err)
	}
	return data
}

// FuzzConfigFile feeds arbitrary bytes to the configuration file parser as
// YAML, JSON and TOML: it must never panic, and every problem it reports
// names the file and, when it names a key, has a line and column.
func FuzzConfigFile(f *testing.F) {
	f.Add(StarterFile())
	f.Add([]byte("out: x\njobs: abc\nbrand: {org: A, colour: red}\ncolumns: {Story: Answer}\n"))
	f.Add([]byte(`{"out": "x", "brand": {"paper": "Letter"}, "columns": {"story": 1}}`))
	f.Add([]byte("out = \"x\"\n[brand]\norg = \"A\"\n[columns]\nstory = \"Answer\"\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, name := range []string{"c.yaml", "c.json", "c.toml"} {
			doc, err := parseDocument(name, data)
			if err != nil {
				continue
			}
			vals, nodes, errs := fileValues(doc)
			for _, e := range errs {
				if e.File != name || e.Path != "" && e.Line == 0 {
					t.Errorf("%s: badly located problem %q", name, e)
				}
			}
			for k := range vals {
				if _, ok := setting(k); !ok || nodes[k] == nil {
					t.Errorf("%s: value for %q without a setting or a position", name, k)
				}
			}
		}
	})
}
