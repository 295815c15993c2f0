package report

import (
	"bytes"
	"fmt"
	"image"
	_ "image/jpeg" // logo formats for image.DecodeConfig
	_ "image/png"
	"math"
	"os"
	"strconv"

	"github.com/xuri/excelize/v2"
)

// chartCol is the column where the Summary charts are anchored, right of
// the tables.
const chartCol = "J"

// chartRows is the rows from one Summary chart's top to the next one's: a
// 300 px chart is 15 rows of 15 pt, plus a gap.
const chartRows = 17

// summary writes the Summary sheet: headline numbers, band counts,
// per-criterion means, the distribution of totals, a per-cohort breakdown
// when there are several cohorts, and native charts of the three.
func (b *wb) summary() error {
	f, sh := b.f, sheetSummary
	if err := b.pageSetup(sh, true, true, false); err != nil {
		return err
	}
	// Rows of a fixed 15 pt (Excel's default), so that the charts, anchored
	// chartRows rows apart, do not overlap in viewers whose default row is
	// shorter (LibreOffice); the title row is taller.
	rowH, custom := 15.0, true
	if err := f.SetSheetProps(sh, &excelize.SheetPropsOptions{DefaultRowHeight: &rowH, CustomHeight: &custom}); err != nil {
		return err
	}
	// Widths first: chart anchors are computed from them.
	if err := f.SetColWidth(sh, "A", "A", 26); err != nil {
		return err
	}
	if err := f.SetColWidth(sh, "B", xlCol(max(8, 6+len(b.criteria))), 13.5); err != nil {
		return err
	}
	set := newXLSetter(f, sh)
	// Table headers: the first column (labels) left-aligned, the others
	// (numbers) right-aligned like their values.
	hnum, err := b.numHeaderStyle()
	if err != nil {
		return err
	}
	hdr := func(i int) int {
		if i == 0 {
			return b.st.header
		}
		return hnum
	}
	c := b.sum.Counts

	title := "Cohort report"
	if b.opts.Brand.Org != "" {
		title = b.opts.Brand.Org + " — cohort report"
	}
	set.str(1, 1, b.text(title), b.st.title)
	if err := f.SetRowHeight(sh, 1, 26); err != nil {
		return err
	}
	sub := "Generated " + isoDate(b.opts.Date)
	if r := b.opts.Rubric; r != nil {
		sub = fmt.Sprintf("Rubric: %s (%s %s) · %s", r.Name, r.ID, r.Version, sub)
	}
	if b.opts.Version != "" {
		sub += " · failwell " + b.opts.Version
	}
	set.str(2, 1, b.text(sub), b.st.label)
	if err := b.summaryLogo(); err != nil {
		return err
	}

	totals := b.agg.totals
	ts := describeTotals(totals)

	row := 4
	section := func(name string) {
		set.str(row, 1, name, b.st.subtitle)
		row++
	}
	kvInt := func(k string, v int) {
		set.str(row, 1, k, b.st.label)
		set.num(row, 2, float64(v), b.st.num)
		row++
	}
	kvNum := func(k string, v float64) {
		set.str(row, 1, k, b.st.label)
		set.num(row, 2, v, b.st.total)
		row++
	}
	section("Overview")
	kvInt("Rows read", c.Read)
	kvInt("Scored", c.Scored)
	kvInt("Rejected", c.Rejected)
	kvInt("Flagged for review", c.Flagged)
	if !b.opts.NoPDF {
		kvInt("PDF reports", c.PDFs)
		if b.sum.PDFFailed > 0 {
			kvInt("PDF reports failed", b.sum.PDFFailed)
		}
	}
	if ts.N > 0 {
		kvNum("Mean total", ts.Mean)
		kvNum("Median total", ts.Median)
		kvNum("Standard deviation", ts.SD)
		kvNum("Lowest total", ts.Min)
		kvNum("Highest total", ts.Max)
	}
	row++

	// Bands.
	section("Bands")
	bands := b.xlBandCounts()
	for i, h := range []string{"Band", "Candidates", "Share"} {
		set.str(row, i+1, h, hdr(i))
	}
	row++
	bandFirst := row
	pct, _ := f.NewStyle(&excelize.Style{NumFmt: 9})
	for _, bc := range bands {
		set.str(row, 1, b.text(bc.name), b.st.bold)
		set.num(row, 2, float64(bc.n), b.st.num)
		if c.Scored > 0 {
			set.num(row, 3, float64(bc.n)/float64(c.Scored), pct)
		}
		row++
	}
	bandLast := row - 1
	row++

	// Criteria.
	section("Criteria")
	for i, h := range []string{"Criterion", "Weight", "Mean level", "Level 0", "Level 1", "Level 2", "Level 3", "Level 4"} {
		set.str(row, i+1, h, hdr(i))
	}
	row++
	critFirst := row
	for j, cc := range b.criteria {
		n := b.agg.levels[j]
		var sum float64
		var k int
		for l, m := range n {
			sum += float64(l * m)
			k += m
		}
		set.str(row, 1, b.text(cc.Name), b.st.bold)
		set.num(row, 2, finiteOr0(cc.Weight), 0)
		if k > 0 {
			set.num(row, 3, sum/float64(k), b.st.mean)
		}
		for l := range 5 {
			set.num(row, 4+l, float64(n[l]), b.st.num)
		}
		row++
	}
	critLast := row - 1
	row++

	// Distribution of totals.
	section("Distribution of totals")
	for i, h := range []string{"Total", "Candidates"} {
		set.str(row, i+1, h, hdr(i))
	}
	row++
	var buckets [10]int
	for _, t := range totals {
		k := int(t / 10)
		k = max(0, min(k, 9)) // 100 falls in 90–100
		buckets[k]++
	}
	distFirst := row
	for k, n := range buckets {
		label := fmt.Sprintf("%d–%d", k*10, k*10+9)
		if k == 9 {
			label = "90–100"
		}
		set.str(row, 1, label, 0)
		set.num(row, 2, float64(n), b.st.num)
		row++
	}
	distLast := row - 1
	row++

	if b.truncated > 0 {
		set.str(row, 1, fmt.Sprintf("%d cell texts were longer than Excel's limit of 32,767 characters and end with “%s”; results.jsonl has them in full.", b.truncated, truncMark), b.st.note)
		row += 2
	}

	// Charts, right of the tables.
	chartsEnd := 4
	if c.Scored > 0 {
		if err := b.charts(distFirst, distLast, critFirst, critLast, bandFirst, bandLast); err != nil {
			return err
		}
		chartsEnd = 4 + 3*chartRows
	}

	// Per-cohort breakdown, below both the tables and the charts.
	if cohorts := b.xlCohortStats(); len(cohorts) > 1 {
		row = max(row, chartsEnd+1)
		section("By cohort")
		headers := []string{"Cohort", "Scored", "Rejected", "Flagged", "Mean total", "Median total"}
		for _, cc := range b.criteria {
			headers = append(headers, cc.Name)
		}
		for i, h := range headers {
			set.str(row, i+1, b.text(h), hdr(i))
		}
		if set.err == nil {
			set.err = f.SetRowHeight(sh, row, 45)
		}
		row++
		for _, co := range cohorts {
			name := co.name
			if name == "" {
				name = "(none)"
			}
			set.str(row, 1, b.text(name), b.st.bold)
			set.num(row, 2, float64(co.scored), b.st.num)
			set.num(row, 3, float64(co.rejected), b.st.num)
			set.num(row, 4, float64(co.flagged), b.st.num)
			if co.scored > 0 {
				d := describeTotals(co.totals)
				set.num(row, 5, d.Mean, b.st.total)
				set.num(row, 6, d.Median, b.st.total)
				for j := range b.criteria {
					if co.levelN[j] > 0 {
						set.num(row, 7+j, co.levelSum[j]/float64(co.levelN[j]), b.st.mean)
					}
				}
			}
			row++
		}
	}

	return set.err
}

