package report

import (
	"bytes"
	"flag"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"math"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/failwell/failwell/evaluate"
)

// pdfUpdateFlag registers -update ("go test ./report -update" rewrites the
// golden files) unless another test file of the package already did.
var pdfUpdateFlag = func() *bool {
	if flag.Lookup("update") != nil {
		return nil
	}
	return flag.Bool("update", false, "rewrite golden files")
}()

// pdfUpdating reports whether -update was given.
func pdfUpdating() bool {
	if pdfUpdateFlag != nil {
		return *pdfUpdateFlag
	}
	f := flag.Lookup("update")
	return f != nil && f.Value.String() == "true"
}

// pdfTestDate is the fixed generation date of every test PDF.
var pdfTestDate = time.Date(2026, 11, 20, 0, 0, 0, 0, time.UTC)

// pdfTestRubric is a small rubric with the six default criteria.
func pdfTestRubric() *evaluate.Rubric {
	return &evaluate.Rubric{
		ID: "failwell-default", Version: "1.0", Name: "Failure story",
		Bands: []evaluate.Band{{Name: "Needs work", Min: 0}, {Name: "Developing", Min: 40}, {Name: "Strong", Min: 70}},
	}
}

// pdfTestStory is a story with evidence spans computed from its sentences.
const pdfTestStory = `In 2024 I led the migration of our billing service to a new payment provider, and I owned the cut-over plan.
I skipped a full dry run because the deadline was tight, and on launch day 18% of renewals failed for six hours.
That was my call, not the team's: I had waved away a warning from our QA lead.
We rolled back, refunded 412 customers and I wrote the post-mortem myself.
Since then I never ship a migration without a rehearsal on production-like data, and I ask the quietest person in the room what worries them.
Six months later we moved a second provider with zero failed payments.`

// sentence returns the evidence for the sentence of text containing sub.
func sentence(text, sub string, signal string, effect float64, note string) evaluate.Evidence {
	i := strings.Index(text, sub)
	if i < 0 {
		panic("fixture: " + sub)
	}
	a := strings.LastIndex(text[:i], "\n") + 1
	if j := strings.LastIndex(text[:i], ". "); j >= 0 && j+2 > a {
		a = j + 2
	}
	b := strings.IndexAny(text[i:], ".\n")
	if b < 0 {
		b = len(text)
	} else if b += i; text[b] == '.' {
		b++
	}
	return evaluate.Evidence{Quote: text[a:b], Start: a, End: b, Signal: signal, Effect: effect, Note: note}
}

// pdfTestResult builds a scored result by hand.
func pdfTestResult(name, cohort, text string) *evaluate.Result {
	ev := func(sub, sig string, eff float64, note string) []evaluate.Evidence {
		if !strings.Contains(text, sub) {
			return nil
		}
		return []evaluate.Evidence{sentence(text, sub, sig, eff, note)}
	}
	scores := []evaluate.Score{
		{ID: "scope", Name: "Scope & responsibility", Weight: 20, Level: 3, Descriptor: "Owned a significant piece of work with real stakes.",
			Evidence: ev("I led the migration", "led", 1, "names what they led"),
			Feedback: "You make clear the migration was yours: \"I owned the cut-over plan\".", NextStep: "Say how many people or customers depended on it."},
		{ID: "recency", Name: "Recency", Weight: 10, Level: 4, Descriptor: "Within the last two years.",
			Evidence: ev("In 2024", "year", 1, "dated: 2024"), Feedback: "A recent story, so the lesson is current."},
		{ID: "learning", Name: "Learning", Weight: 25, Level: 4, Descriptor: "A specific, changed behaviour, shown to work.",
			Evidence: append(ev("Since then I never ship", "changed", 1.5, "a changed habit"), ev("Six months later", "proof", 1, "the change worked")...),
			Feedback: "You show a habit that changed and evidence that it worked."},
		{ID: "structure", Name: "Structure", Weight: 15, Level: 2, Descriptor: "Situation, action and result are present but uneven.",
			Feedback: "The result comes quickly; the situation could be set up in one more sentence.", NextStep: "Open with one sentence of context: the team, the goal, the stakes."},
		{ID: "arc", Name: "Arc", Weight: 10, Level: 3, Descriptor: "A clear turn from failure to recovery.",
			Evidence: ev("We rolled back", "recovery", 1, "recovery steps"), Feedback: "The recovery is concrete.", NextStep: "Show what you felt at the lowest point."},
		{ID: "ownership", Name: "Ownership", Weight: 20, Level: 1, Descriptor: "Mentions own part but shares blame.",
			Evidence: append(ev("That was my call", "owns", 1, "owns the decision"), ev("waved away a warning", "blame", -0.5, "hints at someone else's warning")...),
			Feedback: "You own the call, but the QA lead appears as the one who was right.", NextStep: "Say what you will do differently when warned, in your own words."},
	}
	return &evaluate.Result{
		Story: evaluate.Story{Index: 11, Ref: "cohort.xlsx:Form Responses 1:12", Name: name, Email: "x@example.org", Cohort: cohort,
			Submitted: time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC), Text: text},
		Ref: time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC), Words: len(strings.Fields(text)),
		Scores: scores, Total: 72.5, Band: "Strong",
		Strength: "You name a specific habit you changed and show it worked.",
		Change:   "Take full ownership of the decision instead of pointing at the warning you ignored.",
	}
}

