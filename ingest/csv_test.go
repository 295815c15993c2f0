package ingest

import (
	"errors"
	"strings"
	"testing"

	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/unicode"
)

const formsCSV = `Timestamp,Email Address,Full name,Candidate ID,Cohort,Tell me about your biggest failure
9/21/2026 14:03:11,ada@example.com,Ada Lovelace,C1,A,"I shipped late.
I learned to pilot."
9/22/2026 9:00:00,bob@example.com,Bob,C2,B,
`

func TestReadCSV(t *testing.T) {
	le, _ := unicode.UTF16(unicode.LittleEndian, unicode.UseBOM).NewEncoder().String(formsCSV)
	cp, _ := charmap.Windows1252.NewEncoder().String("Name;Story\r\nZoë;Café closed – I failed\r\n")
	tests := []struct {
		name    string
		file    string
		content string
		opts    Options
		want    string
		err     error
		line    int
	}{
		{
			name: "google forms", file: "f.csv", content: formsCSV,
			want: `f.csv::2 id="C1" name="Ada Lovelace" email="ada@example.com" cohort="A" submitted=2026-09-21 text="I shipped late.\nI learned to pilot."
f.csv::3 reject: f.csv: F3 (story): empty
`,
		},
		{
			name: "utf-16 with BOM", file: "f.csv", content: le,
			want: `f.csv::2 id="C1" name="Ada Lovelace" email="ada@example.com" cohort="A" submitted=2026-09-21 text="I shipped late.\nI learned to pilot."
f.csv::3 reject: f.csv: F3 (story): empty
`,
		},
		{
			name: "utf-8 BOM", file: "f.csv", content: "\xef\xbb\xbfStory,Name\nx,y\n",
			want: "f.csv::2 id=\"\" name=\"y\" email=\"\" cohort=\"\" submitted= text=\"x\"\n",
		},
		{
			name: "windows-1252 semicolons", file: "f.csv", content: cp,
			want: "f.csv::2 id=\"\" name=\"Zoë\" email=\"\" cohort=\"\" submitted= text=\"Café closed – I failed\"\n",
		},
		{
			name: "semicolon with commas in text", file: "f.csv",
			content: "Name;Story;Date\nA;one, two, three;21.09.2026\nB;four, five;03.04.2026\nC;six;1.2.2026\n",
			want: `f.csv::2 id="" name="A" email="" cohort="" submitted=2026-09-21 text="one, two, three"
f.csv::3 id="" name="B" email="" cohort="" submitted=2026-04-03 text="four, five"
f.csv::4 id="" name="C" email="" cohort="" submitted=2026-02-01 text="six"
`,
		},
		{
			name: "sep directive", file: "f.csv", content: "sep=;\nName;Story\nA;x, y\n",
			want: "f.csv::2 id=\"\" name=\"A\" email=\"\" cohort=\"\" submitted= text=\"x, y\"\n",
		},
		{
			name: "tsv", file: "f.tsv", content: "Name\tStory\nA\tx, y; z\n",
			want: "f.tsv::2 id=\"\" name=\"A\" email=\"\" cohort=\"\" submitted= text=\"x, y; z\"\n",
		},
		{
			name: "title rows, blank lines and ragged rows", file: "f.csv",
			content: "Cohort results 2026\n\nName,Story,Cohort\n\nA,x\n,,\nB,y,K,extra\n\"\",\n",
			want: `f.csv::5 id="" name="A" email="" cohort="" submitted= text="x"
f.csv::7 id="" name="B" email="" cohort="K" submitted= text="y"
`,
		},
		{
			name: "title row that mentions failure", file: "f.csv",
			content: "Biggest failure essays 2026\nFull name,Email,Tell us about a failure\nA,a@x.org,I failed\nB,b@x.org,Story\n",
			want: `f.csv::3 id="" name="A" email="a@x.org" cohort="" submitted= text="I failed"
f.csv::4 id="" name="B" email="b@x.org" cohort="" submitted= text="Story"
`,
		},
		{
			name: "bare quotes kept", file: "f.csv",
			content: "Name,Story\nA,He said \"no\" to me\nB,\"fine\"\n",
			want: `f.csv::2 id="" name="A" email="" cohort="" submitted= text="He said \"no\" to me"
f.csv::3 id="" name="B" email="" cohort="" submitted= text="fine"
`,
		},
		{
			name: "classic mac line endings", file: "f.csv", content: "Name,Story\rA,x\rB,y\r",
			want: `f.csv::2 id="" name="A" email="" cohort="" submitted= text="x"
f.csv::3 id="" name="B" email="" cohort="" submitted= text="y"
`,
		},
		{
			name: "bad date rejected with position", file: "f.csv",
			content: "Name,Story,Submitted\nA,x,next Tuesday\nB,y,\n",
			want: `f.csv::2 reject: f.csv: C2 (submitted): not a date: "next Tuesday"
f.csv::3 id="" name="B" email="" cohort="" submitted= text="y"
`,
		},
		{
			name: "first and last name combined", file: "f.csv",
			content: "First name,Last name,Answer\nAda,Lovelace,x\n,Solo,y\n",
			want: `f.csv::2 id="" name="Ada Lovelace" email="" cohort="" submitted= text="x"
f.csv::3 id="" name="Solo" email="" cohort="" submitted= text="y"
`,
		},
		{
			name: "column override", file: "f.csv", content: "Who,Essay\nA,x\n",
			opts: Options{Columns: map[string]string{"Story": "essay", "name": "WHO"}},
			want: "f.csv::2 id=\"\" name=\"A\" email=\"\" cohort=\"\" submitted= text=\"x\"\n",
		},
		{
			name: "NUL and control characters", file: "f.csv", content: "Name,Story\nA\x00,x\x00y\x1b\n",
			want: "f.csv::2 id=\"\" name=\"A\" email=\"\" cohort=\"\" submitted= text=\"xy\"\n",
		},
		{name: "header only", file: "f.csv", content: "Name,Story\n", want: ""},
		{name: "empty file", file: "f.csv", content: "", err: ErrEmptyFile},
		{name: "only blank lines", file: "f.csv", content: "\n\n , \n", err: ErrEmptyFile},
		{name: "no story column", file: "f.csv", content: "Name,Notes\nA,x\n", err: ErrNoStoryColumn},
		{name: "override names missing header", file: "f.csv", content: "Name,Story\nA,x\n",
			opts: Options{Columns: map[string]string{"email": "Mail me"}}, err: ErrNoColumn},
		{name: "story override missing", file: "f.csv", content: "Name,Story\nA,x\n",
			opts: Options{Columns: map[string]string{"story": "Essay"}}, err: ErrNoColumn},
		{name: "unbalanced quote", file: "f.csv", content: "Name,Story\nA,x\nB,\"never ends\nC,z\n",
			err: ErrUnbalancedQuote, line: 3},
		{name: "unbalanced quote swallowing rows", file: "f.csv", content: "Name,Story\nA,\"x\"\nB,\"never ends\nC,z\n\"D\",\"w\"\n",
			err: ErrUnbalancedQuote, line: 3},
		{name: "unbalanced quote after sep line", file: "f.csv", content: "sep=,\nName,Story\nB,\"never ends\nC,z\n",
			err: ErrUnbalancedQuote, line: 3},
		{
			name: "sheet option ignored for csv", file: "f.csv", content: "Story\nx\n", opts: Options{Sheet: "Responses"},
			want: "f.csv::2 id=\"\" name=\"\" email=\"\" cohort=\"\" submitted= text=\"x\"\n",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ss, err := readString(t, tt.file, tt.content, tt.opts)
			if tt.err != nil {
				if !errors.Is(err, tt.err) {
					t.Fatalf("err = %v, want %v", err, tt.err)
				}
				var fe *FileError
				if !errors.As(err, &fe) || fe.File != tt.file || fe.Line != tt.line {
					t.Errorf("err = %#v, want *FileError for %s line %d", err, tt.file, tt.line)
				}
				return
			}
			if err != nil {
				t.Fatalf("err = %v", err)
			}
			if got := summary(ss); got != tt.want {
				t.Errorf("got\n%s\nwant\n%s", got, tt.want)
			}
		})
	}
}

