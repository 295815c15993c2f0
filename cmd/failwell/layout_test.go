package main

import (
	"os/exec"
	"strings"
	"testing"
)

const module = "github.com/failwell/failwell"

// TestPackageDependenciesPointInward checks the layout rules of the
// project: evaluate (the domain core) imports no other package of ours and
// only small text libraries; ingest, report and config import evaluate and
// never each other; each third-party library stays in the package that
// needs it.
func TestPackageDependenciesPointInward(t *testing.T) {
	gobin, err := exec.LookPath("go")
	if err != nil {
		t.Skip("the go command is not available")
	}
	out, err := exec.Command(gobin, "list", "-f", "{{.ImportPath}} {{join .Imports \" \"}}", module+"/...").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	// Which of our packages each package may import.
	internal := map[string][]string{
		"evaluate": {},
		"ingest":   {"evaluate"},
		"report":   {"evaluate"},
		"config":   {"evaluate"},
	}
	// Where each third-party library may be imported (by path prefix).
	thirdParty := map[string][]string{
		"github.com/xuri/excelize":      {"ingest", "report", "samples/gen"},
		"codeberg.org/go-pdf/fpdf":      {"report"},
		"github.com/spf13/viper":        {"config"},
		"go.yaml.in/yaml":               {"config"},
		"github.com/pelletier/go-toml":  {"config"},
		"github.com/spf13/cobra":        {"cmd/failwell"},
		"github.com/kljensen/snowball":  {"evaluate"},
		"github.com/clipperhouse/uax29": {"evaluate"},
		"github.com/jung-kurt/gofpdf":   {},
		"gopkg.in/yaml":                 {},
		"github.com/spf13/pflag":        {"cmd/failwell", "config"},
		"golang.org/x/text":             {"ingest", "report"},
		"golang.org/x/sys":              {"report"},
		"golang.org/x/sync":             {"evaluate", "report"},
	}
	checked := 0
	for line := range strings.Lines(strings.TrimSpace(string(out))) {
		fields := strings.Fields(line)
		pkg := strings.TrimPrefix(strings.TrimPrefix(fields[0], module), "/")
		for _, imp := range fields[1:] {
			if rel, ok := strings.CutPrefix(imp, module+"/"); ok {
				if allowed, rule := internal[pkg]; rule && !contains(allowed, rel) {
					t.Errorf("%s imports %s: only %v allowed", pkg, rel, allowed)
				}
				continue
			}
			if !strings.Contains(strings.SplitN(imp, "/", 2)[0], ".") {
				continue // standard library
			}
			known := false
			for prefix, where := range thirdParty {
				if strings.HasPrefix(imp, prefix) {
					known = true
					if !contains(where, pkg) {
						t.Errorf("%s imports %s: that library belongs in %v", pkg, imp, where)
					}
				}
			}
			if !known {
				t.Errorf("%s imports %s, a library the layout rules do not list: add it to this test with where it belongs", pkg, imp)
			}
		}
		checked++
	}
	if checked < 6 {
		t.Fatalf("go list listed %d packages, want at least 6:\n%s", checked, out)
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