func pdfTestOpts() PDFOptions {
	return PDFOptions{
		Rubric:      pdfTestRubric(),
		CohortMeans: map[string]float64{"scope": 2.4, "recency": 3.1, "learning": 1.8, "structure": 2.2, "arc": 2.9, "ownership": 2.0},
		Date:        pdfTestDate, Version: "0.1.0-test",
		Brand: Brand{Org: "Northwind Bootcamp", Footer: "Questions? coaching@northwind.example", Accent: "#1F4E79"},
	}
}

// renderPDFBytes renders res with opts.
func renderPDFBytes(t testing.TB, res *evaluate.Result, opts PDFOptions) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := PDF(&buf, res, opts); err != nil {
		t.Fatalf("PDF: %v", err)
	}
	if !bytes.HasPrefix(buf.Bytes(), []byte("%PDF-")) {
		t.Fatalf("output does not start with %%PDF-")
	}
	return buf.Bytes()
}

// needPoppler skips the test when a poppler tool is missing, except in CI.
func needPoppler(t *testing.T, tool string) string {
	t.Helper()
	p, err := exec.LookPath(tool)
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("%s not installed (install poppler-utils)", tool)
		}
		t.Skipf("%s not installed", tool)
	}
	return p
}

// pdfText extracts the text of a PDF with pdftotext.
func pdfText(t *testing.T, pdf []byte) string {
	t.Helper()
	bin := needPoppler(t, "pdftotext")
	path := filepath.Join(t.TempDir(), "r.pdf")
	if err := os.WriteFile(path, pdf, 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(bin, "-enc", "UTF-8", path, "-").Output()
	if err != nil {
		t.Fatalf("pdftotext: %v", err)
	}
	return string(out)
}

// pdfPages returns the page count reported by pdfinfo.
func pdfPages(t *testing.T, pdf []byte) int {
	t.Helper()
	bin := needPoppler(t, "pdfinfo")
	path := filepath.Join(t.TempDir(), "r.pdf")
	if err := os.WriteFile(path, pdf, 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(bin, path).CombinedOutput()
	if err != nil {
		t.Fatalf("pdfinfo: %v\n%s", err, out)
	}
	m := regexp.MustCompile(`(?m)^Pages:\s+(\d+)`).FindStringSubmatch(string(out))
	if m == nil {
		t.Fatalf("pdfinfo: no page count in\n%s", out)
	}
	n, _ := strconv.Atoi(m[1])
	return n
}

// squash removes all whitespace, so that wrapped text can be searched.
func squash(s string) string { return strings.Join(strings.Fields(s), "") }

func TestPDFRendersNamesInEveryScript(t *testing.T) {
	tests := []struct {
		name, cohort string
	}{
		{"Zoë Hartmann", "Spring 2026"},
		{"Nguyễn Thị Minh Anh", "Hà Nội"},
		{"Małgorzata Wójcik", "Kraków"},
		{"陈静", "北京 2026"},
		{"김민준", "서울 2026"},
		{"田中 さくら", "東京"},
		{"สมชาย ใจดี", "กรุงเทพ"},
		{"राहुल शर्मा", "मुंबई"},
		{"Αλέξανδρος Παπαδόπουλος", "Αθήνα"},
		{"Анна Кузнецова", "Москва"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := pdfTestResult(tt.name, tt.cohort, pdfTestStory)
			res.Scores[0].Evidence = append(res.Scores[0].Evidence, evaluate.Evidence{Quote: tt.name + " 说: ça va — ok", Effect: 0.5})
			txt := squash(pdfText(t, renderPDFBytes(t, res, pdfTestOpts())))
			for _, want := range []string{tt.name, tt.cohort, "72.5", "Strong", tt.name + "说:çava—ok",
				"Scope&responsibility", "Level3/4", "Ownership", "Nextstep", "Keepdoing", "Changefirst",
				"IwrotethePost-mortemmyself.", "Page1of", "Rubricfailwell-defaultv1.0", "failwell0.1.0-test", "Northwind"} {
				if want == "IwrotethePost-mortemmyself." {
					want = "Iwrotethepost-mortemmyself."
				}
				if !strings.Contains(txt, squash(want)) {
					t.Errorf("extracted text lacks %q", want)
				}
			}
			if strings.ContainsRune(txt, '□') {
				t.Errorf("extracted text has a missing-glyph placeholder")
			}
		})
	}
}

func TestPDFContainsQuotesFeedbackAndFlags(t *testing.T) {
	res := pdfTestResult("Zoë Hartmann", "Spring 2026", pdfTestStory)
	res.Flags = []evaluate.Flag{{Code: "near-duplicate", Message: "Very close to row 14 (Ola Nordmann)."}}
	txt := squash(pdfText(t, renderPDFBytes(t, res, pdfTestOpts())))
	var want []string
	for _, s := range res.Scores {
		want = append(want, s.Name, s.Descriptor, s.Feedback, s.NextStep)
		for _, e := range s.Evidence {
			want = append(want, "“"+e.Quote+"”", e.Note)
		}
	}
	want = append(want, res.Strength, res.Change, "Flaggedforreview", "Near-duplicate of another story:", res.Flags[0].Message,
		"Submitted1Oct2026", "Generated20Nov2026", "Questions?coaching@northwind.example")
	for _, w := range want {
		if !strings.Contains(txt, squash(w)) {
			t.Errorf("extracted text lacks %q", w)
		}
	}
}

func TestPDFIsDeterministic(t *testing.T) {
	res := pdfTestResult("陈静 Nguyễn", "Spring", pdfTestStory)
	res.Flags = []evaluate.Flag{{Code: "a", Message: "b"}}
	a := renderPDFBytes(t, res, pdfTestOpts())
	for i := range 3 {
		b := renderPDFBytes(t, res, pdfTestOpts())
		if !bytes.Equal(a, b) {
			t.Fatalf("render %d: %d bytes differ from first render (%d bytes)", i+2, len(b), len(a))
		}
	}
	if !bytes.Contains(a, []byte("/CreationDate (D:20261120")) {
		t.Errorf("creation date is not the generation date")
	}
}

func TestPDFConcurrentRendering(t *testing.T) {
	names := []string{"Zoë", "陈静", "Nguyễn Thị Minh Anh", "Анна", "Ελένη", "Małgorzata Wójcik"}
	want := make([][]byte, len(names))
	for i, n := range names {
		want[i] = renderPDFBytes(t, pdfTestResult(n, "C", pdfTestStory), pdfTestOpts())
	}
	var wg sync.WaitGroup
	errs := make([]error, 4*len(names))
	for k := range errs {
		wg.Go(func() {
			i := k % len(names)
			var buf bytes.Buffer
			if err := PDF(&buf, pdfTestResult(names[i], "C", pdfTestStory), pdfTestOpts()); err != nil {
				errs[k] = err
				return
			}
			if !bytes.Equal(buf.Bytes(), want[i]) {
				errs[k] = fmt.Errorf("%s: concurrent render differs from serial render", names[i])
			}
		})
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			t.Error(err)
		}
	}
}