// numHeaderStyle is the header style, right-aligned, for columns of numbers.
func (b *wb) numHeaderStyle() (int, error) {
	accent := b.opts.Brand.Accent
	if !xlHexColour(accent) {
		accent = defaultAccent
	}
	return b.f.NewStyle(&excelize.Style{
		Font:      &excelize.Font{Bold: true, Color: "#FFFFFF", Family: "Calibri", Size: 11},
		Fill:      excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{accent}},
		Alignment: &excelize.Alignment{Horizontal: "right", Vertical: "center", WrapText: true},
	})
}

// summaryLogo puts the brand logo at the top right of the Summary sheet,
// 44 px tall and right-aligned with the charts. A logo that cannot be read
// or decoded is left out: config rejects a bad logo at startup, and the
// workbook is not the place to fail a run over it.
func (b *wb) summaryLogo() error {
	path := b.opts.Brand.Logo
	if path == "" {
		return nil
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil
	}
	cfg, format, err := image.DecodeConfig(bytes.NewReader(data))
	if err != nil || cfg.Width <= 0 || cfg.Height <= 0 {
		return nil
	}
	ext := map[string]string{"png": ".png", "jpeg": ".jpg"}[format]
	if ext == "" {
		return nil
	}
	const maxH, maxW, chartW = 44.0, 220.0, 560
	scale := min(maxH/float64(cfg.Height), maxW/float64(cfg.Width))
	w := int(math.Round(float64(cfg.Width) * scale))
	alt := "Logo"
	if b.opts.Brand.Org != "" {
		alt = b.opts.Brand.Org + " logo"
	}
	return b.f.AddPictureFromBytes(sheetSummary, chartCol+"1", &excelize.Picture{
		Extension: ext, File: data,
		Format: &excelize.GraphicOptions{AltText: alt, ScaleX: scale, ScaleY: scale, OffsetX: max(0, chartW-w), OffsetY: 2,
			LockAspectRatio: true, Positioning: "oneCell"},
	})
}

