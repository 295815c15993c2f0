package ingest

import (
	"fmt"
	"io"

	"github.com/xuri/excelize/v2"
)

// TemplateHeaders are the headers of the workbook written by
// [WriteTemplate], in column order: the Google Forms shape that [Read]
// recognises without flags.
var TemplateHeaders = []string{"Timestamp", "Email Address", "Full name", "Candidate ID", "Cohort",
	"Tell me about your biggest failure"}

// TemplateSheet is the name of the template's sheet.
const TemplateSheet = "Responses"

// WriteTemplate writes a starter .xlsx workbook to w: one sheet with the
// expected headers (bold, frozen), sensible column widths, a date-formatted
// Timestamp column and one example row.
func WriteTemplate(w io.Writer) error {
	f := excelize.NewFile()
	defer f.Close()
	if err := f.SetSheetName("Sheet1", TemplateSheet); err != nil {
		return fmt.Errorf("template: %w", err)
	}
	const s = TemplateSheet
	bold, err := f.NewStyle(&excelize.Style{
		Font:      &excelize.Font{Bold: true},
		Fill:      excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"DDE7F0"}},
		Alignment: &excelize.Alignment{Vertical: "top", WrapText: true},
	})
	if err != nil {
		return fmt.Errorf("template: %w", err)
	}
	dateFmt := "yyyy-mm-dd hh:mm:ss"
	date, err := f.NewStyle(&excelize.Style{CustomNumFmt: &dateFmt, Alignment: &excelize.Alignment{Vertical: "top"}})
	if err != nil {
		return fmt.Errorf("template: %w", err)
	}
	wrap, err := f.NewStyle(&excelize.Style{Alignment: &excelize.Alignment{Vertical: "top", WrapText: true}})
	if err != nil {
		return fmt.Errorf("template: %w", err)
	}
	top, err := f.NewStyle(&excelize.Style{Alignment: &excelize.Alignment{Vertical: "top"}})
	if err != nil {
		return fmt.Errorf("template: %w", err)
	}
	example := []any{
		46286.5856, // 2026-09-21 14:03:16
		"ada.example@example.com",
		"Ada Example",
		"C001",
		"Autumn 2026",
		"In 2025 I led the launch of a self-serve onboarding flow for 2,000 small business customers. " +
			"I skipped the pilot because we were behind schedule, and activation dropped from 41% to 29% in the first month.\n\n" +
			"I owned the mistake in our review, rolled back to the guided flow for new accounts and ran a two-week pilot with 50 customers. " +
			"Activation recovered to 44%. I now pilot every customer-facing change with a small group first, and I write down the metric that would make me stop.",
	}
	widths := []float64{20, 30, 24, 14, 16, 90}
	for i, h := range TemplateHeaders {
		col, _ := excelize.ColumnNumberToName(i + 1)
		if err := f.SetCellValue(s, col+"1", h); err != nil {
			return fmt.Errorf("template: %w", err)
		}
		if err := f.SetCellValue(s, col+"2", example[i]); err != nil {
			return fmt.Errorf("template: %w", err)
		}
		if err := f.SetColWidth(s, col, col, widths[i]); err != nil {
			return fmt.Errorf("template: %w", err)
		}
	}
	for _, st := range []struct {
		from, to string
		style    int
	}{{"A1", "F1", bold}, {"A2", "A2", date}, {"B2", "E2", top}, {"F2", "F2", wrap}} {
		if err := f.SetCellStyle(s, st.from, st.to, st.style); err != nil {
			return fmt.Errorf("template: %w", err)
		}
	}
	if err := f.SetPanes(s, &excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"}); err != nil {
		return fmt.Errorf("template: %w", err)
	}
	if err := f.Write(w); err != nil {
		return fmt.Errorf("template: %w", err)
	}
	return nil
}