// cjkStory is a Chinese story for the benchmarks (about 230 characters).
const cjkStory = "二〇二四年，我负责一款外卖应用的会员计划。我们决定在没有充分测试的情况下直接向全部用户推出新的价格，因为我相信用户会接受。" +
	"结果第一个月续费率下降了百分之十八，客服收到了大量投诉。我承认这是我的决定，没有把责任推给团队。" +
	"我们暂停了新价格，先在两个城市做对照实验，并且每周和用户访谈。三个月后我们找到了更合适的方案，续费率恢复并提高了百分之六。" +
	"我学到的是：价格是对用户行为的假设，必须先验证再推广。今年做新产品定价时，我先定义了护栏指标，第一周就发现了问题。\n"

// longStory repeats pdfTestStory's sentences to n words.
func longStory(n int) string {
	words := strings.Fields(strings.ReplaceAll(pdfTestStory, "\n", " \n "))
	var b strings.Builder
	for i := 0; i < n; i++ {
		w := words[i%len(words)]
		if w == "\n" {
			b.WriteString("\n")
			n++
			continue
		}
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(w)
	}
	return b.String()
}

func TestPDFPageCount(t *testing.T) {
	tests := []struct {
		name     string
		words    int
		min, max int
	}{
		{"short story", 120, 2, 3},
		{"600-word story", 600, 2, 4},
		{"100,000-word story is capped", 100000, 3, 6},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			text := longStory(tt.words)
			res := pdfTestResult("Zoë Hartmann", "Spring", text)
			pdf := renderPDFBytes(t, res, pdfTestOpts())
			if got := pdfPages(t, pdf); got < tt.min || got > tt.max {
				t.Errorf("got %d pages, want %d..%d", got, tt.min, tt.max)
			}
			txt := squash(pdfText(t, pdf))
			capped := strings.Contains(txt, "Storyshortenedforthisreport")
			if want := tt.words > storyMaxWords; capped != want {
				t.Errorf("story shortened notice shown = %v, want %v", capped, want)
			}
		})
	}
}

