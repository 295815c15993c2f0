package ingest

import (
	"slices"
	"strings"
	"unicode"
)

// normalize lower-cases s and turns every run of characters that are not
// letters or digits into one space: "E-mail Address:" → "e mail address".
func normalize(s string) string {
	var b strings.Builder
	space := false
	for _, r := range s {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			if space && b.Len() > 0 {
				b.WriteByte(' ')
			}
			space = false
			b.WriteRune(unicode.ToLower(r))
		} else {
			space = true
		}
	}
	return b.String()
}

// Header synonyms, as normalized keys with the spaces removed.
var (
	storyKeys = []string{"story", "yourstory", "failurestory", "answer", "youranswer",
		"response", "yourresponse", "essay", "youressay"}
	nameKeys = []string{"name", "fullname", "yourname", "yourfullname", "candidate",
		"candidatename", "student", "studentname", "applicant", "applicantname",
		"participant", "participantname", "firstandlastname", "nameandsurname"}
	firstNameKeys = []string{"firstname", "givenname", "forename", "first"}
	lastNameKeys  = []string{"lastname", "surname", "familyname", "last"}
	emailKeys     = []string{"email", "emailaddress", "youremail", "youremailaddress", "mail"}
	idKeys        = []string{"id", "candidateid", "studentid", "applicantid", "participantid",
		"applicationid", "candidatenumber", "studentnumber", "candidateno", "studentno"}
	cohortKeys = []string{"cohort", "cohortname", "group", "groupname", "class",
		"classname", "section", "intake"}
	submittedKeys = []string{"timestamp", "submitted", "submittedat", "submittedon",
		"datesubmitted", "submitdate", "submissiondate", "submissiontime", "submittime",
		"date", "completed", "completedat", "completiontime", "completiondate", "enddate", "endtime",
		"recordeddate"} // Microsoft Forms, SurveyMonkey and Qualtrics name the end of a response
)

// Pseudo-fields for a name split over two columns.
const (
	fieldFirstName = "first name"
	fieldLastName  = "last name"
)

// maxHeaderBytes: a cell longer than this is text, not a header.
const maxHeaderBytes = 500

// classify returns the field a header names and how specific the match is
// (higher is better), or "", 0.
func classify(header string) (string, int) {
	if len(header) > maxHeaderBytes {
		return "", 0
	}
	norm := normalize(header)
	if norm == "" {
		return "", 0
	}
	words := strings.Fields(norm)
	// "Submit Date (UTC)", "Timestamp GMT": drop a trailing time zone word.
	if n := len(words); n > 1 && (words[n-1] == "utc" || words[n-1] == "gmt") {
		words = words[:n-1]
	}
	key := strings.Join(words, "")
	switch {
	case slices.Contains(words, "failure") || slices.Contains(words, "failures"):
		return FieldStory, 100
	case (slices.Contains(words, "failed") || slices.Contains(words, "fail") || slices.Contains(words, "failing")) &&
		len(words) >= 4 && !slices.Contains(words, "pass"):
		// A question ("Tell us about a time you failed"), not a
		// "Pass/Fail" grade column.
		return FieldStory, 95
	case slices.Contains(storyKeys, key):
		return FieldStory, 90
	case slices.Contains(nameKeys, key):
		return FieldName, 100
	case slices.Contains(emailKeys, key):
		return FieldEmail, 100
	case slices.Contains(idKeys, key):
		return FieldID, 100
	case slices.Contains(cohortKeys, key):
		return FieldCohort, 100
	case slices.Contains(submittedKeys, key):
		return FieldSubmitted, 100
	case slices.Contains(firstNameKeys, key):
		return fieldFirstName, 100
	case slices.Contains(lastNameKeys, key):
		return fieldLastName, 100
	case slices.Contains(words, "story"):
		return FieldStory, 80
	}
	// Looser matches for question-style headers ("What's your email?").
	if len(words) > 8 {
		return "", 0
	}
	has := func(ws ...string) bool {
		return slices.ContainsFunc(ws, func(w string) bool { return slices.Contains(words, w) })
	}
	switch {
	case has("email") || strings.Contains(key, "emailaddress"):
		return FieldEmail, 60
	case has("cohort"):
		return FieldCohort, 60
	case has("candidate", "student", "applicant", "participant") && has("id", "number", "no"):
		return FieldID, 60
	case has("timestamp", "submitted", "submission") && !has("start", "started", "id"):
		return FieldSubmitted, 60
	case has("name") && has("first", "given"):
		return fieldFirstName, 60
	case has("name") && has("last", "family") || has("surname"):
		return fieldLastName, 60
	case has("name") && !has("user", "username", "company", "file", "school", "university", "manager",
		"team", "project", "product", "organisation", "organization", "employer", "business", "sheet"):
		return FieldName, 60
	}
	return "", 0
}

// columns maps each field to a 0-based column index (-1 when absent).
type columns struct {
	idx map[string]int
}

func (c columns) get(field string) int {
	if i, ok := c.idx[field]; ok {
		return i
	}
	return -1
}

// findColumns maps the fields to columns of the header row. Overrides win;
// otherwise each field takes the column with the most specific match,
// leftmost on ties. It returns the override fields that name no header.
func findColumns(header []string, overrides map[string]string) (columns, []string) {
	c := columns{idx: map[string]int{}}
	var missing []string
	claimed := map[int]bool{}
	for _, f := range fieldNames {
		want, ok := overrides[f]
		if !ok {
			continue
		}
		wn := normalize(want)
		i := slices.IndexFunc(header, func(h string) bool { return normalize(h) == wn })
		if i < 0 {
			missing = append(missing, f)
			continue
		}
		c.idx[f] = i
		claimed[i] = true
	}
	best := map[string]int{}
	for i, h := range header {
		if claimed[i] {
			continue
		}
		f, score := classify(h)
		if f == "" {
			continue
		}
		if _, over := overrides[f]; over {
			continue
		}
		if f == fieldFirstName || f == fieldLastName {
			if _, over := overrides[FieldName]; over {
				continue
			}
		}
		if score > best[f] {
			best[f] = score
			c.idx[f] = i
		}
	}
	return c, missing
}
