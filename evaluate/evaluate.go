// Package evaluate is the domain core of failwell: the rubric, the text
// analysis that finds evidence in a story, the scorer that turns evidence into
// criterion levels and a weighted total, and the concurrent batch engine.
//
// It performs no I/O: it reads no files, no environment and no clock. Stories
// come in as values from package ingest; results go out as values to package
// report. The rubric arrives already parsed (package config decodes YAML into
// a [Rubric]); [New] compiles it once and the compiled scorer is then safe for
// concurrent use.
package evaluate

import (
	"time"
)

// Story is one candidate's submission: one row of a cohort spreadsheet.
type Story struct {
	// Index is the 0-based position of the row in the whole batch (all inputs
	// concatenated, blank rows excluded). Results keep this order.
	Index int
	// Ref names the source row, "file:sheet:row" with a 1-based row number
	// ("cohort.xlsx:Form Responses 1:12"); for CSV the sheet part is empty
	// ("cohort.csv::12").
	Ref string
	// ID is the candidate id from the sheet, or empty.
	ID string
	// Name, Email and Cohort are as written in the sheet (trimmed).
	Name, Email, Cohort string
	// Submitted is the submission date; the zero time means the row had none
	// and the batch's reference date ([Options.AsOf]) is used for recency.
	Submitted time.Time
	// Text is the story itself, as the candidate wrote it. Evidence offsets
	// are byte offsets into Text.
	Text string
	// Fields holds the row's original cells, header and value, in column
	// order, so that a rejected row can be shown as it was.
	Fields []Field
	// Reject, when non-nil, is why the row cannot be scored (usually an
	// *ingest.RowError with a position). Rejected stories pass through
	// [Run] unscored, with Result.Err set to Reject.
	Reject error
}

// Field is one original cell of a row.
type Field struct {
	Header string // the column header as written in the sheet
	Value  string // the cell's text
}

// Evidence is one span of the story that raised or lowered a criterion.
type Evidence struct {
	// Quote is the text of the span (usually a whole sentence), Text[Start:End].
	Quote string
	// Start and End are byte offsets into Story.Text, 0 <= Start < End <= len(Text).
	Start, End int
	// Signal is the id of the rubric signal that matched.
	Signal string
	// Effect is the signal's contribution to the criterion's raw score:
	// positive raised it, negative lowered it.
	Effect float64
	// Note is a short human explanation ("names a metric: 18% churn").
	Note string
}

// Score is the outcome of one criterion for one story.
type Score struct {
	ID     string  // criterion id, e.g. "scope"
	Name   string  // criterion display name, e.g. "Scope & responsibility"
	Weight float64 // the criterion's weight in the total (rubric units, > 0)
	// Level is 0..4.
	Level int
	// Raw is the criterion's raw signal score before it was cut into a level.
	Raw float64
	// Descriptor is the rubric's description of Level.
	Descriptor string
	// Evidence lists the spans that raised or lowered the level, in text order.
	Evidence []Evidence
	// Feedback is specific, actionable feedback that cites the evidence.
	Feedback string
	// NextStep is the one concrete thing to do to reach the next level
	// (empty at level 4).
	NextStep string
}

// Flag marks a story for human review: the scorer is not confident its score
// means what it usually means.
type Flag struct {
	// Code is a stable machine-readable id: "too-short", "too-long",
	// "not-english", "placeholder", "off-topic", "repeated-text",
	// "keyword-stuffing", "near-duplicate", "grader-directed", ...
	Code string
	// Message explains the flag to a human, naming rows and quotes.
	Message string
}

// Result is the outcome for one story. Exactly one of Err and Scores is set.
type Result struct {
	Story Story
	// Ref is the reference date recency was measured from: Story.Submitted,
	// or the batch's as-of date when the row had none.
	Ref time.Time
	// Words is the story's word count.
	Words int
	// Scores holds one score per rubric criterion, in rubric order.
	Scores []Score
	// Total is the weighted total, 0..100, rounded to one decimal.
	Total float64
	// Band is the name of the rubric band Total falls in ("Strong", ...).
	Band string
	// Flags are review flags, sorted by Code; empty when none.
	Flags []Flag
	// Strength is one sentence naming the story's top strength.
	Strength string
	// Change is the one change that would raise the total most.
	Change string
	// Err is why the story was not scored: the ingest rejection, or a
	// scoring failure (including a recovered panic).
	Err error
}

// Scored reports whether r holds scores (Err is nil).
func (r *Result) Scored() bool { return r.Err == nil }

// Flagged reports whether r has review flags.
func (r *Result) Flagged() bool { return len(r.Flags) > 0 }