func TestPDFSurvivesOddInput(t *testing.T) {
	long := strings.Repeat("Wolfeschlegelsteinhausenbergerdorff ", 20)
	tests := []struct {
		name   string
		mutate func(r *evaluate.Result, o *PDFOptions)
		want   []string // must appear in the extracted text
	}{
		{"empty name", func(r *evaluate.Result, o *PDFOptions) { r.Story.Name = "" }, []string{"Unnamed candidate"}},
		{"nil evidence and no flags", func(r *evaluate.Result, o *PDFOptions) {
			for i := range r.Scores {
				r.Scores[i].Evidence = nil
			}
			r.Flags = nil
		}, []string{"No passage of your story was counted"}},
		{"no scores", func(r *evaluate.Result, o *PDFOptions) { r.Scores = nil }, []string{"72.5"}},
		{"very long name", func(r *evaluate.Result, o *PDFOptions) { r.Story.Name = long }, []string{"Wolfeschlegelsteinhausenbergerdorff"}},
		{"RTL, NUL and emoji", func(r *evaluate.Result, o *PDFOptions) {
			r.Story.Name = "שרה כהן\x00 سارة 👍🏽"
			r.Story.Text = "I failed.\x00 😀 \u202eReversed\u202c done. \xff bad byte.\n" + r.Story.Text
			r.Strength = "Great 🎉 work"
		}, []string{"כהן", "Great", "□"}},
		{"no date, no rubric, no brand, zero options", func(r *evaluate.Result, o *PDFOptions) {
			r.Story.Submitted = time.Time{}
			*o = PDFOptions{}
		}, []string{"No date given; as of 1 Oct 2026", "failwell dev"}},
		{"evidence offsets out of range", func(r *evaluate.Result, o *PDFOptions) {
			r.Scores[0].Evidence = []evaluate.Evidence{{Quote: "x", Start: -5, End: 3}, {Quote: "y", Start: 10, End: 1 << 20}, {Quote: "z", Start: 7, End: 7}}
		}, []string{"“x”"}},
		{"unscored result", func(r *evaluate.Result, o *PDFOptions) { r.Err = fmt.Errorf("story: empty") }, []string{"could not be scored", "story: empty"}},
		{"many flags", func(r *evaluate.Result, o *PDFOptions) {
			for i := range 30 {
				r.Flags = append(r.Flags, evaluate.Flag{Code: fmt.Sprintf("f%02d", i), Message: strings.Repeat("long message ", 40)})
			}
		}, []string{"and 18 more"}},
		{"very long summary, feedback and quotes", func(r *evaluate.Result, o *PDFOptions) {
			r.Strength = "Strength " + strings.Repeat("word ", 3000)
			r.Change = "Change " + strings.Repeat("word ", 3000)
			r.Scores[0].Feedback = "Feedback " + strings.Repeat("word ", 3000)
			r.Scores[0].Evidence[0].Quote = "Quote " + strings.Repeat("word ", 3000)
		}, []string{"Strength word", "Change word", "Feedback word", "“Quote word"}},
		{"twelve criteria", func(r *evaluate.Result, o *PDFOptions) {
			for i := range 6 {
				s := r.Scores[i]
				s.ID, s.Name = s.ID+"2", s.Name+" (again)"
				r.Scores = append(r.Scores, s)
			}
		}, []string{"Ownership (again)"}},
		{"letter paper and bad accent", func(r *evaluate.Result, o *PDFOptions) {
			o.Brand.Paper = "Letter"
			o.Brand.Accent = "not a colour"
		}, []string{"Zoë"}},
		{"CJK story without spaces", func(r *evaluate.Result, o *PDFOptions) {
			r.Story.Text = strings.Repeat("我负责的项目失败了，因为我没有测试。", 2000)
			r.Scores[0].Evidence = []evaluate.Evidence{{Quote: "我负责的项目失败了", Start: 0, End: len("我负责的项目失败了"), Effect: 1}}
		}, []string{"我负责的项目失败了", "Storyshortened"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := pdfTestResult("Zoë Hartmann", "Spring", pdfTestStory)
			opts := pdfTestOpts()
			tt.mutate(res, &opts)
			txt := squash(pdfText(t, renderPDFBytes(t, res, opts)))
			for _, w := range tt.want {
				if !strings.Contains(txt, squash(w)) {
					t.Errorf("extracted text lacks %q", w)
				}
			}
		})
	}
}

