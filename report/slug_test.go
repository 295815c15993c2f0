package report

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/failwell/failwell/evaluate"
)

func TestSlug(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"vietnamese", "Nguyễn Thị Minh Anh", "nguyen-thi-minh-anh"},
		{"polish", "Małgorzata Wójcik", "malgorzata-wojcik"},
		{"german", "Zoë Hartmann-Straße", "zoe-hartmann-strasse"},
		{"danish", "Søren Ærø", "soren-aero"},
		{"vietnamese d", "Đặng Văn Lâm", "dang-van-lam"},
		{"greek", "Γιώργος Παπαδόπουλος", "giorgos-papadopoulos"},
		{"cyrillic", "Анна Щербакова", "anna-shcherbakova"},
		{"cjk dropped", "陈静", ""},
		{"mixed cjk", "Jing 陈静 Chen", "jing-chen"},
		{"path traversal", "../../etc/passwd", "etc-passwd"},
		{"windows device", "CON", "con"},
		{"slash", "a/b", "a-b"},
		{"backslash", `a\b`, "a-b"},
		{"apostrophe", "Seán O'Brien", "sean-obrien"},
		{"empty", "", ""},
		{"only punctuation", "...///", ""},
		{"nul and controls", "a\x00b\tc\u202ed", "a-b-c-d"},
		{"emoji", "Ana 🚀 Lima", "ana-lima"},
		{"fullwidth", "ＡＢＣ１２", "abc12"},
		{"formula", `=HYPERLINK("x")`, "hyperlink-x"},
		{"long", strings.Repeat("abcdefghij ", 30), "abcdefghij-abcdefghij-abcdefghij-abcdefghij-abcdefghij"},
		{"long word", strings.Repeat("a", 300), strings.Repeat("a", 60)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Slug(tt.in)
			if got != tt.want {
				t.Errorf("Slug(%q): got %q, want %q", tt.in, got, tt.want)
			}
			if len(got) > maxSlug {
				t.Errorf("Slug(%q) is %d bytes, want <= %d", tt.in, len(got), maxSlug)
			}
		})
	}
}

func TestPDFNamesAreSafeAndUnique(t *testing.T) {
	names := []string{"Anna Lee", "Anna Lee", "../../etc/passwd", "CON", "a/b", strings.Repeat("x", 300), "", "陈静", "NUL", ".."}
	var results []evaluate.Result
	for i, n := range names {
		results = append(results, evaluate.Result{Story: evaluate.Story{Index: i, Name: n}})
	}
	// A repeated index (two inputs misnumbered) must still give unique names.
	results = append(results, evaluate.Result{Story: evaluate.Story{Index: 0, Name: "Anna Lee"}})
	results = append(results, evaluate.Result{Story: evaluate.Story{Index: 3}, Err: errRejected})
	got := pdfNames(results)
	want := []string{
		"feedback/001-anna-lee.pdf", "feedback/002-anna-lee.pdf", "feedback/003-etc-passwd.pdf",
		"feedback/004-con.pdf", "feedback/005-a-b.pdf", "feedback/006-" + strings.Repeat("x", 60) + ".pdf",
		"feedback/007-candidate.pdf", "feedback/008-candidate.pdf", "feedback/009-nul.pdf",
		"feedback/010-candidate.pdf", "feedback/001-anna-lee-2.pdf", "",
	}
	seen := map[string]bool{}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("row %d (%q): got %q, want %q", i, results[i].Story.Name, got[i], want[i])
		}
		if got[i] == "" {
			continue
		}
		if seen[got[i]] {
			t.Errorf("duplicate name %q", got[i])
		}
		seen[got[i]] = true
		if !filepath.IsLocal(got[i]) || filepath.Dir(got[i]) != "feedback" {
			t.Errorf("%q is not a file directly inside feedback/", got[i])
		}
	}
}

func TestPDFNamesWidenForLargeBatches(t *testing.T) {
	results := make([]evaluate.Result, 1200)
	for i := range results {
		results[i].Story.Index = i
		results[i].Story.Name = "x"
	}
	got := pdfNames(results)
	if got[0] != "feedback/0001-x.pdf" || got[1199] != "feedback/1200-x.pdf" {
		t.Errorf("got %q and %q, want feedback/0001-x.pdf and feedback/1200-x.pdf", got[0], got[1199])
	}
}

func FuzzSlug(f *testing.F) {
	for _, s := range []string{"Nguyễn Thị Minh Anh", "../../etc/passwd", "CON", "a/b", "", "陈静", "\x00\xff"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got := Slug(s)
		if len(got) > maxSlug {
			t.Fatalf("Slug(%q) = %q: too long", s, got)
		}
		for _, r := range got {
			if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-') {
				t.Fatalf("Slug(%q) = %q: bad character %q", s, got, r)
			}
		}
		if strings.HasPrefix(got, "-") || strings.HasSuffix(got, "-") || strings.Contains(got, "--") {
			t.Fatalf("Slug(%q) = %q: bad hyphens", s, got)
		}
	})
}
