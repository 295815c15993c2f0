package report

import (
	"bytes"
	"image"
	"image/color"
	"image/png"
	"os"
	"path/filepath"
	"testing"

	"github.com/xuri/excelize/v2"
)

// testLogo writes a w×h PNG into dir and returns its path.
func testLogo(t *testing.T, dir string, w, h int) string {
	t.Helper()
	img := image.NewNRGBA(image.Rect(0, 0, w, h))
	for x := range w {
		img.Set(x, h/2, color.NRGBA{0x0F, 0x76, 0x6E, 0xFF})
	}
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "logo.png")
	if err := os.WriteFile(path, b.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestWorkbookSummaryLogo(t *testing.T) {
	tests := []struct {
		name     string
		logo     func(dir string) string
		pictures int
	}{
		{"no logo", func(string) string { return "" }, 0},
		{"PNG logo", func(dir string) string { return testLogo(t, dir, 300, 100) }, 1},
		{"unreadable logo is left out", func(dir string) string { return filepath.Join(dir, "missing.png") }, 0},
		{"not an image is left out", func(dir string) string {
			p := filepath.Join(dir, "logo.png")
			os.WriteFile(p, []byte("\x89PNG\r\n\x1a\nbroken"), 0o600)
			return p
		}, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			results, rub := fixture()
			opts := testOptions(t, rub)
			opts.NoPDF = true
			opts.Brand.Org = "Northwind"
			opts.Brand.Logo = tt.logo(t.TempDir())
			if _, err := write(t.Context(), results, opts, fakePDF); err != nil {
				t.Fatal(err)
			}
			f, err := excelize.OpenFile(filepath.Join(opts.Dir, WorkbookFile))
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			cells, err := f.GetPictureCells(sheetSummary)
			if err != nil {
				t.Fatal(err)
			}
			if len(cells) != tt.pictures {
				t.Fatalf("Summary has pictures in %v, want %d picture(s)", cells, tt.pictures)
			}
			if tt.pictures == 0 {
				return
			}
			if want := chartCol + "1"; cells[0] != want {
				t.Errorf("logo is in %s, want %s", cells[0], want)
			}
			pics, err := f.GetPictures(sheetSummary, cells[0])
			if err != nil || len(pics) != 1 {
				t.Fatalf("got %d pictures, %v; want 1", len(pics), err)
			}
			if got, want := pics[0].Format.AltText, "Northwind logo"; got != want {
				t.Errorf("alt text %q, want %q", got, want)
			}
		})
	}
}

// TestWorkbookStylesNameTheirFont checks that every font in the workbook's
// styles has a name and a size, so viewers do not fall back to their own
// (LibreOffice draws unnamed fonts in a serif).
func TestWorkbookStylesNameTheirFont(t *testing.T) {
	path, _ := writeFixture(t, false)
	f, err := excelize.OpenFile(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	n := 0
	for id := 1; ; id++ {
		st, err := f.GetStyle(id)
		if err != nil || st == nil {
			break
		}
		n++
		if st.Font != nil && (st.Font.Family == "" || st.Font.Size == 0) {
			t.Errorf("style %d: font family %q size %v, want both set", id, st.Font.Family, st.Font.Size)
		}
	}
	if n < 10 {
		t.Errorf("read %d styles, want the workbook's 10 or more", n)
	}
}
