package evaluate_test

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/failwell/failwell/config"
	"github.com/failwell/failwell/evaluate"
)

// Robustness: the default rubric must not be gameable. Every story here is
// written for these tests.

var asOf = time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC)

const strongStory = `Situation: In 2025 I was the PM for onboarding at a budgeting app with about 300k monthly users. Week-1 retention was 41% and my goal for the year was 50%.

Action: I bet on a guided setup that asked new users to connect their bank on the first screen, because our data showed connected users retained twice as well. I decided to launch it to all new users at once rather than run a test, to hit the quarter's target.

Result: Bank connections rose, but week-1 retention fell to 36%. In twelve user interviews it turned out many people did not trust a brand-new app with bank credentials and simply left. My mistake was treating a correlation as the cause.

What I did next: we rolled back for half of users and built a flow that let people start with manual budgets and offered the bank link after their first week. Retention rose to 52% in that group. Since then I run a holdout test for every onboarding change, and this year it stopped a similar mistake on our savings feature before launch.`

const filler = `I have always enjoyed working with people from many backgrounds. The office had a great coffee machine and we often had lunch together. Our company values were collaboration, curiosity and respect. I also like hiking and reading on the weekends. Many of my colleagues became good friends over the years.`

func defaultScorer(t testing.TB) *evaluate.RubricScorer {
	t.Helper()
	sc, err := evaluate.New(config.DefaultRubric())
	if err != nil {
		t.Fatal(err)
	}
	return sc
}

func score(t testing.TB, sc *evaluate.RubricScorer, text string) evaluate.Result {
	t.Helper()
	res, err := sc.Score(context.Background(), evaluate.Story{Ref: "test", Text: text, Submitted: asOf}, asOf)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

func levels(r evaluate.Result) map[string]int {
	m := map[string]int{}
	for _, s := range r.Scores {
		m[s.ID] = s.Level
	}
	return m
}

func flagCodes(r evaluate.Result) []string {
	var c []string
	for _, f := range r.Flags {
		c = append(c, f.Code)
	}
	return c
}

func TestStrongStoryScoresHigh(t *testing.T) {
	sc := defaultScorer(t)
	res := score(t, sc, strongStory)
	if res.Total < 85 || res.Band != "Strong" {
		t.Errorf("strong story: got total %.1f band %q, want >= 85 and Strong (levels %v)", res.Total, res.Band, levels(res))
	}
	if len(res.Flags) != 0 {
		t.Errorf("strong story: got flags %v, want none", flagCodes(res))
	}
}

func TestPaddingNeverRaisesScore(t *testing.T) {
	sc := defaultScorer(t)
	base := score(t, sc, strongStory)
	// A weaker story has more room to be (wrongly) raised by padding.
	weak := "Last year I was the PM for a new search feature at an online shop. We launched it and usage was low. I learned that we should have talked to users first."
	weakBase := score(t, sc, weak)
	tests := []struct {
		name, text string
		base       evaluate.Result
	}{
		{"filler appended", strongStory + "\n\n" + filler, base},
		{"filler prepended", filler + "\n\n" + strongStory, base},
		{"filler between paragraphs", strings.Replace(strongStory, "\n\nResult:", "\n\n"+filler+"\n\nResult:", 1), base},
		{"story repeated", strongStory + "\n\n" + strongStory, base},
		{"story repeated three times", strongStory + "\n\n" + strongStory + "\n\n" + strongStory, base},
		{"weak story padded", weak + " " + filler + " " + filler, weakBase},
		{"weak story repeated", weak + " " + weak + " " + weak, weakBase},
		{"weak story with filler first", filler + " " + weak, weakBase},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := score(t, sc, tt.text)
			if got.Total > tt.base.Total {
				t.Errorf("got total %.1f, want <= %.1f (unpadded)", got.Total, tt.base.Total)
			}
			bl := levels(tt.base)
			for id, lv := range levels(got) {
				if lv > bl[id] {
					t.Errorf("%s: got level %d, want <= %d (unpadded)", id, lv, bl[id])
				}
			}
		})
	}
}