// writeTestLogo writes a small PNG logo (a coloured badge) into dir.
func writeTestLogo(t *testing.T, dir string) string {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 120, 48))
	for y := range 48 {
		for x := range 120 {
			c := color.RGBA{0x1F, 0x4E, 0x79, 0xFF}
			if (x/12+y/12)%2 == 0 {
				c = color.RGBA{0xF2, 0xA9, 0x00, 0xFF}
			}
			img.Set(x, y, c)
		}
	}
	path := filepath.Join(dir, "logo.png")
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, buf.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// writeTestJPEG writes a small JPEG logo into dir.
func writeTestJPEG(t *testing.T, dir string) string {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 40, 40))
	for y := range 40 {
		for x := range 40 {
			img.Set(x, y, color.RGBA{uint8(6 * x), uint8(6 * y), 0x80, 0xFF})
		}
	}
	path := filepath.Join(dir, "logo.jpg")
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, img, nil); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, buf.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestPDFWithLogo(t *testing.T) {
	dir := t.TempDir()
	for _, logo := range []string{writeTestLogo(t, dir), writeTestJPEG(t, dir)} {
		t.Run(filepath.Ext(logo), func(t *testing.T) {
			opts := pdfTestOpts()
			opts.Brand.Logo = logo
			pdf := renderPDFBytes(t, pdfTestResult("Zoë", "C", pdfTestStory), opts)
			if !bytes.Contains(pdf, []byte("/Subtype /Image")) {
				t.Errorf("no image XObject in the PDF")
			}
			if !strings.Contains(pdfText(t, pdf), "Northwind Bootcamp") {
				t.Errorf("organisation missing next to the logo")
			}
		})
	}
}

