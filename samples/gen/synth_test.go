package main

import (
	"bytes"
	"encoding/csv"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode"

	"github.com/xuri/excelize/v2"
)

func TestSynthDeterministic(t *testing.T) {
	for _, ext := range []string{".xlsx", ".csv"} {
		t.Run(ext, func(t *testing.T) {
			dir := t.TempDir()
			a, b := filepath.Join(dir, "a"+ext), filepath.Join(dir, "b"+ext)
			for _, p := range []string{a, b} {
				if err := run([]string{"-n", "300", "-o", p}, &bytes.Buffer{}); err != nil {
					t.Fatal(err)
				}
			}
			x, _ := os.ReadFile(a)
			y, _ := os.ReadFile(b)
			if len(x) == 0 || !bytes.Equal(x, y) {
				t.Errorf("two runs with -n 300 differ (%d and %d bytes), want identical bytes", len(x), len(y))
			}
		})
	}
}

func TestSynthPrefixStable(t *testing.T) {
	small, big := synthCohort(50), synthCohort(200)
	for i := range small {
		if small[i].Story != big[i].Story || small[i].Name != big[i].Name {
			t.Fatalf("candidate %d differs between -n 50 and -n 200", i)
		}
	}
}

func TestSynthVariety(t *testing.T) {
	cands := synthCohort(2000)
	scripts := map[string]int{}
	stories := map[string]bool{}
	ids := map[string]bool{}
	for _, c := range cands {
		for _, r := range c.Name {
			switch {
			case unicode.Is(unicode.Greek, r):
				scripts["greek"]++
			case unicode.Is(unicode.Cyrillic, r):
				scripts["cyrillic"]++
			case unicode.Is(unicode.Han, r) || unicode.Is(unicode.Hangul, r):
				scripts["cjk"]++
			case r > 0x7f && unicode.Is(unicode.Latin, r):
				scripts["latin-diacritics"]++
			default:
				continue
			}
			break
		}
		stories[c.Story] = true
		if ids[c.ID] {
			t.Fatalf("duplicate id %s", c.ID)
		}
		ids[c.ID] = true
		if strings.TrimSpace(c.Story) == "" {
			t.Fatalf("%s: empty story", c.ID)
		}
	}
	for _, s := range []string{"greek", "cyrillic", "cjk", "latin-diacritics"} {
		if scripts[s] < 50 {
			t.Errorf("%d names in %s script, want >= 50 of 2000", scripts[s], s)
		}
	}
	if len(stories) < 1900 {
		t.Errorf("%d distinct stories of 2000, want >= 1900", len(stories))
	}
}

func TestSynthShape(t *testing.T) {
	dir := t.TempDir()
	x, c := filepath.Join(dir, "big.xlsx"), filepath.Join(dir, "big.csv")
	for _, p := range []string{x, c} {
		if err := run([]string{"-n", "120", "-o", p}, &bytes.Buffer{}); err != nil {
			t.Fatal(err)
		}
	}
	f, err := excelize.OpenFile(x)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := f.GetRows(formsSheet)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := len(rows), 121; got != want {
		t.Errorf("xlsx rows = %d, want %d", got, want)
	}
	if got, want := strings.Join(rows[0], "|"), strings.Join(formsHeader, "|"); got != want {
		t.Errorf("xlsx header = %q, want %q", got, want)
	}
	fc, err := os.Open(c)
	if err != nil {
		t.Fatal(err)
	}
	defer fc.Close()
	recs, err := csv.NewReader(fc).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if got, want := len(recs), 121; got != want {
		t.Errorf("csv records = %d, want %d", got, want)
	}
	if err := run([]string{"-n", "5", "-o", filepath.Join(dir, "x.txt")}, &bytes.Buffer{}); err == nil {
		t.Error("-n with a .txt output: got no error, want one")
	}
}