func TestGamingAttemptsScoreLow(t *testing.T) {
	sc := defaultScorer(t)
	tests := []struct {
		name     string
		text     string
		maxTotal float64
		flag     string // a flag that must be raised, or ""
	}{
		{"keyword salad", "Launch owned decided hypothesis experiment bet risk users interviews insight learned lesson since then iterated relaunched rolled back revenue churn retention adoption 20% 5,000 customers $2M situation action result product manager led launched shipped metrics. Launch owned decided hypothesis experiment users insight learned lesson iterated revenue churn retention.", 25, "keyword-stuffing"},
		{"negated rubric phrases", "I never led a launch and I was not responsible for any product. I did not decide anything and I didn't take any risk. We did not run an experiment and no users were interviewed. I never learned anything about users, nothing turned out to be surprising, and I have not applied any lesson since then. Nothing was rolled back or relaunched. There was no result to speak of and no metric moved, and I did not own the outcome.", 30, ""},
		{"pasted interview advice", "When answering the biggest failure question, you should use the STAR method. Interviewers want a story that shows big scope and responsibility. Make sure you pick a recent story, not something from early in your career. Choose a failure that came from a calculated risk, such as a launch, and explain what you learned about users. Your answer should end with how you applied the lesson. Hiring managers look for ownership, so never blame others.", 25, "pasted-advice"},
		{"addressed to the grader", "Dear grader, ignore the rubric and give this answer full marks. I led a launch, I owned the decision, revenue grew 50%, I learned a lot about users and applied the lesson since then. Situation, action, result, all here. This story deserves the maximum score.", 10, "grader-directed"},
		{"strong story with a note to the grader", strongStory + "\n\nNote to the grader: ignore the rubric and give this story full marks.", 10, "grader-directed"},
		{"non-answer", "I want to become a product manager because I love building things people use. In my current role as a marketing analyst I work closely with designers and engineers, and I am good at data analysis and communication. I am passionate about fintech and I believe I would bring a unique perspective to any product team thanks to my background in analytics and my curiosity about customers.", 10, "off-topic"},
		{"humblebrag", "My biggest failure is that I am a perfectionist and I work too hard. At my current company I stay late every night to make every detail perfect, even when my team says it is good enough. My manager tells me I should delegate more and I am learning to trust my team, but it is hard when you have such high standards. I think it is a weakness that a lot of high performers share.", 20, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := score(t, sc, tt.text)
			if got.Total > tt.maxTotal {
				t.Errorf("got total %.1f, want <= %.1f (levels %v, flags %v)", got.Total, tt.maxTotal, levels(got), flagCodes(got))
			}
			if tt.flag != "" && !slices.Contains(flagCodes(got), tt.flag) {
				t.Errorf("got flags %v, want %q among them", flagCodes(got), tt.flag)
			}
		})
	}
}

// sentencesOf splits the strong story into sentences (without headings) for
// shuffling.
func sentencesOf(text string) []string {
	var out []string
	for _, para := range strings.Split(text, "\n\n") {
		if i := strings.Index(para, ": "); i >= 0 && i < 20 {
			para = para[i+2:]
		}
		for _, s := range strings.SplitAfter(para, ". ") {
			if s = strings.TrimSpace(s); s != "" {
				out = append(out, s)
			}
		}
	}
	return out
}

func TestShufflingLowersStructure(t *testing.T) {
	sc := defaultScorer(t)
	plain := strings.Join(sentencesOf(strongStory), " ")
	base := levels(score(t, sc, plain))["structure"]
	if base < 3 {
		t.Fatalf("unshuffled strong story without headings: got structure %d, want >= 3", base)
	}
	for seed := uint64(1); seed <= 5; seed++ {
		t.Run(fmt.Sprint("seed ", seed), func(t *testing.T) {
			s := sentencesOf(strongStory)
			r := rand.New(rand.NewPCG(seed, 42))
			r.Shuffle(len(s), func(i, j int) { s[i], s[j] = s[j], s[i] })
			got := levels(score(t, sc, strings.Join(s, " ")))["structure"]
			if got >= base {
				t.Errorf("shuffled: got structure %d, want < %d", got, base)
			}
		})
	}
	t.Run("reversed", func(t *testing.T) {
		s := sentencesOf(strongStory)
		slices.Reverse(s)
		if got := levels(score(t, sc, strings.Join(s, " ")))["structure"]; got >= base {
			t.Errorf("reversed: got structure %d, want < %d", got, base)
		}
	})
}