func TestReadCSVBigCells(t *testing.T) {
	word := "failure "
	story := strings.Repeat(word, 100000) // 100,000 words, 800 KB
	huge := strings.Repeat("x", 5<<20)    // a 5 MB cell
	tests := []struct {
		name, content string
		reject        error
		textLen       int
	}{
		{"100k-word story", "Name,Story\nA,\"" + story + "\"\n", nil, len(strings.TrimSpace(story))},
		{"5 MB story", "Name,Story\nA," + huge + "\n", ErrTooLong, MaxStoryBytes},
		{"5 MB name", "Name,Story\n" + huge + ",ok\n", ErrTooLong, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ss, err := readString(t, "big.csv", tt.content, Options{})
			if err != nil || len(ss) != 1 {
				t.Fatalf("got %d stories, %v; want 1", len(ss), err)
			}
			if !errors.Is(ss[0].Reject, tt.reject) && (tt.reject != nil || ss[0].Reject != nil) {
				t.Errorf("Reject = %v, want %v", ss[0].Reject, tt.reject)
			}
			if len(ss[0].Text) > tt.textLen+len("…") || len(ss[0].Text) < tt.textLen-4 {
				t.Errorf("len(Text) = %d, want about %d", len(ss[0].Text), tt.textLen)
			}
		})
	}
}

func TestQuoteProblem(t *testing.T) {
	tests := []struct {
		in   string
		line int
	}{
		{"a,b\n1,\"ok\"\n", 0},
		{"a,b\n1,\"multi\nline\"\n", 0},
		{"a,b\n1,\"he said \"\"hi\"\"\"\n", 0},
		{"a,b\n1,\"lazy \"quote\" inside\"\n", 0},
		{"a,b\n1,\"multi\nline with \"lazy\" quote\"\n", 0},
		{"a,b\n1,\"open\n2,3\n", 2},
		{"a,b\n1,x\n\"", 3},
		{"a,b\n1,\"never closed\n2,z\n3,\"quoted\",w\n", 2},
		{"a;b\n1;\"never closed\n2;z\n\"3\";w\n", 2},
	}
	for _, tt := range tests {
		delim := ','
		if strings.Contains(tt.in, ";") {
			delim = ';'
		}
		line, err := quoteProblem(tt.in, delim)
		if line != tt.line || (err != nil) != (tt.line > 0) {
			t.Errorf("quoteProblem(%q) = %d, %v; want line %d", tt.in, line, err, tt.line)
		}
		if err != nil && !errors.Is(err, ErrUnbalancedQuote) {
			t.Errorf("quoteProblem(%q) = %v, want ErrUnbalancedQuote", tt.in, err)
		}
	}
}
