package ingest

import (
	"bytes"
	"fmt"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
)

const benchRows = 5000

var benchStory = strings.Repeat("In 2025 I led a launch that failed; I learned to pilot first. ", 40) // ~2.5 KB

func BenchmarkReadCSV(b *testing.B) {
	var sb strings.Builder
	sb.WriteString("Timestamp,Email Address,Full name,Candidate ID,Cohort,Tell me about your biggest failure\n")
	for i := range benchRows {
		fmt.Fprintf(&sb, "9/21/2026 14:03:11,c%d@example.com,Candidate %d,C%d,A,\"%s\"\n", i, i, i, benchStory)
	}
	data := []byte(sb.String())
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		ss, err := Read("bench.csv", bytes.NewReader(data), Options{})
		if err != nil || len(ss) != benchRows {
			b.Fatalf("got %d stories, %v", len(ss), err)
		}
	}
}

func BenchmarkReadXLSX(b *testing.B) {
	data := newXLSX(b, func(f *excelize.File) {
		sw, err := f.NewStreamWriter("Sheet1")
		if err != nil {
			b.Fatal(err)
		}
		if err := sw.SetRow("A1", []any{"Timestamp", "Email Address", "Full name", "Candidate ID", "Cohort", "Tell me about your biggest failure"}); err != nil {
			b.Fatal(err)
		}
		for i := range benchRows {
			cell, _ := excelize.CoordinatesToCellName(1, i+2)
			if err := sw.SetRow(cell, []any{46286.5, fmt.Sprintf("c%d@example.com", i), fmt.Sprintf("Candidate %d", i), i, "A", benchStory}); err != nil {
				b.Fatal(err)
			}
		}
		if err := sw.Flush(); err != nil {
			b.Fatal(err)
		}
	})
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		ss, err := Read("bench.xlsx", bytes.NewReader(data), Options{})
		if err != nil || len(ss) != benchRows {
			b.Fatalf("got %d stories, %v", len(ss), err)
		}
	}
}