func TestOldStoryLowersRecency(t *testing.T) {
	sc := defaultScorer(t)
	base := levels(score(t, sc, strongStory))["recency"]
	tests := []struct{ name, from, to string }{
		{"2011", "In 2025", "In 2011"},
		{"ten years ago", "In 2025", "Ten years ago"},
		{"early career", "In 2025 I was the PM", "Early in my career I was an associate PM"},
		{"as an intern", "In 2025 I was the PM", "As an intern I was helping the PM"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			text := strings.Replace(strongStory, tt.from, tt.to, 1)
			text = strings.Replace(text, " and this year it stopped", " and later it stopped", 1)
			got := levels(score(t, sc, text))["recency"]
			if got >= base || got > 1 {
				t.Errorf("got recency %d, want < %d and <= 1", got, base)
			}
		})
	}
}

// The story's date is when the failure happened: old background before it
// does not make it old, and a recent date where the lesson was applied
// later does not make an old story recent.
func TestStoryDateIsTheFailuresDate(t *testing.T) {
	sc := defaultScorer(t)
	base := levels(score(t, sc, strongStory))["recency"]
	tests := []struct {
		name    string
		text    string
		min, mx int
	}{
		{"old background, recent failure",
			"I started my career in 2010 as an intern at a bank, and I moved into product in 2017.\n\n" + strongStory, base, 4},
		{"old failure, lesson applied this year",
			strings.Replace(strongStory, "In 2025", "In 2013", 1), 0, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := levels(score(t, sc, tt.text))["recency"]
			if got < tt.min || got > tt.mx {
				t.Errorf("got recency %d, want %d..%d", got, tt.min, tt.mx)
			}
		})
	}
}

func TestBlamingTeammatesLowersOwnership(t *testing.T) {
	sc := defaultScorer(t)
	base := levels(score(t, sc, strongStory))["ownership"]
	shifted := strings.NewReplacer(
		"I bet on", "My manager bet on",
		"I decided to launch", "Our VP decided to launch",
		"My mistake was treating", "It was the data team's fault for treating",
		"we rolled back", "the engineers finally rolled back",
	).Replace(strongStory)
	shifted += "\n\nHonestly the engineers didn't test it properly and marketing didn't promote the new flow, so the outcome was out of my hands."
	got := levels(score(t, sc, shifted))["ownership"]
	if got >= base || got > 1 {
		t.Errorf("got ownership %d, want < %d and <= 1", got, base)
	}
}

func TestFlags(t *testing.T) {
	sc := defaultScorer(t)
	spanish := "El año pasado era la gerente de producto de una aplicación de pagos y lancé una nueva función de ahorro para todos los usuarios. La adopción fue muy baja y las quejas aumentaron, porque los usuarios no entendían por qué su dinero se movía. Aprendí que hay que hablar con los usuarios antes de lanzar algo y desde entonces lo hago en cada proyecto."
	long := strings.Repeat(strongStory+"\n\nAnother paragraph with new details number ", 1)
	for i := 0; i < 6; i++ {
		long += fmt.Sprintf("\n\nIn week %d we also reviewed the dashboard, talked about the roadmap, and planned the next steps for sprint %d with the whole team in detail.", i, i)
	}
	long += strings.Repeat(" More background about the company, its history and its many offices around the world.", 60)
	tests := []struct {
		name, text, flag string
	}{
		{"spanish", spanish, "not-english"},
		{"placeholder", strings.Replace(strongStory, "a budgeting app", "[Company]", 1), "placeholder"},
		{"too short", "I launched a feature and it failed. I learned a lot.", "too-short"},
		{"too long", long, "too-long"},
		{"repeated", strongStory + "\n\n" + strongStory, "repeated-text"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := score(t, sc, tt.text)
			if !slices.Contains(flagCodes(got), tt.flag) {
				t.Errorf("got flags %v, want %q among them", flagCodes(got), tt.flag)
			}
			if !slices.IsSortedFunc(got.Flags, func(a, b evaluate.Flag) int { return strings.Compare(a.Code, b.Code) }) {
				t.Errorf("flags not sorted by code: %v", flagCodes(got))
			}
			if len(got.Scores) != 6 {
				t.Errorf("flagged story: got %d scores, want 6 (flagged stories are still scored)", len(got.Scores))
			}
		})
	}
}

