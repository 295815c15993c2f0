package main

import (
	"encoding/csv"
	"fmt"
	"io"
	"math/rand/v2"
	"strconv"
	"strings"
	"time"

	"github.com/xuri/excelize/v2"
)

// synthSeed seeds the synthetic cohort's generator: the same N always gives
// the same candidates, and the first N candidates of a bigger cohort are the
// same as those of a smaller one (each candidate has its own stream).
const synthSeed = 0x6661696c77656c6c // "failwell"

// synthCohort returns n synthetic candidates: varied stories composed from
// sentence templates at five quality levels (so that scores spread from
// non-answers to excellent), names in Latin (with diacritics), Greek,
// Cyrillic and CJK scripts, and submission dates in 2026.
func synthCohort(n int) []candidate {
	cands := make([]candidate, n)
	for i := range cands {
		cands[i] = synthCandidate(i)
	}
	return cands
}

// synthCandidate is the i-th synthetic candidate; it depends only on i.
func synthCandidate(i int) candidate {
	rng := rand.New(rand.NewPCG(synthSeed, uint64(i)))
	pick := func(xs []string) string { return xs[rng.IntN(len(xs))] }
	var name, email string
	switch script := rng.IntN(10); {
	case script < 5:
		first, last := pick(latinFirst), pick(latinLast)
		name = first + " " + last
		email = asciiMail(first) + "." + asciiMail(last)
	case script < 6:
		name = pick(greekFirst) + " " + pick(greekLast)
		email = "gr" + strconv.Itoa(i)
	case script < 7:
		name = pick(cyrFirst) + " " + pick(cyrLast)
		email = "ru" + strconv.Itoa(i)
	case script < 8:
		name = pick(cjkLast) + pick(cjkFirst)
		email = "cn" + strconv.Itoa(i)
	default:
		name = pick(viLast) + " " + pick(viMiddle) + " " + pick(viFirst)
		email = "vn" + strconv.Itoa(i)
	}
	email += strconv.Itoa(i%97) + "@" + pick(domains)
	day := time.Date(2026, 1, 5, 0, 0, 0, 0, time.UTC).AddDate(0, 0, rng.IntN(300))
	return candidate{
		ID:        fmt.Sprintf("S%06d", i+1),
		Name:      name,
		Email:     email,
		Cohort:    fmt.Sprintf("PM-%s-2026-%c", pick([]string{"Winter", "Spring", "Summer", "Autumn"}), 'A'+rune(rng.IntN(4))),
		Submitted: day,
		Story:     synthStory(rng),
	}
}

// asciiMail folds the few non-ASCII letters of latinFirst/latinLast for an
// e-mail local part.
func asciiMail(s string) string {
	r := strings.NewReplacer("ł", "l", "ó", "o", "ś", "s", "ć", "c", "ż", "z", "ź", "z", "ą", "a", "ę", "e", "ń", "n",
		"é", "e", "è", "e", "ü", "u", "ö", "o", "ä", "a", "ß", "ss", "ç", "c", "ñ", "n", "í", "i", "á", "a",
		"ø", "o", "å", "a", "Ł", "L", "Ś", "S", "Ż", "Z", "Ö", "O", "Ü", "U", "É", "E", "ğ", "g", "ş", "s", "ı", "i")
	return strings.ToLower(r.Replace(s))
}

