package config_test

import (
	"bytes"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/failwell/failwell/config"
)

func TestWriteTunedRubricKeepsEverythingButTheNumbers(t *testing.T) {
	orig := config.DefaultRubricYAML()
	weights := map[string]float64{"scope": 25.5, "arc": 10}
	thresholds := map[string][]float64{"scope": {0.5, 1.25, 2.5, 4.125}, "ownership": {1, 2, 3, 5}}
	var buf bytes.Buffer
	if err := config.WriteTunedRubric(&buf, config.DefaultRubricName, orig, weights, thresholds, "Tuned by a test.\nSecond line."); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	if !strings.HasPrefix(out, "# Tuned by a test.\n# Second line.\n") {
		t.Errorf("note not at the top:\n%.200s", out)
	}
	r, err := config.LoadRubric("tuned.yaml", buf.Bytes())
	if err != nil {
		t.Fatalf("tuned rubric does not load: %v", err)
	}
	def := config.DefaultRubric()
	for i, c := range r.Criteria {
		wantW, wantT := def.Criteria[i].Weight, def.Criteria[i].Thresholds
		if w, ok := weights[c.ID]; ok {
			wantW = w
		}
		if th, ok := thresholds[c.ID]; ok {
			wantT = th
		}
		if c.Weight != wantW || !slices.Equal(c.Thresholds, wantT) {
			t.Errorf("%s: weight %v thresholds %v, want %v %v", c.ID, c.Weight, c.Thresholds, wantW, wantT)
		}
		if c.Name != def.Criteria[i].Name || len(c.Signals) != len(def.Criteria[i].Signals) {
			t.Errorf("%s: name or signals changed", c.ID)
		}
	}
	// Line by line, only the changed numbers differ: comments, folded
	// text and alignment survive.
	got := strings.Split(strings.TrimPrefix(out, "# Tuned by a test.\n# Second line.\n"), "\n")
	want := strings.Split(string(orig), "\n")
	if len(got) != len(want) {
		t.Fatalf("%d lines, want %d", len(got), len(want))
	}
	changed := 0
	for i := range got {
		if got[i] == want[i] {
			continue
		}
		changed++
		if !strings.Contains(got[i], "weight:") && !strings.Contains(got[i], "thresholds:") {
			t.Errorf("line %d changed:\n- %s\n+ %s", i+1, want[i], got[i])
		}
	}
	if changed != 4 {
		t.Errorf("%d lines changed, want 4", changed)
	}
}

func TestWriteTunedRubricReencodesWhenItCannotEditText(t *testing.T) {
	tests := []struct {
		name, file string
		data       string
	}{
		{"json", "small.json", ""},
		{"toml", "small.toml", ""},
		{"quoted weight and block list", "small.yaml", "quoted"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			data, err := os.ReadFile("testdata/" + tt.file)
			if err != nil {
				t.Fatal(err)
			}
			if tt.data == "quoted" {
				// A quoted weight and a block-style list: the node tree is
				// re-encoded; comments still survive.
				s := strings.Replace(string(data), "weight: 2.5", `weight: "2.5" # the weight`, 1)
				s = strings.Replace(s, "thresholds: [1, 2, 3, 4]", "thresholds:\n      - 1\n      - 2\n      - 3\n      - 4", 1)
				if s == string(data) {
					t.Skip("fixture changed")
				}
				data = []byte(s)
			}
			var buf bytes.Buffer
			err = config.WriteTunedRubric(&buf, tt.file, data, map[string]float64{"learning": 3}, map[string][]float64{"learning": {0.5, 1, 2, 3.5}}, "")
			if err != nil {
				t.Fatal(err)
			}
			r, err := config.LoadRubric("tuned.yaml", buf.Bytes())
			if err != nil {
				t.Fatalf("does not load: %v\n%s", err, buf.String())
			}
			c := r.Criteria[0]
			if c.Weight != 3 || !slices.Equal(c.Thresholds, []float64{0.5, 1, 2, 3.5}) {
				t.Errorf("weight %v thresholds %v", c.Weight, c.Thresholds)
			}
			if tt.data == "quoted" && !strings.Contains(buf.String(), "# the weight") {
				t.Errorf("comment lost:\n%s", buf.String())
			}
		})
	}
}

func TestWriteTunedRubricErrors(t *testing.T) {
	orig := config.DefaultRubricYAML()
	tests := []struct {
		name       string
		weights    map[string]float64
		thresholds map[string][]float64
		want       string
	}{
		{"unknown criterion", map[string]float64{"nope": 1}, nil, "no criterion nope"},
		{"descending thresholds", nil, map[string][]float64{"scope": {3, 2, 1, 0}}, "does not load"},
		{"zero weight", map[string]float64{"scope": 0}, nil, "does not load"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			err := config.WriteTunedRubric(&buf, "rubric.yaml", orig, tt.weights, tt.thresholds, "")
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("err = %v, want %q", err, tt.want)
			}
			if buf.Len() != 0 {
				t.Errorf("wrote %d bytes despite the error", buf.Len())
			}
		})
	}
}
