package report

import (
	"bytes"
	"compress/zlib"
	"encoding/json"
	"io"
	"testing"
)

func TestSubsetIsAValidFontWithTheSameGlyphs(t *testing.T) {
	fs, err := sharedFonts()
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name  string
		f     face
		runes string
	}{
		{"DejaVu Latin, Vietnamese, Greek, Cyrillic", faceSans, "Aaé ễịÅłŁΩЖж□…"},
		{"DejaVu Bold", faceBold, "Nguyễn Thị Minh Anh"},
		{"Droid CJK", faceCJK, "陈静日本語"},
		{"Nanum Hangul", faceKR, "김민준한국어"},
		{"Noto Thai", faceThai, "สมชาย ใจดี"},
		{"Noto Devanagari", faceDeva, "प्रिया शर्मा"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src := fs.faces[tt.f]
			sub, err := parseSfnt(src.subset([]rune(tt.runes)))
			if err != nil {
				t.Fatalf("subset does not parse: %v", err)
			}
			if n, max := len(sub.loca)-1, 3*len([]rune(tt.runes))+1; n > max {
				t.Errorf("subset has %d glyphs, want at most %d", n, max)
			}
			for _, r := range tt.runes {
				if r == ' ' {
					continue
				}
				g := int(sub.gid[r])
				if g == 0 {
					t.Errorf("%q: not in the subset's cmap", r)
					continue
				}
				if got, want := sub.w1000[r], src.w1000[r]; got != want {
					t.Errorf("%q: width %d, want %d", r, got, want)
				}
				d := sub.glyph(g)
				orig := stripInstructions(src.glyph(int(src.gid[r])))
				if len(d) != (len(orig)+3)&^3 { // glyphs are padded to 4 bytes

					t.Errorf("%q: glyph is %d bytes, want %d", r, len(d), (len(orig)+3)&^3)
				}
				glyphComponents(d, func(off int) {
					if c := be16(d, off); c >= len(sub.loca)-1 {
						t.Errorf("%q: component glyph %d outside the subset", r, c)
					}
				})
			}
		})
	}
}

func TestCodePagesCoverEveryCharacterOnce(t *testing.T) {
	fs, err := sharedFonts()
	if err != nil {
		t.Fatal(err)
	}
	for f := range numFaces {
		src := fs.faces[f]
		seen := map[[2]int]rune{}
		for r := rune(33); r < 0xFFFF; r++ {
			pg, code := fs.page[f][r], fs.code[f][r]
			if src.gid[r] == 0 {
				if pg != 0 {
					t.Errorf("face %d: %q has no glyph but is on page %d", f, r, pg)
				}
				continue
			}
			if pg == 0 || code < 33 {
				t.Errorf("face %d: %q has a glyph but no code page", f, r)
				continue
			}
			k := [2]int{int(pg), int(code)}
			if o, dup := seen[k]; dup {
				t.Errorf("face %d: %q and %q share page %d code %d", f, o, r, pg, code)
			}
			seen[k] = r
			if cp := fs.pages[f][pg-1]; cp.runes[code-33] != r {
				t.Errorf("face %d: page %d code %d is %q, want %q", f, pg, code, cp.runes[code-33], r)
			}
		}
		if hasBold(f) {
			for r := rune(33); r < 127; r++ {
				if fs.page[f][r] != 1 || rune(fs.code[f][r]) != r {
					t.Errorf("face %d: ASCII %q is page %d code %d, want page 1 code %d", f, r, fs.page[f][r], fs.code[f][r], r)
				}
			}
		}
	}
}

func TestCodePageFontDefinition(t *testing.T) {
	fs, err := sharedFonts()
	if err != nil {
		t.Fatal(err)
	}
	pg := fs.pages[faceSans][0]
	pf := pg.build()
	var def fontDef
	if err := json.Unmarshal(pf.def, &def); err != nil {
		t.Fatal(err)
	}
	if def.Tp != "TrueType" || len(def.Cw) != 256 || def.Desc.Flags != 32 {
		t.Errorf("got type %q, %d widths, flags %d; want TrueType, 256, 32", def.Tp, len(def.Cw), def.Desc.Flags)
	}
	if got, want := def.Cw['A'], int(fs.faces[faceSans].w1000['A']); got != want {
		t.Errorf("width of A is %d, want %d", got, want)
	}
	zr, err := zlib.NewReader(bytes.NewReader(pf.z))
	if err != nil {
		t.Fatal(err)
	}
	prog, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	if len(prog) != def.OriginalSize {
		t.Errorf("font program is %d bytes, definition says %d", len(prog), def.OriginalSize)
	}
	sub, err := parseSfnt(prog)
	if err != nil {
		t.Fatalf("page font does not parse: %v", err)
	}
	for _, r := range pg.runes {
		if sub.gid[r] == 0 {
			t.Errorf("%q is on the page but not in its font", r)
		}
	}
	if pg.build().def[0] != pf.def[0] || &pg.build().z[0] != &pf.z[0] {
		t.Errorf("page font rebuilt on second use, want it built once")
	}
}