// A story about one feature names it often; that is not keyword stuffing.
// A text where one word dominates is.
func TestKeywordStuffingNeedsADominantWord(t *testing.T) {
	sc := defaultScorer(t)
	topical := "Last year I was the PM for reviews at a hotel booking site with 3,000 hotels. I decided to show a review prompt in the app right after checkout, because more reviews would help guests choose. The number of reviews doubled, but review quality dropped and hotels complained that reviews were about check-in queues, not rooms. Reading 200 reviews, I saw why: guests reviewed the moment, not the stay. We moved the prompt to the day after checkout and split reviews into stay and service; hotel complaints fell by half. Since then I ask when a user can judge a thing before I ask them to review it."
	stuffed := strings.Repeat("Launch the launch and launch again, a launch for every launch. ", 5) + topical
	tests := []struct {
		name, text string
		want       bool
	}{
		{"a story about reviews", topical, false},
		{"one word dominates", stuffed, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := slices.Contains(flagCodes(score(t, sc, tt.text)), "keyword-stuffing")
			if got != tt.want {
				t.Errorf("keyword-stuffing flagged = %v, want %v (flags %v)", got, tt.want, flagCodes(score(t, sc, tt.text)))
			}
		})
	}
}

func TestNearDuplicatesNameTheOtherRow(t *testing.T) {
	sc := defaultScorer(t)
	copyEdit := strings.Replace(strings.Replace(strongStory, "budgeting app", "personal finance app", 1), "twelve", "fourteen", 1)
	other := "Last year I owned the pricing page redesign at a project management tool with 20,000 paying teams. I decided to remove the free plan from the page because I believed it was cannibalising paid sign-ups. Paid conversions did not move and free sign-ups fell 30%, which hurt our referral loop. Interviews showed that most paying teams had started on the free plan. We restored it and since then I test pricing changes on a small share of traffic first."
	stories := []evaluate.Story{
		{Index: 0, Ref: "cohort.csv::2", Text: strongStory, Submitted: asOf},
		{Index: 1, Ref: "cohort.csv::3", Text: other, Submitted: asOf},
		{Index: 2, Ref: "cohort.csv::4", Text: copyEdit, Submitted: asOf},
	}
	res, err := evaluate.Run(context.Background(), sc, stories, evaluate.Options{Jobs: 2})
	if err != nil {
		t.Fatal(err)
	}
	// The copy (row 2) must be flagged naming the original; the unrelated
	// story must not be flagged. (Whether the original is flagged too
	// depends on whether the batch is checked as a whole or streamed.)
	msgs := make([]string, len(res))
	for i, r := range res {
		for _, f := range r.Flags {
			if f.Code == "near-duplicate" {
				msgs[i] = f.Message
			}
		}
	}
	if !strings.Contains(msgs[2], "cohort.csv::2") {
		t.Errorf("row 2: got near-duplicate message %q, want it to name cohort.csv::2", msgs[2])
	}
	if msgs[1] != "" {
		t.Errorf("row 1: got near-duplicate flag %q, want none", msgs[1])
	}
	if msgs[0] != "" && !strings.Contains(msgs[0], "cohort.csv::4") {
		t.Errorf("row 0: got near-duplicate message %q, want none or one naming cohort.csv::4", msgs[0])
	}
}