var (
	latinFirst = []string{"Zoë", "Małgorzata", "José", "Søren", "Ananya", "Chiamaka", "Łukasz", "Inès", "Jürgen", "Aoife",
		"Renée", "Björn", "Tomás", "Ayşe", "François", "Lucía", "Kwame", "Priya", "Mateus", "Élodie", "Ömer", "Siobhán"}
	latinLast = []string{"Hartmann", "Wójcik", "García", "Kowalczyk", "Nørgaard", "Okafor", "Müller", "Dubois", "Şahin",
		"Fernández", "Ó Briain", "Lindqvist", "Mensah", "Iyer", "Gonçalves", "Zieliński", "Brontë", "Çelik", "Nuñez"}
	greekFirst = []string{"Γιώργος", "Ελένη", "Νίκος", "Μαρία", "Δημήτρης", "Κατερίνα", "Σοφία", "Αλέξανδρος"}
	greekLast  = []string{"Παπαδόπουλος", "Οικονόμου", "Γεωργίου", "Νικολάου", "Καραγιάννη", "Βασιλείου"}
	cyrFirst   = []string{"Анна", "Дмитрий", "Ольга", "Сергей", "Наталья", "Алексей", "Ирина", "Богдан"}
	cyrLast    = []string{"Иванова", "Смирнов", "Кузнецова", "Петренко", "Соколов", "Шевченко", "Попова"}
	cjkLast    = []string{"陈", "王", "李", "张", "刘", "佐藤", "鈴木", "김", "박", "이"}
	cjkFirst   = []string{"静", "伟", "芳", "娜", "敏", "花子", "健太", "민준", "서연", "지우"}
	viLast     = []string{"Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Vũ"}
	viMiddle   = []string{"Thị", "Văn", "Đức", "Minh", "Thu"}
	viFirst    = []string{"Anh", "Hương", "Dũng", "Thảo", "Quân", "Linh"}
	domains    = []string{"example.com", "example.org", "example.net", "mail.example"}
)

