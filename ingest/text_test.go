package ingest

import (
	"testing"

	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/unicode"
)

func TestCleanText(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"crlf", "a\r\nb\rc", "a\nb\nc"},
		{"nul and controls", "a\x00b\x07c\x1b[0m\x7f\u0085d", "abc[0md"},
		{"tabs and newlines kept", "  a\tb\n\nc  ", "a\tb\n\nc"},
		{"invalid utf8 repaired", "caf\xe9 ok", "caf\uFFFD ok"},
		{"rtl and emoji kept", "\u200fשלום 👋🏽 مرحبا", "\u200fשלום 👋🏽 مرحبا"},
		{"only space", " \t\r\n ", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := cleanText(tt.in); got != tt.want {
				t.Errorf("cleanText(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
	if got, want := cleanLine(" Ada\n  Lovelace\t"), "Ada Lovelace"; got != want {
		t.Errorf("cleanLine = %q, want %q", got, want)
	}
}

func TestDecodeText(t *testing.T) {
	const text = "Name,Story\nZoë,Café failure – €5\n"
	cp1252, err := charmap.Windows1252.NewEncoder().String(text)
	if err != nil {
		t.Fatal(err)
	}
	le, _ := unicode.UTF16(unicode.LittleEndian, unicode.UseBOM).NewEncoder().String(text)
	be, _ := unicode.UTF16(unicode.BigEndian, unicode.UseBOM).NewEncoder().String(text)
	leNoBOM, _ := unicode.UTF16(unicode.LittleEndian, unicode.IgnoreBOM).NewEncoder().String(text)
	tests := []struct {
		name, in, want, enc string
	}{
		{"utf8", text, text, "UTF-8"},
		{"utf8 bom", "\xef\xbb\xbf" + text, text, "UTF-8 with BOM"},
		{"utf16le bom", le, text, "UTF-16LE"},
		{"utf16be bom", be, text, "UTF-16BE"},
		{"utf16le no bom", leNoBOM, text, "UTF-16 (no BOM)"},
		{"windows-1252", cp1252, text, "Windows-1252"},
		{"utf8 with one bad byte", "Zoë Café ñ \xff", "Zoë Café ñ \uFFFD", "UTF-8 (repaired)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, enc := decodeText([]byte(tt.in))
			if got != tt.want || enc != tt.enc {
				t.Errorf("decodeText = %q, %q; want %q, %q", got, enc, tt.want, tt.enc)
			}
		})
	}
}
