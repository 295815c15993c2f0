package config

import (
	"bytes"
	"fmt"
	"io"
	"math"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"go.yaml.in/yaml/v3"
)

// WriteTunedRubric writes to w a copy of the rubric file original (named
// name, whose extension gives its format) with the criterion weights and
// level thresholds replaced by weights and thresholds (criterion id →
// value). The copy is always YAML.
//
// A YAML original is patched in its node tree, so its comments, key order
// and everything else survive; JSON and TOML originals are converted. note,
// when not empty, is written first as comment lines. Every id in weights
// and thresholds must name a criterion of the rubric.
//
// Before anything is written, the copy is loaded back with [LoadRubric] and
// checked to hold the new values: a copy that would not load is an error
// and w is left untouched.
func WriteTunedRubric(w io.Writer, name string, original []byte, weights map[string]float64, thresholds map[string][]float64, note string) error {
	var doc yaml.Node
	if format(name) == "yaml" {
		if err := yaml.Unmarshal(original, &doc); err != nil {
			return yamlSyntaxError(name, err)
		}
	} else {
		d, err := parseDocument(name, original)
		if err != nil {
			return err
		}
		doc = yaml.Node{Kind: yaml.DocumentNode}
		if d.root != nil {
			doc.Content = []*yaml.Node{d.root}
		}
	}
	if doc.Kind != yaml.DocumentNode || len(doc.Content) == 0 || doc.Content[0].Kind != yaml.MappingNode {
		return fmt.Errorf("tune rubric %s: not a rubric document", name)
	}
	_, crits := mappingValue(doc.Content[0], "criteria")
	if crits != nil && crits.Kind == yaml.AliasNode {
		crits = crits.Alias
	}
	if crits == nil || crits.Kind != yaml.SequenceNode {
		return fmt.Errorf("tune rubric %s: no criteria list", name)
	}
	// Patch the source text in place where every value to change is a plain
	// scalar (a number as written): then nothing else moves, not even
	// line breaks in folded text or the alignment of comments. Otherwise
	// re-encode the patched node tree (comments survive, layout may not).
	edits, ok := textEdits(original, crits, weights, thresholds)
	done := map[string]bool{}
	for _, c := range crits.Content {
		if c.Kind != yaml.MappingNode {
			continue
		}
		_, idn := mappingValue(c, "id")
		if idn == nil || idn.Kind != yaml.ScalarNode {
			continue
		}
		id := idn.Value
		if v, ok := weights[id]; ok {
			setMappingValue(c, "weight", &yaml.Node{Kind: yaml.ScalarNode, Tag: numberTag(v), Value: formatNumber(v)})
			done["w:"+id] = true
		}
		if t, ok := thresholds[id]; ok {
			seq := &yaml.Node{Kind: yaml.SequenceNode, Tag: "!!seq", Style: yaml.FlowStyle}
			if _, old := mappingValue(c, "thresholds"); old != nil {
				src := old
				if src.Kind == yaml.AliasNode && src.Alias != nil {
					src = src.Alias
				}
				seq.Style = src.Style
				seq.LineComment, seq.HeadComment, seq.FootComment = old.LineComment, old.HeadComment, old.FootComment
			}
			for _, v := range t {
				seq.Content = append(seq.Content, &yaml.Node{Kind: yaml.ScalarNode, Tag: numberTag(v), Value: formatNumber(v)})
			}
			setMappingValue(c, "thresholds", seq)
			done["t:"+id] = true
		}
	}
	var missing []string
	for id := range weights {
		if !done["w:"+id] {
			missing = append(missing, id)
		}
	}
	for id := range thresholds {
		if !done["t:"+id] && !slices.Contains(missing, id) {
			missing = append(missing, id)
		}
	}
	if len(missing) > 0 {
		slices.Sort(missing)
		return fmt.Errorf("tune rubric %s: no criterion %s in the document", name, strings.Join(missing, ", "))
	}

	var buf bytes.Buffer
	for line := range strings.SplitSeq(strings.TrimRight(note, "\n"), "\n") {
		if note != "" {
			buf.WriteString("# " + line + "\n")
		}
	}
	if ok && format(name) == "yaml" {
		buf.Write(applyEdits(original, edits))
	} else {
		enc := yaml.NewEncoder(&buf)
		enc.SetIndent(2)
		if err := enc.Encode(&doc); err != nil {
			return fmt.Errorf("tune rubric %s: %w", name, err)
		}
		if err := enc.Close(); err != nil {
			return fmt.Errorf("tune rubric %s: %w", name, err)
		}
	}

	tunedName := strings.TrimSuffix(name, filepath.Ext(name)) + ".tuned.yaml"
	r, err := LoadRubric(tunedName, buf.Bytes())
	if err != nil {
		return fmt.Errorf("tuned rubric does not load: %w", err)
	}
	for _, c := range r.Criteria {
		if v, ok := weights[c.ID]; ok && c.Weight != v {
			return fmt.Errorf("tuned rubric: criterion %s: weight %g, want %g", c.ID, c.Weight, v)
		}
		if t, ok := thresholds[c.ID]; ok && !slices.Equal(c.Thresholds, t) {
			return fmt.Errorf("tuned rubric: criterion %s: thresholds %v, want %v", c.ID, c.Thresholds, t)
		}
	}
	_, err = w.Write(buf.Bytes())
	return err
}

