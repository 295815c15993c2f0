package evaluate

import (
	"fmt"
	"regexp"
	"testing"
)

var pseudonymRE = regexp.MustCompile(`^Candidate [0-9A-F]{6,64}$`)

func blindStoriesFixture() []Story {
	return []Story{
		{Index: 0, Ref: "c.csv::2", Name: "Zoë Hartmann", Email: "Zoe@Example.com", ID: "C1", Cohort: "A", Text: "I, Zoë Hartmann, failed.",
			Fields: []Field{{"First name", "Zoë"}, {"Last name", "Hartmann"}, {"Email", "Zoe@Example.com"}, {"Story", "I, Zoë Hartmann, failed."}, {"Cohort", "A"}}},
		{Index: 1, Ref: "c.csv::3", Name: "Ana Silva", Email: "", Text: "x"},
		{Index: 2, Ref: "c.csv::4", Name: "Ana Silva", Email: "", Text: "y"}, // same name, another person
		{Index: 3, Ref: "c.csv::5", Name: "Zoe H.", Email: "zoe@example.com ", Text: "resubmitted"},
		{Index: 4, Ref: "c.csv::6", Text: "no name at all"},
	}
}

func TestBlindReplacesNamesAndEmails(t *testing.T) {
	in := blindStoriesFixture()
	key := []byte("0123456789abcdef0123456789abcdef")
	out, mapping := Blind(in, key)
	if len(out) != len(in) || len(mapping) != len(in) {
		t.Fatalf("got %d stories and %d mappings, want %d each", len(out), len(mapping), len(in))
	}
	for i := range out {
		if !pseudonymRE.MatchString(out[i].Name) {
			t.Errorf("story %d: name %q, want a pseudonym", i, out[i].Name)
		}
		if out[i].Email != "" {
			t.Errorf("story %d: email %q, want none", i, out[i].Email)
		}
		if out[i].Text != in[i].Text || out[i].Ref != in[i].Ref || out[i].ID != in[i].ID || out[i].Index != in[i].Index {
			t.Errorf("story %d: text, ref, id or index changed", i)
		}
		want := Pseudonym{Pseudonym: out[i].Name, Name: in[i].Name, Email: in[i].Email, Ref: in[i].Ref}
		if mapping[i] != want {
			t.Errorf("mapping %d: got %+v, want %+v", i, mapping[i], want)
		}
	}
	// The input is not modified.
	if in[0].Name != "Zoë Hartmann" || in[0].Fields[0].Value != "Zoë" {
		t.Errorf("Blind modified its input: %+v", in[0])
	}
	// Same email (any case, spaces) → same pseudonym; same name on another
	// row without email → another pseudonym.
	if out[0].Name != out[3].Name {
		t.Errorf("same email: got %q and %q, want one pseudonym", out[0].Name, out[3].Name)
	}
	if out[1].Name == out[2].Name {
		t.Errorf("two people named Ana Silva on different rows share pseudonym %q", out[1].Name)
	}
	// Fields that reveal the name or email are replaced; the story cell and
	// the cohort are kept (the story is never redacted).
	got := fmt.Sprint(out[0].Fields)
	want := fmt.Sprint([]Field{{"First name", out[0].Name}, {"Last name", out[0].Name}, {"Email", out[0].Name},
		{"Story", "I, Zoë Hartmann, failed."}, {"Cohort", "A"}})
	if got != want {
		t.Errorf("fields: got %s, want %s", got, want)
	}
}

func TestBlindIsStableAndKeyed(t *testing.T) {
	key := []byte("0123456789abcdef0123456789abcdef")
	a, _ := Blind(blindStoriesFixture(), key)
	b, _ := Blind(blindStoriesFixture(), key)
	c, _ := Blind(blindStoriesFixture(), []byte("another key of at least 16 bytes"))
	for i := range a {
		if a[i].Name != b[i].Name {
			t.Errorf("story %d: %q then %q with the same key, want the same", i, a[i].Name, b[i].Name)
		}
		if a[i].Name == c[i].Name {
			t.Errorf("story %d: %q with two different keys, want different", i, a[i].Name)
		}
	}
	// A pseudonym depends on the candidate, not on the rest of the batch.
	one, _ := Blind(blindStoriesFixture()[:1], key)
	if one[0].Name != a[0].Name {
		t.Errorf("alone: %q, in the batch: %q, want the same", one[0].Name, a[0].Name)
	}
}

func TestBlindPseudonymsAreUniqueInLargeBatches(t *testing.T) {
	// 20,000 identities: with six digits (16.7M values) a few collide on
	// their first six digits; those get longer pseudonyms.
	var in []Story
	for i := range 20000 {
		in = append(in, Story{Ref: fmt.Sprintf("c.csv::%d", i+2), Email: fmt.Sprintf("p%d@example.com", i)})
	}
	out, _ := Blind(in, []byte("0123456789abcdef"))
	seen := map[string]int{}
	longer := 0
	for i, s := range out {
		if j, ok := seen[s.Name]; ok {
			t.Fatalf("rows %d and %d share pseudonym %q", j, i, s.Name)
		}
		seen[s.Name] = i
		if !pseudonymRE.MatchString(s.Name) {
			t.Fatalf("row %d: %q is not a pseudonym", i, s.Name)
		}
		if len(s.Name) > len("Candidate ")+pseudonymDigits {
			longer++
		}
	}
	if longer > 200 {
		t.Errorf("%d pseudonyms longer than %d digits, want only the few that collide", longer, pseudonymDigits)
	}
}

func TestRevealsIdentity(t *testing.T) {
	tests := []struct {
		value, name, email string
		want               bool
	}{
		{"Zoë Hartmann", "Zoë Hartmann", "", true},
		{"  zoë hartmann ", "Zoë Hartmann", "", true},
		{"Hartmann", "Zoë Hartmann", "", true},
		{"Hartmann, Zoë", "Zoë Hartmann", "", true},
		{"mailto:zoe@example.com", "", "ZOE@example.com", true},
		{"Cohort A", "Zoë Hartmann", "zoe@example.com", false},
		{"Zoë wrote this story", "Zoë Hartmann", "", false},
		{"", "Zoë Hartmann", "zoe@example.com", false},
		{"anything", "", "", false},
		{"---", "Zoë Hartmann", "", false},
	}
	for _, tt := range tests {
		if got := revealsIdentity(tt.value, tt.name, tt.email); got != tt.want {
			t.Errorf("revealsIdentity(%q, %q, %q) = %v, want %v", tt.value, tt.name, tt.email, got, tt.want)
		}
	}
}
