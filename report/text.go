package report

import (
	"bufio"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"github.com/failwell/failwell/evaluate"
)

// Text writes a scored result as a plain-text breakdown for a terminal: the
// total and band, then each criterion's level with a bar, its descriptor,
// evidence quotes (+ raised, − lowered), feedback and next step, then the
// review flags and the keep-doing / change-first summary. Lines are wrapped
// at 80 columns.
func Text(w io.Writer, res *evaluate.Result) error {
	bw := bufio.NewWriter(w)
	date := "no date given; as of " + isoDate(res.Ref)
	if !res.Story.Submitted.IsZero() {
		date = "submitted " + isoDate(res.Story.Submitted)
	}
	fmt.Fprintf(bw, "Total %.1f/100  %s   (%d words, %s)\n", res.Total, res.Band, res.Words, date)
	for _, f := range res.Flags {
		wrap(bw, "! review: "+f.Message, "  ")
	}
	for _, s := range res.Scores {
		bar := strings.Repeat("■", s.Level) + strings.Repeat("□", 4-s.Level)
		fmt.Fprintf(bw, "\n%s %d/4  %s (weight %g)\n", bar, s.Level, s.Name, s.Weight)
		wrap(bw, s.Descriptor, "  ")
		for _, e := range s.Evidence {
			sign := "+"
			if e.Effect < 0 {
				sign = "−"
			}
			q := e.Quote
			if utf8.RuneCountInString(q) > 160 {
				q = string([]rune(q)[:157]) + "..."
			}
			line := fmt.Sprintf("%s “%s”", sign, oneLine(q))
			if e.Note != "" {
				line += " (" + e.Note + ")"
			}
			wrap(bw, line, "    ")
		}
		if s.Feedback != "" {
			wrap(bw, "→ "+s.Feedback, "  ")
		}
		if s.NextStep != "" {
			wrap(bw, "Next step: "+s.NextStep, "  ")
		}
	}
	if res.Strength != "" || res.Change != "" {
		fmt.Fprintln(bw)
	}
	if res.Strength != "" {
		wrap(bw, "Keep doing: "+res.Strength, "")
	}
	if res.Change != "" {
		wrap(bw, "Change first: "+res.Change, "")
	}
	return bw.Flush()
}

func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

// wrap writes text word-wrapped at 80 columns, every line starting with indent.
func wrap(w io.Writer, text, indent string) {
	const width = 80
	line := indent
	for _, word := range strings.Fields(text) {
		if utf8.RuneCountInString(line)+1+utf8.RuneCountInString(word) > width && strings.TrimSpace(line) != "" {
			fmt.Fprintln(w, line)
			line = indent + "  "
		}
		if strings.TrimSpace(line) != "" {
			line += " "
		}
		line += word
	}
	if strings.TrimSpace(line) != "" {
		fmt.Fprintln(w, line)
	}
}