func TestPDFRejectsBadLogo(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "logo.png")
	if err := os.WriteFile(bad, []byte("not an image"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, path := range []string{bad, filepath.Join(dir, "missing.png")} {
		opts := pdfTestOpts()
		opts.Brand.Logo = path
		var buf bytes.Buffer
		if err := PDF(&buf, pdfTestResult("A", "B", "story"), opts); err == nil {
			t.Errorf("logo %s: got no error, want one", path)
		}
	}
}

func TestPDFGoldenText(t *testing.T) {
	res := pdfTestResult("Nguyễn Thị Minh Anh", "Spring 2026", pdfTestStory)
	res.Flags = []evaluate.Flag{{Code: "near-duplicate", Message: "Very close to row 14."}}
	got := pdfText(t, renderPDFBytes(t, res, pdfTestOpts()))
	golden := filepath.Join("testdata", "pdf", "text.golden")
	if pdfUpdating() {
		if err := os.MkdirAll(filepath.Dir(golden), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run go test ./report -run TestPDFGoldenText -update)", err)
	}
	if got != string(want) {
		t.Errorf("extracted text differs from %s (rerun with -update if intended):\ngot:\n%s", golden, got)
	}
}

// TestPDFWriteSample writes sample PDFs to $FAILWELL_PDF_SAMPLES for viewing.
func TestPDFWriteSample(t *testing.T) {
	dir := os.Getenv("FAILWELL_PDF_SAMPLES")
	if dir == "" {
		t.Skip("FAILWELL_PDF_SAMPLES not set")
	}
	res := pdfTestResult("Nguyễn Thị Minh Anh", "Spring 2026 · 陈静's group", pdfTestStory)
	res.Flags = []evaluate.Flag{{Code: "near-duplicate", Message: "Very close to the story in row 14 (Ola Nordmann): 92% of sentences are shared."}}
	if err := os.WriteFile(filepath.Join(dir, "sample.pdf"), renderPDFBytes(t, res, pdfTestOpts()), 0o644); err != nil {
		t.Fatal(err)
	}
	res = pdfTestResult("陈静", "Spring 2026", longStory(600))
	if err := os.WriteFile(filepath.Join(dir, "long.pdf"), renderPDFBytes(t, res, pdfTestOpts()), 0o644); err != nil {
		t.Fatal(err)
	}
	res = pdfTestResult(strings.Repeat("Wolfeschlegelsteinhausenbergerdorff ", 6)+"שרה כהן 👍🏽", "Cohort with a very long name that goes on and on and on", pdfTestStory)
	res.Story.Submitted = time.Time{}
	res.Strength = "Great 🎉 work, Ελένη"
	for i := range 14 {
		res.Flags = append(res.Flags, evaluate.Flag{Code: fmt.Sprintf("flag-%d", i), Message: "Something odd about this story that a reviewer should check."})
	}
	opts := pdfTestOpts()
	opts.Brand.Paper = "Letter"
	opts.Brand.Accent = "#7A1F4E"
	opts.Brand.Logo = writeTestLogo(t, dir)
	if err := os.WriteFile(filepath.Join(dir, "odd.pdf"), renderPDFBytes(t, res, opts), 0o644); err != nil {
		t.Fatal(err)
	}
}

// BenchmarkPDF measures one PDF: wall time, and CPU time per PDF
// (cpu-ms/op, includes GC) which is what matters on a busy machine. Fonts are
// parsed and the code pages used are built before the timer starts, as in a
// real run where the first PDF pays for them.
func BenchmarkPDF(b *testing.B) {
	cases := []struct {
		name string
		res  *evaluate.Result
	}{
		{"latin-600w", pdfTestResult("Małgorzata Wójcik", "Spring 2026", longStory(600))},
		{"vietnamese-cjk-300w", pdfTestResult("Nguyễn Thị Minh Anh 陈静", "Spring 2026", longStory(300))},
		{"korean-600w", pdfTestResult("김민준", "Spring 2026", longStory(600))},
		{"chinese-story", pdfTestResult("陈静", "北京", strings.Repeat(cjkStory, 3))},
	}
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			opts := pdfTestOpts()
			if err := PDF(&bytes.Buffer{}, c.res, opts); err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			b.ResetTimer()
			cpu0 := processCPU()
			size := 0
			for b.Loop() {
				var buf bytes.Buffer
				if err := PDF(&buf, c.res, opts); err != nil {
					b.Fatal(err)
				}
				size = buf.Len()
			}
			if cpu := processCPU() - cpu0; cpu > 0 {
				b.ReportMetric(float64(cpu.Microseconds())/1000/float64(b.N), "cpu-ms/op")
			}
			b.ReportMetric(float64(size)/1024, "KiB/pdf")
		})
	}
}

// BenchmarkPDFParallel renders PDFs on every core (GOMAXPROCS), as the batch
// does: ns/op is wall time per PDF at full parallelism.
func BenchmarkPDFParallel(b *testing.B) {
	res := pdfTestResult("Małgorzata Wójcik", "Spring 2026", longStory(600))
	opts := pdfTestOpts()
	if err := PDF(&bytes.Buffer{}, res, opts); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		var buf bytes.Buffer
		for pb.Next() {
			buf.Reset()
			if err := PDF(&buf, res, opts); err != nil {
				b.Error(err)
				return
			}
		}
	})
}

