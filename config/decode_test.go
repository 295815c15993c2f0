package config

import (
	"fmt"
	"net/netip"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"
)

// Types exercising the decoder on shapes the rubric does not use (yet).
type base struct {
	Shared string `yaml:"shared"`
}

type sample struct {
	base     `yaml:",inline"`
	Plain    string            // no tag: key "plain"
	Skipped  string            `yaml:"-"`
	Ptr      *float64          `yaml:"ptr"`
	Arr      [2]int            `yaml:"arr"`
	When     time.Time         `yaml:"when"`
	Addr     netip.Addr        `yaml:"addr"` // encoding.TextUnmarshaler
	Any      any               `yaml:"any"`
	Nested   *sample           `yaml:"nested"`
	Counts   map[string]uint8  `yaml:"counts"`
	Labels   map[string]string `yaml:"labels"`
	internal int
}

func decodeSample(t *testing.T, src string) (sample, []string) {
	t.Helper()
	doc, err := parseDocument("s.yaml", []byte(src))
	if err != nil {
		t.Fatalf("parse: %v", err)
	}
	var s sample
	d := newDecoder("s.yaml")
	d.decode(doc.root, reflect.ValueOf(&s).Elem(), "")
	var msgs []string
	for _, e := range d.errs {
		msgs = append(msgs, e.Error())
	}
	return s, msgs
}

func TestDecoderIsGenericOverStructs(t *testing.T) {
	s, errs := decodeSample(t, `shared: s
plain: p
ptr: 2.5
arr: [1, 2]
when: 2026-10-01
addr: 10.0.0.1
any: {a: [1, x]}
nested: {plain: inner, nested: {shared: deep}}
counts: {a: 1}
labels: {K: V}
`)
	if len(errs) > 0 {
		t.Fatalf("errors: %q", errs)
	}
	want := sample{
		base: base{Shared: "s"}, Plain: "p", Arr: [2]int{1, 2},
		When:   time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC),
		Addr:   netip.MustParseAddr("10.0.0.1"),
		Any:    map[string]any{"a": []any{1, "x"}},
		Nested: &sample{Plain: "inner", Nested: &sample{base: base{Shared: "deep"}}},
		Counts: map[string]uint8{"a": 1}, Labels: map[string]string{"K": "V"},
	}
	f := 2.5
	want.Ptr = &f
	if !reflect.DeepEqual(s, want) {
		t.Errorf("got  %+v\nwant %+v", s, want)
	}
}

func TestDecoderErrors(t *testing.T) {
	_, errs := decodeSample(t, `skipped: x
internal: 1
arr: [1, 2, 3]
addr: not-an-ip
counts: {a: 300, b: -1}
nested: {nested: {plian: x}}
when: yesterday
`)
	want := []string{
		`s.yaml:1:1: skipped: unknown key "skipped"`,
		`s.yaml:2:1: internal: unknown key "internal"`,
		`s.yaml:3:6: arr: expected a list of 2, got 3`,
		`s.yaml:4:7: addr: expected a string, got string "not-an-ip": ParseAddr("not-an-ip"): unable to parse IP`,
		`s.yaml:5:13: counts.a: integer 300 is out of range`,
		`s.yaml:5:21: counts.b: expected a non-negative integer, got integer -1`,
		`s.yaml:6:19: nested.nested.plian: unknown key "plian" (did you mean "plain"?)`,
		`s.yaml:7:7: when: expected a date, got string "yesterday"`,
	}
	if !slices.Equal(errs, want) {
		t.Errorf("got:\n%s\nwant:\n%s", strings.Join(errs, "\n"), strings.Join(want, "\n"))
	}
}

// TestLoadRubricCapsErrors checks that a hopeless file reports its first
// problems in file order and says how many more there were.
func TestLoadRubricCapsErrors(t *testing.T) {
	var b strings.Builder
	for i := range 300 {
		fmt.Fprintf(&b, "bogus%d: 1\n", i)
	}
	_, err := LoadRubric("r.yaml", []byte(b.String()))
	var list ErrorList
	if !asList(err, &list) {
		t.Fatalf("got %T", err)
	}
	if len(list) != maxErrors+1 {
		t.Fatalf("got %d problems, want %d", len(list), maxErrors+1)
	}
	if list[0].Line != 1 || !strings.HasPrefix(list[len(list)-1].Msg, "and ") {
		t.Errorf("first %q, last %q", list[0], list[len(list)-1])
	}
}

func asList(err error, l *ErrorList) bool {
	v, ok := err.(ErrorList)
	*l = v
	return ok
}