// Story material. Slots: {p} product, {u} users, {m} metric, {a} before,
// {b} after, {y} year, {w} weeks, {t} team size, {q} quarter.
var (
	products = []string{"checkout", "onboarding flow", "pricing page", "search ranking", "mobile app", "notification system",
		"referral programme", "analytics dashboard", "subscription plans", "booking experience", "seller tools",
		"recommendation feed", "self-serve billing", "help centre", "driver app", "loyalty programme", "API platform",
		"trial experience", "reporting module", "marketplace matching", "saved searches", "team invitations"}
	companies = []string{"a fintech start-up", "a grocery delivery company", "a B2B SaaS for accountants", "a travel marketplace",
		"an edtech platform", "a logistics company", "a health-insurance app", "a used-car marketplace", "a ticketing platform",
		"a language-learning app", "an HR software vendor", "a food-delivery scale-up", "a telecom operator", "a real-estate portal"}
	metrics = []string{"conversion", "weekly retention", "activation", "churn", "NPS", "average order value",
		"support tickets", "trial-to-paid conversion", "time to first value", "repeat purchases"}

	situations = [5][]string{
		{"I dont really have failures.", "Something at work did not go well once.", "There was a project."},
		{"At my last job there was a project that had some problems.", "Once our team worked on the {p} and it was late.",
			"A while ago I helped with the {p} at {c}."},
		{"In {y} I worked on the {p} at {c}.", "A few years ago I was part of the team that rebuilt the {p} at {c}.",
			"In {y} I was a product analyst supporting the {p} at {c}, with about {u} users."},
		{"In {y} I was the product manager for the {p} at {c}, with about {u} monthly users.",
			"In {y} I owned the {p} at {c}, which served {u} customers, and I led a team of {t}.",
			"Last year I was responsible for the {p} at {c}; it had {u} active users."},
		{"In {y} I led the relaunch of the {p} at {c}, a product with {u} monthly users, and I owned the roadmap for a team of {t} engineers and designers.",
			"In {q} {y} I was the product lead for the {p} at {c} ({u} paying accounts), and I owned the decision to rebuild it.",
			"Situation: in {y} I was the PM accountable for the {p} at {c}, serving {u} users, with a team of {t}."},
	}
	actions = [5][]string{
		{"", "We tried things.", "It was hard."},
		{"We decided to change the design because people asked for it.", "The team shipped a new version.",
			"My manager asked us to add more features."},
		{"We launched a redesign to improve {m}.", "I suggested we simplify the {p} and the team agreed.",
			"We added a new step to the {p} to collect more data."},
		{"I proposed removing two steps from the {p}, betting it would lift {m}, and shipped it to all users after a short review.",
			"My bet was that a cheaper entry plan would raise {m}; I designed the change and launched it without a holdout group.",
			"I pushed to ship the new {p} before the holiday peak because I believed the usability tests were enough."},
		{"Action: I framed the bet explicitly — removing the approval step would lift {m} — and I chose to launch it to everyone at once rather than to a cohort, because I was confident in our research.",
			"I made the call to replace the {p} with a rules-based version, set a target for {m}, and took the risk of skipping a staged rollout to meet the board deadline.",
			"I designed the experiment, wrote the launch plan and decided to ship it to 100% of traffic in week one; that decision was mine."},
	}
	results = [5][]string{
		{"", "It didnt work.", "People were not happy."},
		{"It did not work very well and some customers complained.", "The results were not good.",
			"In the end the project was cancelled."},
		{"{m} went down after the launch and we had to roll it back.", "The launch failed: {m} dropped and support was busy for weeks.",
			"After {w} weeks the numbers were worse than before."},
		{"It failed: {m} fell from {a}% to {b}% within {w} weeks, and we rolled it back.",
			"Result: {m} dropped from {a}% to {b}%, and support tickets doubled in {w} weeks.",
			"The change backfired — {m} went from {a}% to {b}% and I had to stop the rollout."},
		{"Result: within {w} weeks {m} fell from {a}% to {b}%, and customer interviews showed why: the step we removed was how users checked their work, so I had taken away their safety net.",
			"It failed. {m} dropped from {a}% to {b}% in {w} weeks; twelve customer calls showed that the people we optimised for were not the people who paid.",
			"The launch was a clear failure: {m} moved from {a}% to {b}% and the top segment churned, which cost us about {t}% of quarterly revenue."},
	}
	learnings = [5][]string{
		{"", "I learned a lot.", "Failure is part of life."},
		{"I learned to communicate better.", "I learned that you should always test things.",
			"The lesson was to work harder next time."},
		{"I learned that I should validate ideas with users before building them.",
			"I learned to check the data before making big changes.", "It taught me to involve engineering earlier."},
		{"I owned the miss in the review, and I learned that a usability test cannot predict a marketplace effect.",
			"I took responsibility for the rollback and learned to define the value metric before changing the product.",
			"The mistake was mine: I treated a survey as evidence of behaviour. Now I run a small cohort test first."},
		{"I owned the mistake in front of the leadership team, and the product lesson was that we had optimised a proxy metric instead of the outcome customers valued.",
			"The failure was my decision, not the team's; the lesson I took was to test the riskiest assumption with a holdout before a full launch.",
			"I told the team the miss was mine, and the lesson was about product discovery: the users who complain loudest are not always the users who churn."},
	}
	applied = [5][]string{
		{"", "", "Anyway it is fine now."},
		{"", "Next time I will try to do better.", "I think I would do it differently."},
		{"Since then I try to test ideas first.", "Now I ask more questions before starting.", ""},
		{"We relaunched in {q} with a cohort test, and {m} recovered to {c2}%.",
			"Since then I run every pricing change as a holdout test first.",
			"On my next project I ran a two-week pilot before the full launch."},
		{"We rebuilt it in {q} {y2} as an opt-in with a holdout, {m} recovered to {c2}% and stayed there, and since then I apply the same riskiest-assumption test to every launch — including the {p2} this year, which hit its target in the first month.",
			"Six months later I used the same approach on the {p2}: a 10% holdout, a pre-agreed kill criterion, and a result of +{w}% on {m}.",
			"The relaunch in {q} {y2} lifted {m} to {c2}%, and I now start each discovery cycle by writing down the bet, the metric and the kill criterion."},
	}
	// details add length and texture at every level.
	details = []string{
		"The {p} had been on the roadmap for two quarters, and sales kept asking for it in every pipeline review.",
		"Our research at the time was a survey of {t}0 customers and a handful of interviews with the largest accounts.",
		"Engineering estimated {w} weeks of work, and design had already prototyped two variants of the flow.",
		"The competition had just launched something similar, so there was real pressure from leadership to move fast.",
		"We tracked {m} on a weekly dashboard that the whole company could see, which raised the stakes.",
		"Most of our users came from small businesses, and many of them used the product only once a month.",
		"I wrote the one-page brief, ran the kickoff and set the success metric with the analytics lead.",
		"At the time I believed the problem was the number of steps, not the value people saw at the end.",
		"Customer success flagged early that the largest accounts relied on the old behaviour, but we thought it was an edge case.",
		"We had no holdout group, so for the first two weeks nobody could tell whether the drop was seasonal.",
	}
	fillers = []string{"", "", "", "Looking back, it was a turning point for me.", "It was a stressful period for everyone.",
		"The team was great throughout.", "I still think about that project.", "Our stakeholders were patient with us."}
)

