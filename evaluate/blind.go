package evaluate

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"strings"
	"unicode"
)

// Pseudonym records one blinded row: the pseudonym that replaced the row's
// name and email, and what it replaced.
type Pseudonym struct {
	// Pseudonym is "Candidate " followed by at least six upper-case hex
	// digits ("Candidate 7F3A2C").
	Pseudonym string
	// Name and Email are the row's original name and email.
	Name, Email string
	// Ref is the row's source reference (Story.Ref).
	Ref string
}

// pseudonymDigits is the usual number of hex digits of a pseudonym; more are
// used only where two different candidates would otherwise share one.
const pseudonymDigits = 6

// Blind returns copies of stories in which each candidate's name is replaced
// by a pseudonym and the email is removed, and the mapping from pseudonyms
// back to names, emails and rows (one entry per story, in input order).
// stories itself is not modified.
//
// The pseudonym is derived from HMAC-SHA256(key, identity), where the
// identity is the lower-cased email, or, for a row without one, the row
// reference and the name. The same key and the same input therefore give the
// same pseudonyms on every run, several rows with the same email share one,
// and without the key a pseudonym cannot be recomputed from a guessed name or
// email. key should be secret and at least 16 random bytes. Pseudonyms are
// six hex digits, extended only where two different identities of the batch
// would collide, so they are unique within the batch.
//
// This is pseudonymisation, not anonymisation: the mapping (and the key)
// re-identify every candidate, and the story text is left exactly as written,
// so a name the candidate wrote inside the story is not removed. The original
// cells kept for rejected rows ([Story.Fields]) are blinded too: a value equal
// to the name or the email, made only of words of the name (first- and
// last-name columns), or containing the email is replaced by the pseudonym.
// The candidate id and cohort are kept.
func Blind(stories []Story, key []byte) ([]Story, []Pseudonym) {
	ids := make([]string, len(stories))
	digests := map[string]string{} // identity → hex digest
	for i := range stories {
		ids[i] = blindIdentity(&stories[i])
		if _, ok := digests[ids[i]]; !ok {
			m := hmac.New(sha256.New, key)
			m.Write([]byte(ids[i]))
			digests[ids[i]] = strings.ToUpper(hex.EncodeToString(m.Sum(nil)))
		}
	}
	names := uniquePrefixes(digests)

	out := make([]Story, len(stories))
	mapping := make([]Pseudonym, len(stories))
	for i := range stories {
		s := stories[i]
		p := "Candidate " + names[ids[i]]
		mapping[i] = Pseudonym{Pseudonym: p, Name: s.Name, Email: s.Email, Ref: s.Ref}
		if len(s.Fields) > 0 {
			fields := make([]Field, len(s.Fields))
			for k, f := range s.Fields {
				if revealsIdentity(f.Value, s.Name, s.Email) {
					f.Value = p
				}
				fields[k] = f
			}
			s.Fields = fields
		}
		s.Name, s.Email = p, ""
		out[i] = s
	}
	return out, mapping
}

// blindIdentity is what identifies the candidate of s for pseudonyms.
func blindIdentity(s *Story) string {
	if e := strings.ToLower(strings.TrimSpace(s.Email)); e != "" {
		return "email\x00" + e
	}
	return "row\x00" + s.Ref + "\x00" + strings.TrimSpace(s.Name)
}

// uniquePrefixes maps each identity to the shortest prefix of its digest,
// of at least pseudonymDigits digits, that no other identity's digest
// shares.
func uniquePrefixes(digests map[string]string) map[string]string {
	out := make(map[string]string, len(digests))
	byPrefix := map[string][]string{}
	for id, d := range digests {
		byPrefix[d[:pseudonymDigits]] = append(byPrefix[d[:pseudonymDigits]], id)
	}
	for _, group := range byPrefix {
		n := pseudonymDigits
		for ; n < 64 && len(group) > 1 && !distinctPrefixes(group, digests, n); n += 2 {
		}
		for _, id := range group {
			out[id] = digests[id][:n]
		}
	}
	return out
}

func distinctPrefixes(ids []string, digests map[string]string, n int) bool {
	seen := make(map[string]bool, len(ids))
	for _, id := range ids {
		p := digests[id][:n]
		if seen[p] {
			return false
		}
		seen[p] = true
	}
	return true
}

// revealsIdentity reports whether an original cell value shows the
// candidate's name or email.
func revealsIdentity(v, name, email string) bool {
	v = strings.TrimSpace(v)
	if v == "" {
		return false
	}
	lv := strings.ToLower(v)
	if e := strings.ToLower(strings.TrimSpace(email)); e != "" && strings.Contains(lv, e) {
		return true
	}
	ln := strings.ToLower(strings.TrimSpace(name))
	if ln == "" {
		return false
	}
	if lv == ln {
		return true
	}
	// A first-name or last-name column: every word of the value is a word
	// of the name.
	nameWords := strings.FieldsFunc(ln, notLetterOrDigit)
	words := strings.FieldsFunc(lv, notLetterOrDigit)
	if len(words) == 0 {
		return false
	}
	for _, w := range words {
		found := false
		for _, nw := range nameWords {
			if w == nw {
				found = true
				break
			}
		}
		if !found {
			return false
		}
	}
	return true
}

func notLetterOrDigit(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) }