// charts adds the three Summary charts, fed by the tables at the given rows.
func (b *wb) charts(distFirst, distLast, critFirst, critLast, bandFirst, bandLast int) error {
	f, sh := b.f, sheetSummary
	ref := func(col string, first, last int) string {
		return fmt.Sprintf("%s!$%s$%d:$%s$%d", sh, col, first, col, last)
	}
	title := func(s string) excelize.ChartTitle {
		return excelize.ChartTitle{Paragraph: []excelize.RichTextRun{{Text: s, Font: &excelize.Font{Bold: true, Size: 12, Color: "#262626"}}}}
	}
	axisTitle := func(s string) excelize.ChartTitle {
		return excelize.ChartTitle{Paragraph: []excelize.RichTextRun{{Text: s, Font: &excelize.Font{Size: 9, Color: "#404040"}}}}
	}
	axisFont := excelize.Font{Size: 9, Color: "#404040"}
	dim := excelize.ChartDimension{Width: 560, Height: 300}
	accent := b.opts.Brand.Accent
	if !xlHexColour(accent) {
		accent = defaultAccent
	}
	fill := excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{accent}}
	gap := uint(40)
	zero, four := 0.0, 4.0

	if err := f.AddChart(sh, chartCol+"4", &excelize.Chart{
		Type: excelize.Col,
		Series: []excelize.ChartSeries{{
			Name: "Candidates", Categories: ref("A", distFirst, distLast), Values: ref("B", distFirst, distLast),
			Fill: fill,
		}},
		Title:     title("Distribution of totals"),
		Legend:    excelize.ChartLegend{Position: "none"},
		PlotArea:  excelize.ChartPlotArea{ShowVal: true},
		Dimension: dim,
		GapWidth:  &gap,
		XAxis:     excelize.ChartAxis{Font: axisFont, Title: axisTitle("Total (0–100)")},
		YAxis:     excelize.ChartAxis{Font: axisFont, MajorGridLines: true, Minimum: &zero, Title: axisTitle("Candidates")},
		Format:    excelize.GraphicOptions{AltText: "Distribution of totals"},
	}); err != nil {
		return fmt.Errorf("distribution chart: %w", err)
	}
	if critLast >= critFirst {
		if err := f.AddChart(sh, chartCol+strconv.Itoa(4+chartRows), &excelize.Chart{
			Type: excelize.Bar,
			Series: []excelize.ChartSeries{{
				Name: "Mean level", Categories: ref("A", critFirst, critLast), Values: ref("C", critFirst, critLast),
				Fill: fill,
			}},
			Title:     title("Mean level per criterion (0–4)"),
			Legend:    excelize.ChartLegend{Position: "none"},
			PlotArea:  excelize.ChartPlotArea{ShowVal: true},
			Dimension: dim,
			GapWidth:  &gap,
			XAxis:     excelize.ChartAxis{Font: axisFont, ReverseOrder: true},
			YAxis:     excelize.ChartAxis{Font: axisFont, MajorGridLines: true, Minimum: &zero, Maximum: &four, MajorUnit: 1, NumFmt: excelize.ChartNumFmt{CustomNumFmt: "0"}},
			Format:    excelize.GraphicOptions{AltText: "Mean level per criterion"},
		}); err != nil {
			return fmt.Errorf("criteria chart: %w", err)
		}
	}
	if bandLast >= bandFirst {
		if err := f.AddChart(sh, chartCol+strconv.Itoa(4+2*chartRows), &excelize.Chart{
			Type: excelize.Col,
			Series: []excelize.ChartSeries{{
				Name: "Candidates", Categories: ref("A", bandFirst, bandLast), Values: ref("B", bandFirst, bandLast),
				Fill: fill,
			}},
			Title:     title("Candidates per band"),
			Legend:    excelize.ChartLegend{Position: "none"},
			PlotArea:  excelize.ChartPlotArea{ShowVal: true},
			Dimension: dim,
			GapWidth:  &gap,
			XAxis:     excelize.ChartAxis{Font: axisFont},
			YAxis:     excelize.ChartAxis{Font: axisFont, MajorGridLines: true, Minimum: &zero},
			Format:    excelize.GraphicOptions{AltText: "Candidates per band"},
		}); err != nil {
			return fmt.Errorf("band chart: %w", err)
		}
	}
	return nil
}

type xlBandCount struct {
	name string
	n    int
}

// xlBandCounts counts scored results per band: the rubric's bands from the
// highest to the lowest, then any other band name in first-seen order.
func (b *wb) xlBandCounts() []xlBandCount { return b.agg.bands }

type xlCohortStat struct {
	name                      string
	scored, rejected, flagged int
	totals                    []float64
	levelSum                  []float64
	levelN                    []int
}

// xlCohortStats is the results grouped by cohort, in first-seen order.
func (b *wb) xlCohortStats() []*xlCohortStat { return b.agg.cohorts }
