package ingest

import (
	"testing"
)

func TestClassify(t *testing.T) {
	tests := []struct {
		header string
		field  string
	}{
		{"Tell me about your biggest failure", FieldStory},
		{"Tell us about a time you FAILED.", FieldStory},
		{"Story", FieldStory},
		{"Pass/Fail", ""},
		{"Failed", ""},
		{"  ANSWER: ", FieldStory},
		{"Response", FieldStory},
		{"Your story (max 500 words)", FieldStory},
		{"Response Type", ""},
		{"Response ID", ""},
		{"Network ID", ""},
		{"#", ""},
		{"Timestamp", FieldSubmitted},
		{"Submitted At", FieldSubmitted},
		{"Submit Date (UTC)", FieldSubmitted},
		{"Start Date (UTC)", ""},
		{"Completion time", FieldSubmitted},
		{"End Date", FieldSubmitted},
		{"RecordedDate", FieldSubmitted},
		{"Start time", ""},
		{"Date", FieldSubmitted},
		{"Email Address", FieldEmail},
		{"E-mail", FieldEmail},
		{"What's your email?", FieldEmail},
		{"Full name", FieldName},
		{"Candidate", FieldName},
		{"Student", FieldName},
		{"Applicant", FieldName},
		{"What is your name?", FieldName},
		{"Company name", ""},
		{"First Name", fieldFirstName},
		{"Surname", fieldLastName},
		{"Last name", fieldLastName},
		{"ID", FieldID},
		{"Candidate ID", FieldID},
		{"Student-ID", FieldID},
		{"Cohort", FieldCohort},
		{"Group", FieldCohort},
		{"Class", FieldCohort},
		{"Section", FieldCohort},
		{"Notes", ""},
		{"", ""},
	}
	for _, tt := range tests {
		t.Run(tt.header, func(t *testing.T) {
			got, _ := classify(tt.header)
			if got != tt.field {
				t.Errorf("classify(%q) = %q, want %q", tt.header, got, tt.field)
			}
		})
	}
}

func TestFindColumns(t *testing.T) {
	tests := []struct {
		name      string
		header    []string
		overrides map[string]string
		want      map[string]int
		missing   []string
	}{
		{
			name:   "google forms",
			header: []string{"Timestamp", "Email Address", "Full name", "Candidate ID", "Cohort", "Tell me about your biggest failure"},
			want:   map[string]int{FieldSubmitted: 0, FieldEmail: 1, FieldName: 2, FieldID: 3, FieldCohort: 4, FieldStory: 5},
		},
		{
			name:   "typeform",
			header: []string{"#", "Full name", "Email", "Cohort", "Candidate ID", "Tell us about your biggest failure", "Response Type", "Start Date (UTC)", "Submitted At", "Network ID"},
			want:   map[string]int{FieldName: 1, FieldEmail: 2, FieldCohort: 3, FieldID: 4, FieldStory: 5, FieldSubmitted: 8},
		},
		{
			name:   "specific story header beats generic",
			header: []string{"Response", "Tell me about your biggest failure"},
			want:   map[string]int{FieldStory: 1},
		},
		{
			name:   "duplicate headers: leftmost",
			header: []string{"Story", "Name", "Story", "Name"},
			want:   map[string]int{FieldStory: 0, FieldName: 1},
		},
		{
			name:   "first and last name",
			header: []string{"First name", "Last name", "Answer"},
			want:   map[string]int{fieldFirstName: 0, fieldLastName: 1, FieldStory: 2},
		},
		{
			name:      "override",
			header:    []string{"Essay text", "Who", "When"},
			overrides: map[string]string{"story": "essay TEXT", "name": "who"},
			want:      map[string]int{FieldStory: 0, FieldName: 1},
		},
		{
			name:      "override missing",
			header:    []string{"Story"},
			overrides: map[string]string{"name": "Who"},
			want:      map[string]int{FieldStory: 0},
			missing:   []string{"name"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cols, missing := findColumns(tt.header, tt.overrides)
			for f, want := range tt.want {
				if got := cols.get(f); got != want {
					t.Errorf("column of %s = %d, want %d", f, got, want)
				}
			}
			if len(cols.idx) != len(tt.want) {
				t.Errorf("got columns %v, want %v", cols.idx, tt.want)
			}
			if len(missing) != len(tt.missing) {
				t.Errorf("missing = %v, want %v", missing, tt.missing)
			}
		})
	}
}
