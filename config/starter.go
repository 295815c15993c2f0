package config

import (
	"bytes"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// StarterFile returns a commented failwell.yaml that sets every setting to its
// default, for `failwell init`. Loading it gives [Default].
func StarterFile() []byte {
	var b bytes.Buffer
	b.WriteString(`# failwell configuration (failwell.yaml). Every setting is shown with its
# default; delete what you don't change. Unknown keys are errors.
#
# Precedence: command-line flags > FAILWELL_* environment variables > this
# file > defaults. Relative paths in this file are relative to its directory.
`)
	group := ""
	for _, s := range Settings {
		if s.Key == "config" {
			continue
		}
		g, name, nested := strings.Cut(s.Key, ".")
		if !nested {
			g, name = "", s.Key
		}
		indent := ""
		if g != "" {
			indent = "  "
			if g != group {
				b.WriteString("\n# " + capitalize(g) + " settings.\n" + g + ":\n")
			}
		}
		group = g
		if g == "" || b.Len() > 0 && !strings.HasSuffix(b.String(), ":\n") {
			b.WriteString("\n")
		}
		wrap(&b, indent+"# ", capitalize(s.Help)+".")
		b.WriteString(indent + "# Flag --" + s.Flag + ", environment " + s.Env + ".\n")
		b.WriteString(indent + name + ": ")
		switch s.kind {
		case kindInt, kindBool:
			b.WriteString(s.Default)
		case kindMap:
			b.WriteString("{}\n")
			b.WriteString(indent + "# For example:\n")
			b.WriteString(indent + "# " + name + ":\n")
			b.WriteString(indent + "#   story: Your answer\n")
			b.WriteString(indent + "#   name: Candidate")
		default:
			b.WriteString(strconv.Quote(s.Default))
		}
		b.WriteString("\n")
	}
	return b.Bytes()
}

func capitalize(s string) string {
	r, n := utf8.DecodeRuneInString(s)
	return string(unicode.ToUpper(r)) + s[n:]
}

// wrap writes text as lines of at most 78 bytes, each starting with prefix.
func wrap(b *bytes.Buffer, prefix, text string) {
	line := prefix
	for _, w := range strings.Fields(text) {
		if len(line) > len(prefix) && len(line)+1+len(w) > 78 {
			b.WriteString(line + "\n")
			line = prefix
		}
		if len(line) > len(prefix) {
			line += " "
		}
		line += w
	}
	b.WriteString(line + "\n")
}