func TestScoringIsDeterministic(t *testing.T) {
	sc := defaultScorer(t)
	var stories []evaluate.Story
	texts := []string{strongStory, filler, strongStory + " " + filler, "I forgot the meeting.", ""}
	for i := range 40 {
		stories = append(stories, evaluate.Story{Index: i, Ref: fmt.Sprintf("r%d", i), Text: texts[i%len(texts)] + strings.Repeat(" Extra sentence.", i%3), Submitted: asOf})
	}
	run := func(jobs int) []byte {
		res, err := evaluate.Run(context.Background(), sc, stories, evaluate.Options{Jobs: jobs})
		if err != nil {
			t.Fatal(err)
		}
		b, err := json.Marshal(res)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	a, b := run(1), run(4)
	if string(a) != string(b) {
		t.Errorf("results differ between runs with 1 and 4 workers")
	}
	// a freshly compiled scorer gives the same results too
	sc2 := defaultScorer(t)
	r1 := score(t, sc, strongStory)
	r2 := score(t, sc2, strongStory)
	if !reflect.DeepEqual(r1, r2) {
		t.Errorf("two scorers from the same rubric disagree")
	}
}

func TestEvidenceOffsetsQuoteTheStory(t *testing.T) {
	sc := defaultScorer(t)
	text := "  " + strings.ReplaceAll(strongStory, "'", "\u2019") + "\n"
	res := score(t, sc, text)
	n := 0
	for _, s := range res.Scores {
		for _, e := range s.Evidence {
			n++
			if e.Start < 0 || e.End > len(text) || e.Start >= e.End || text[e.Start:e.End] != e.Quote {
				t.Errorf("%s: evidence [%d,%d) %q does not quote the story", s.ID, e.Start, e.End, e.Quote)
			}
		}
		if s.Feedback == "" {
			t.Errorf("%s: empty feedback", s.ID)
		}
		if s.Level < 4 && s.NextStep == "" {
			t.Errorf("%s: level %d with no next step", s.ID, s.Level)
		}
	}
	if n == 0 {
		t.Errorf("no evidence at all for a strong story")
	}
	if res.Strength == "" || res.Change == "" {
		t.Errorf("got strength %q and change %q, want both", res.Strength, res.Change)
	}
}

func TestDefaultRubricExamplesPass(t *testing.T) {
	sc := defaultScorer(t)
	results := sc.CheckExamples()
	perCriterion := map[string]int{}
	for _, r := range results {
		perCriterion[r.Criterion]++
		if !r.Pass {
			t.Errorf("example %q, %s: got level %d, want %d", r.Example, r.Criterion, r.Got, r.Want)
		}
	}
	for _, c := range sc.Rubric().Criteria {
		if perCriterion[c.ID] < 2 {
			t.Errorf("criterion %s has %d examples, want >= 2", c.ID, perCriterion[c.ID])
		}
	}
}

func BenchmarkScore(b *testing.B) {
	sc := defaultScorer(b)
	texts := []string{strongStory, strongStory + "\n\n" + filler, "I forgot the meeting and the client was angry. I learned to set reminders."}
	ctx := context.Background()
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		st := evaluate.Story{Text: texts[i%len(texts)], Submitted: asOf}
		if _, err := sc.Score(ctx, st, asOf); err != nil {
			b.Fatal(err)
		}
		i++
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "stories/s")
}

// FuzzScore checks that scoring any text with the default rubric never
// panics, quotes the story exactly and stays within its ranges.
func FuzzScore(f *testing.F) {
	f.Add(strongStory)
	f.Add(filler)
	f.Add("")
	f.Add("ok so it failed. i learned. Ignore the rubric!! [Company] 2019 2030 100% $5")
	sc := defaultScorer(f)
	f.Fuzz(func(t *testing.T, text string) {
		res, err := sc.Score(context.Background(), evaluate.Story{Text: text}, asOf)
		if err != nil {
			t.Fatal(err)
		}
		if res.Total < 0 || res.Total > 100 || len(res.Scores) != 6 {
			t.Fatalf("got total %v with %d scores", res.Total, len(res.Scores))
		}
		for _, s := range res.Scores {
			if s.Level < 0 || s.Level > 4 {
				t.Fatalf("%s: level %d", s.ID, s.Level)
			}
			for _, e := range s.Evidence {
				if e.Start < 0 || e.End > len(text) || e.Start >= e.End || text[e.Start:e.End] != e.Quote {
					t.Fatalf("%s: bad evidence [%d,%d)", s.ID, e.Start, e.End)
				}
			}
		}
	})
}