func TestPDFPaperSizeAndBrandingOnEveryPage(t *testing.T) {
	tests := []struct {
		paper, mediaBox string
	}{
		{"A4", "/MediaBox [0 0 595.28 841.89]"},
		{"", "/MediaBox [0 0 595.28 841.89]"},
		{"Letter", "/MediaBox [0 0 612.00 792.00]"},
		{"letter", "/MediaBox [0 0 612.00 792.00]"},
	}
	for _, tt := range tests {
		t.Run(tt.paper, func(t *testing.T) {
			opts := pdfTestOpts()
			opts.Brand.Paper = tt.paper
			opts.Brand.Footer = "Confidential: for the candidate only"
			opts.Brand.Logo = writeTestLogo(t, t.TempDir())
			pdf := renderPDFBytes(t, pdfTestResult("김민준", "Spring 2026", longStory(600)), opts)
			if !bytes.Contains(pdf, []byte(tt.mediaBox)) {
				t.Errorf("no %s in the PDF", tt.mediaBox)
			}
			pages := pdfPages(t, pdf)
			txt := pdfText(t, pdf)
			for _, want := range []string{"Confidential: for the candidate only", "Northwind Bootcamp", "김민준"} {
				if got := strings.Count(txt, want); got < pages {
					t.Errorf("%q appears %d times on %d pages, want once a page or more", want, got, pages)
				}
			}
			if got := strings.Count(txt, fmt.Sprintf(" of %d", pages)); got != pages {
				t.Errorf("%d page numbers \"x of %d\", want %d", got, pages, pages)
			}
		})
	}
}

func TestAppendFixedMatchesStrconv(t *testing.T) {
	tests := []struct {
		name string
		v    float64
	}{
		{"zero", 0},
		{"negative zero", math.Copysign(0, -1)},
		{"tiny negative rounds to -0", -0.001},
		{"exact tie rounds to even", 0.125},
		{"negative exact tie", -0.125},
		{"binary near-tie", 0.015},
		{"half", 2.5},
		{"carry into integer part", 9.995},
		{"page height", 841.89},
		{"large", 1e9},
		{"huge", -1e12},
		{"infinity", math.Inf(1)},
		{"not a number", math.NaN()},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for prec := range 7 {
				if got, want := string(appendFixed(nil, tt.v, prec)), strconv.FormatFloat(tt.v, 'f', prec, 64); got != want {
					t.Errorf("appendFixed(%v, %d) = %q, want %q", tt.v, prec, got, want)
				}
			}
		})
	}
	t.Run("page coordinates", func(t *testing.T) {
		r := rand.New(rand.NewPCG(1, 2))
		for range 200000 {
			v := []float64{(r.Float64() - 0.3) * 1000, float64(r.IntN(100000))/100 + float64(r.IntN(3))*0.005,
				float64(r.IntN(10000000)) / 1e5 * 72 / 25.4}[r.IntN(3)]
			for _, prec := range []int{2, 3, 5} {
				if got, want := string(appendFixed(nil, v, prec)), strconv.FormatFloat(v, 'f', prec, 64); got != want {
					t.Fatalf("appendFixed(%v, %d) = %q, want %q", v, prec, got, want)
				}
			}
		}
	})
}

// TestPDFFontResourceNames checks that every font a page selects is one
// the PDF defines: drawCells names fonts itself (see fpdfFontID).
func TestPDFFontResourceNames(t *testing.T) {
	res := pdfTestResult("Nguyễn 陈静 김민준 שרה", "Spring", pdfTestStory+"\nसमस्या ไทย Ελένη")
	pdf := renderPDFBytes(t, res, pdfTestOpts())
	defined := map[string]bool{}
	for _, m := range regexp.MustCompile(`/F([0-9a-f]{40}) \d+ 0 R`).FindAllSubmatch(pdf, -1) {
		defined[string(m[1])] = true
	}
	used := regexp.MustCompile(`BT /F([0-9a-f]+) [0-9.]+ Tf ET`).FindAllSubmatch(pdf, -1)
	if len(used) == 0 {
		t.Fatal("no font selected in the page content")
	}
	seen := map[string]bool{}
	for _, m := range used {
		id := string(m[1])
		if !defined[id] {
			t.Errorf("page content selects font /F%s, which the PDF does not define", id)
		}
		seen[id] = true
	}
	if len(seen) != len(defined) {
		t.Errorf("page content selects %d fonts, the PDF defines %d", len(seen), len(defined))
	}
}