// synthStory composes one story. Each part's quality is drawn around the
// candidate's overall level, so that criteria vary within a story too.
func synthStory(rng *rand.Rand) string {
	level := rng.IntN(5)
	part := func(pool [5][]string) string {
		q := min(4, max(0, level+rng.IntN(3)-1))
		return pool[q][rng.IntN(len(pool[q]))]
	}
	year := 2019 + rng.IntN(7)
	fill := map[string]string{
		"{p}":  products[rng.IntN(len(products))],
		"{p2}": products[rng.IntN(len(products))],
		"{c}":  companies[rng.IntN(len(companies))],
		"{m}":  metrics[rng.IntN(len(metrics))],
		"{u}":  strconv.Itoa(5+rng.IntN(500)) + ",000",
		"{a}":  strconv.Itoa(10 + rng.IntN(40)),
		"{b}":  strconv.Itoa(2 + rng.IntN(9)),
		"{c2}": strconv.Itoa(12 + rng.IntN(50)),
		"{y}":  strconv.Itoa(year),
		"{y2}": strconv.Itoa(year + 1),
		"{w}":  strconv.Itoa(2 + rng.IntN(10)),
		"{t}":  strconv.Itoa(3 + rng.IntN(12)),
		"{q}":  "Q" + strconv.Itoa(1+rng.IntN(4)),
	}
	var paras []string
	var cur []string
	add := func(s string) {
		if s == "" {
			return
		}
		for k, v := range fill {
			s = strings.ReplaceAll(s, k, v)
		}
		cur = append(cur, s)
	}
	add(part(situations))
	if rng.IntN(3) == 0 {
		add(fillers[rng.IntN(len(fillers))])
	}
	add(details[rng.IntN(len(details))])
	add(part(actions))
	if level >= 2 {
		add(details[rng.IntN(len(details))])
	}
	paras = append(paras, strings.Join(cur, " "))
	cur = nil
	add(part(results))
	if level >= 1 && rng.IntN(2) == 0 {
		add(details[rng.IntN(len(details))])
	}
	add(part(learnings))
	if rng.IntN(4) == 0 {
		add(fillers[rng.IntN(len(fillers))])
	}
	add(part(applied))
	if len(cur) > 0 {
		paras = append(paras, strings.Join(cur, " "))
	}
	story := strings.TrimSpace(strings.Join(paras, "\n\n"))
	if story == "" {
		story = "n/a"
	}
	return story
}

// writeSynthXLSX writes cands as a Google Forms response workbook, streamed
// so that a 100,000-row cohort is written in bounded memory.
func writeSynthXLSX(w io.Writer, cands []candidate) error {
	f, err := newFormsFile("Synthetic cohort (Responses)")
	if err != nil {
		return err
	}
	defer f.Close()
	stamp, err := f.NewStyle(&excelize.Style{CustomNumFmt: ptr("m/d/yyyy h:mm:ss")})
	if err != nil {
		return err
	}
	sw, err := f.NewStreamWriter(formsSheet)
	if err != nil {
		return err
	}
	hdr := make([]any, len(formsHeader))
	for i, h := range formsHeader {
		hdr[i] = h
	}
	if err := sw.SetRow("A1", hdr); err != nil {
		return err
	}
	for i, c := range cands {
		row := []any{excelize.Cell{StyleID: stamp, Value: submittedAt(i, c)}, c.Email, c.Name, c.Cohort, c.Story,
			roles[i%len(roles)], c.ID}
		if err := sw.SetRow("A"+strconv.Itoa(i+2), row); err != nil {
			return err
		}
	}
	if err := sw.Flush(); err != nil {
		return err
	}
	return f.Write(w)
}

// writeSynthCSV writes cands as a Google Forms CSV download (same columns as
// the workbook, timestamps as text).
func writeSynthCSV(w io.Writer, cands []candidate) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(formsHeader); err != nil {
		return err
	}
	for i, c := range cands {
		if err := cw.Write([]string{submittedAt(i, c).Format("1/2/2006 15:04:05"), c.Email, c.Name, c.Cohort,
			c.Story, roles[i%len(roles)], c.ID}); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}
