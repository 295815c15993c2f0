package ingest

import (
	"bytes"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/unicode"
)

// cleanText normalises a multi-line cell (the story): invalid UTF-8 bytes
// become U+FFFD, CRLF and CR become LF, control characters other than LF and
// TAB (C0, DEL, C1, including NUL) are removed, and surrounding space is
// trimmed. Everything else, right-to-left text and emoji included, is kept.
func cleanText(s string) string {
	if !utf8.ValidString(s) {
		s = strings.ToValidUTF8(s, "\uFFFD")
	}
	if strings.IndexFunc(s, isDropped) >= 0 || strings.Contains(s, "\r") {
		s = strings.ReplaceAll(s, "\r\n", "\n")
		var b strings.Builder
		b.Grow(len(s))
		for _, r := range s {
			switch {
			case r == '\r':
				b.WriteByte('\n')
			case isDropped(r):
			default:
				b.WriteRune(r)
			}
		}
		s = b.String()
	}
	return strings.TrimSpace(s)
}

func isDropped(r rune) bool {
	return (r < 0x20 && r != '\n' && r != '\t' && r != '\r') || (r >= 0x7f && r <= 0x9f)
}

// cleanLine is cleanText for one-line cells (name, email, id, cohort, date):
// runs of white space, line breaks included, become one space.
func cleanLine(s string) string {
	return strings.Join(strings.Fields(cleanText(s)), " ")
}

// decodeText turns the bytes of a text file into UTF-8: a UTF-8 BOM is
// dropped; UTF-16 with a BOM, or without one but recognisable by its zero
// bytes, is decoded; valid UTF-8 is kept; otherwise the file is read as
// Windows-1252 unless it is mostly UTF-8 with a few damaged bytes, which
// are then replaced by U+FFFD. It returns the text and the encoding's name.
func decodeText(b []byte) (string, string) {
	switch {
	case bytes.HasPrefix(b, []byte{0xEF, 0xBB, 0xBF}):
		return strings.ToValidUTF8(string(b[3:]), "\uFFFD"), "UTF-8 with BOM"
	case bytes.HasPrefix(b, []byte{0xFF, 0xFE}):
		return decode16(b, unicode.LittleEndian), "UTF-16LE"
	case bytes.HasPrefix(b, []byte{0xFE, 0xFF}):
		return decode16(b, unicode.BigEndian), "UTF-16BE"
	}
	if e, ok := sniff16(b); ok {
		return decode16(b, e), "UTF-16 (no BOM)"
	}
	if utf8.Valid(b) {
		return string(b), "UTF-8"
	}
	valid, invalid := 0, 0
	for i := 0; i < len(b); {
		r, n := utf8.DecodeRune(b[i:])
		switch {
		case r == utf8.RuneError && n <= 1:
			invalid++
		case n > 1:
			valid++
		}
		i += max(n, 1)
	}
	if valid > 2*invalid {
		return strings.ToValidUTF8(string(b), "\uFFFD"), "UTF-8 (repaired)"
	}
	s, err := charmap.Windows1252.NewDecoder().Bytes(b)
	if err != nil {
		return strings.ToValidUTF8(string(b), "\uFFFD"), "UTF-8 (repaired)"
	}
	return string(s), "Windows-1252"
}

func decode16(b []byte, e unicode.Endianness) string {
	s, err := unicode.UTF16(e, unicode.UseBOM).NewDecoder().Bytes(b)
	if err != nil {
		return strings.ToValidUTF8(string(b), "\uFFFD")
	}
	return strings.ToValidUTF8(string(s), "\uFFFD")
}

// sniff16 recognises BOM-less UTF-16 of mostly ASCII text: in the first
// 1 KiB, a zero in (almost) every odd byte and in no even byte means little
// endian, and the other way round big endian.
func sniff16(b []byte) (unicode.Endianness, bool) {
	n := min(len(b), 1024) &^ 1
	if n < 4 {
		return unicode.BigEndian, false
	}
	even, odd := 0, 0
	for i := 0; i < n; i += 2 {
		if b[i] == 0 {
			even++
		}
		if b[i+1] == 0 {
			odd++
		}
	}
	pairs := n / 2
	switch {
	case odd*10 >= pairs*8 && even == 0:
		return unicode.LittleEndian, true
	case even*10 >= pairs*8 && odd == 0:
		return unicode.BigEndian, true
	}
	return unicode.BigEndian, false
}