// mappingValue returns the key and value nodes of key in the mapping m
// (own keys only, not merged ones), or nils.
func mappingValue(m *yaml.Node, key string) (k, v *yaml.Node) {
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Kind == yaml.ScalarNode && m.Content[i].Value == key {
			return m.Content[i], m.Content[i+1]
		}
	}
	return nil, nil
}

// setMappingValue replaces the value of key in m, keeping the old value's
// comments, or appends the key.
func setMappingValue(m *yaml.Node, key string, v *yaml.Node) {
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Kind == yaml.ScalarNode && m.Content[i].Value == key {
			old := m.Content[i+1]
			if v.LineComment == "" {
				v.LineComment = old.LineComment
			}
			if v.HeadComment == "" {
				v.HeadComment = old.HeadComment
			}
			if v.FootComment == "" {
				v.FootComment = old.FootComment
			}
			m.Content[i+1] = v
			return
		}
	}
	m.Content = append(m.Content, &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: key}, v)
}

// formatNumber writes v in the shortest form that reads back exactly.
func formatNumber(v float64) string {
	return strconv.FormatFloat(v, 'f', -1, 64)
}

func numberTag(v float64) string {
	if v == math.Trunc(v) && math.Abs(v) < 1e15 {
		return "!!int"
	}
	return "!!float"
}

// textEdit replaces original[off:off+n] with text.
type textEdit struct {
	off, n int
	text   string
}

// textEdits returns the edits that put the new weights and thresholds into
// the source text, or false when some value to change is not a plain scalar
// at a known position (quoted, an alias, a missing key, a list of another
// length).
func textEdits(src []byte, crits *yaml.Node, weights map[string]float64, thresholds map[string][]float64) ([]textEdit, bool) {
	var edits []textEdit
	scalar := func(n *yaml.Node, v float64) bool {
		if n == nil || n.Kind != yaml.ScalarNode || n.Style != 0 || n.Line < 1 || n.Column < 1 {
			return false
		}
		off, ok := offsetOf(src, n.Line, n.Column)
		if !ok || off+len(n.Value) > len(src) || string(src[off:off+len(n.Value)]) != n.Value {
			return false
		}
		edits = append(edits, textEdit{off: off, n: len(n.Value), text: formatNumber(v)})
		return true
	}
	for _, c := range crits.Content {
		if c.Kind != yaml.MappingNode {
			continue
		}
		_, idn := mappingValue(c, "id")
		if idn == nil || idn.Kind != yaml.ScalarNode {
			continue
		}
		if v, ok := weights[idn.Value]; ok {
			if _, n := mappingValue(c, "weight"); !scalar(n, v) {
				return nil, false
			}
		}
		if t, ok := thresholds[idn.Value]; ok {
			_, n := mappingValue(c, "thresholds")
			if n == nil || n.Kind != yaml.SequenceNode || len(n.Content) != len(t) {
				return nil, false
			}
			for i, item := range n.Content {
				if !scalar(item, t[i]) {
					return nil, false
				}
			}
		}
	}
	return edits, true
}

// offsetOf converts a 1-based line and column (in characters) to a byte
// offset into src.
func offsetOf(src []byte, line, col int) (int, bool) {
	off := 0
	for l := 1; l < line; l++ {
		i := bytes.IndexByte(src[off:], '\n')
		if i < 0 {
			return 0, false
		}
		off += i + 1
	}
	for c := 1; c < col; c++ {
		if off >= len(src) || src[off] == '\n' {
			return 0, false
		}
		_, size := utf8.DecodeRune(src[off:])
		off += size
	}
	return off, true
}

// applyEdits applies non-overlapping edits to a copy of src.
func applyEdits(src []byte, edits []textEdit) []byte {
	slices.SortFunc(edits, func(a, b textEdit) int { return a.off - b.off })
	var out bytes.Buffer
	last := 0
	for _, e := range edits {
		out.Write(src[last:e.off])
		out.WriteString(e.text)
		last = e.off + e.n
	}
	out.Write(src[last:])
	return out.Bytes()
}
