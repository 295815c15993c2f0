package config

import (
	"encoding"
	"fmt"
	"iter"
	"math"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode"

	"go.yaml.in/yaml/v3"
)

// maxErrors bounds how many problems one rubric file reports; a file that
// bad is probably not the file the user meant.
const maxErrors = 100

// maxVisits bounds the work of decoding one document, so that aliases
// ("billion laughs") cannot make a small file expensive.
const maxVisits = 1 << 20

// decoder decodes a yaml.Node tree strictly into a Go value, driven by the
// value's yaml struct tags, and collects every problem with its position:
// unknown keys, duplicate keys and values of the wrong type. Unlike
// yaml.v3's Decoder.KnownFields it reports columns and document paths, and
// works for trees built from TOML and JSON too.
type decoder struct {
	file   string
	errs   ErrorList
	visits int
	// bad records the paths that had a decoding problem, so that semantic
	// checks of the same values can be left out.
	bad map[string]bool
}

func newDecoder(file string) *decoder {
	return &decoder{file: file, bad: map[string]bool{}}
}

func (d *decoder) fail(n *yaml.Node, path, format string, args ...any) {
	d.bad[path] = true
	if len(d.errs) > 10*maxErrors {
		return // LoadRubric reports the first maxErrors in file order
	}
	d.errs.Add(errorf(d.file, n.Line, n.Column, path, format, args...))
}

var (
	textUnmarshalerType = reflect.TypeFor[encoding.TextUnmarshaler]()
	yamlUnmarshalerType = reflect.TypeFor[yaml.Unmarshaler]()
	timeType            = reflect.TypeFor[time.Time]()
)

// decode decodes n into v, which must be settable. path is n's document path.
func (d *decoder) decode(n *yaml.Node, v reflect.Value, path string) {
	d.visits++
	if d.visits == maxVisits {
		d.fail(n, path, "document too complex (too many aliases?)")
	}
	if d.visits >= maxVisits {
		return
	}
	if n.Kind == yaml.AliasNode {
		if n.Alias == nil {
			d.fail(n, path, "unknown alias")
			return
		}
		n = n.Alias
	}
	if n.Kind == yaml.ScalarNode && n.ShortTag() == "!!null" {
		return // null leaves the zero value, as in yaml.v3
	}
	t := v.Type()
	if isLeaf(t) {
		d.leaf(n, v, path)
		return
	}
	switch t.Kind() {
	case reflect.Pointer:
		if v.IsNil() {
			v.Set(reflect.New(t.Elem()))
		}
		d.decode(n, v.Elem(), path)
	case reflect.Struct:
		d.structure(n, v, path)
	case reflect.Slice, reflect.Array:
		d.sequence(n, v, path)
	case reflect.Map:
		d.mapping(n, v, path)
	default:
		d.leaf(n, v, path)
	}
}

// isLeaf reports whether values of t are decoded from one scalar by yaml.v3
// itself: basic kinds, time.Time, and types with their own unmarshalers.
func isLeaf(t reflect.Type) bool {
	if t == timeType {
		return true
	}
	pt := reflect.PointerTo(t)
	if pt.Implements(yamlUnmarshalerType) || pt.Implements(textUnmarshalerType) {
		return true
	}
	switch t.Kind() {
	case reflect.Pointer, reflect.Struct, reflect.Slice, reflect.Array, reflect.Map:
		return false
	}
	return true
}

func (d *decoder) leaf(n *yaml.Node, v reflect.Value, path string) {
	t := v.Type()
	if t.Kind() == reflect.Interface || reflect.PointerTo(t).Implements(yamlUnmarshalerType) {
		if err := n.Decode(v.Addr().Interface()); err != nil {
			d.fail(n, path, "%s", strings.TrimPrefix(err.Error(), "yaml: "))
		}
		return
	}
	if n.Kind != yaml.ScalarNode {
		d.fail(n, path, "expected %s, got %s", want(t), describe(n))
		return
	}
	if t.Kind() == reflect.String && !reflect.PointerTo(t).Implements(textUnmarshalerType) {
		v.SetString(n.Value) // any scalar is text: version: 1.0 is "1.0"
		return
	}
	if isInt(t) && n.ShortTag() == "!!float" {
		// yaml.v3 truncates 1.5 to 1; only whole numbers are integers.
		if f, err := strconv.ParseFloat(n.Value, 64); err != nil || f != math.Trunc(f) {
			d.fail(n, path, "expected %s, got %s", want(t), describe(n))
			return
		}
	}
	tmp := reflect.New(t)
	if err := n.Decode(tmp.Interface()); err != nil {
		msg := fmt.Sprintf("expected %s, got %s", want(t), describe(n))
		if isInt(t) && n.ShortTag() == "!!int" && !strings.HasPrefix(n.Value, "-") {
			msg = fmt.Sprintf("integer %s is out of range", n.Value)
		} else if te, ok := err.(*yaml.TypeError); t != timeType && (!ok || len(te.Errors) == 0) {
			// An UnmarshalText error says more than the type mismatch.
			msg += ": " + strings.TrimPrefix(err.Error(), "yaml: ")
		}
		d.fail(n, path, "%s", msg)
		return
	}
	v.Set(tmp.Elem())
}

func isInt(t reflect.Type) bool {
	switch t.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		return true
	}
	return false
}

// want names what a Go type accepts, for error messages.
func want(t reflect.Type) string {
	if t == timeType {
		return "a date"
	}
	if reflect.PointerTo(t).Implements(textUnmarshalerType) {
		return "a string"
	}
	switch t.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return "an integer"
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return "a non-negative integer"
	case reflect.Float32, reflect.Float64:
		return "a number"
	case reflect.Bool:
		return "true or false"
	case reflect.String:
		return "a string"
	case reflect.Slice, reflect.Array:
		return "a list"
	case reflect.Map, reflect.Struct:
		return "a mapping"
	case reflect.Pointer:
		return want(t.Elem())
	}
	return t.String()
}

func (d *decoder) sequence(n *yaml.Node, v reflect.Value, path string) {
	if n.Kind != yaml.SequenceNode {
		d.fail(n, path, "expected a list, got %s", describe(n))
		return
	}
	if v.Kind() == reflect.Array {
		if len(n.Content) != v.Len() {
			d.fail(n, path, "expected a list of %d, got %d", v.Len(), len(n.Content))
			return
		}
	} else {
		v.Set(reflect.MakeSlice(v.Type(), len(n.Content), len(n.Content)))
	}
	for i, e := range n.Content {
		d.decode(e, v.Index(i), path+"["+strconv.Itoa(i)+"]")
	}
}

// pairs returns the key/value pairs of a mapping node, with the pairs of
// YAML merge keys ("<<: *defaults") first so that explicit keys override
// them. Problems with merge values are reported.
func (d *decoder) pairs(n *yaml.Node, path string) (merged, own [][2]*yaml.Node) {
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, val := n.Content[i], n.Content[i+1]
		if k.Kind == yaml.ScalarNode && k.ShortTag() == "!!merge" {
			if val.Kind == yaml.AliasNode && val.Alias != nil {
				val = val.Alias
			}
			var maps []*yaml.Node
			switch val.Kind {
			case yaml.MappingNode:
				maps = []*yaml.Node{val}
			case yaml.SequenceNode:
				for _, m := range val.Content {
					if m.Kind == yaml.AliasNode && m.Alias != nil {
						m = m.Alias
					}
					maps = append(maps, m)
				}
			}
			for _, m := range maps {
				if m.Kind != yaml.MappingNode {
					d.fail(val, path, "merge key << needs a mapping or a list of mappings")
					continue
				}
				d.visits += len(m.Content)
				if d.visits >= maxVisits {
					return nil, nil
				}
				mm, mo := d.pairs(m, path)
				merged = append(merged, mm...)
				merged = append(merged, mo...)
			}
			continue
		}
		own = append(own, [2]*yaml.Node{k, val})
	}
	return merged, own
}

// keyOf returns a mapping key's text, reporting keys that are not scalars.
func (d *decoder) keyOf(k *yaml.Node, path string) (string, bool) {
	if k.Kind == yaml.AliasNode && k.Alias != nil {
		k = k.Alias
	}
	if k.Kind != yaml.ScalarNode {
		d.fail(k, path, "a key must be a string, got %s", describe(k))
		return "", false
	}
	return k.Value, true
}

// entry is one key/value pair of a mapping, with the key's name and path.
type entry struct {
	pair [2]*yaml.Node
	name string
	path string
}

// entries yields the pairs of mapping n, merged ones (<<) first: a key that
// is not a plain scalar, and a repeated key of n's own, are reported and
// skipped (a merged key may be overridden by n's own).
func (d *decoder) entries(n *yaml.Node, path string) iter.Seq[entry] {
	return func(yield func(entry) bool) {
		merged, own := d.pairs(n, path)
		seen := map[string]bool{}
		for i, p := range append(merged, own...) {
			name, ok := d.keyOf(p[0], path)
			if !ok {
				continue
			}
			sub := join(path, name)
			if i >= len(merged) {
				if seen[name] {
					d.fail(p[0], sub, "duplicate key %q", name)
					continue
				}
				seen[name] = true
			}
			if !yield(entry{p, name, sub}) {
				return
			}
		}
	}
}

func (d *decoder) structure(n *yaml.Node, v reflect.Value, path string) {
	if n.Kind != yaml.MappingNode {
		d.fail(n, path, "expected a mapping, got %s", describe(n))
		return
	}
	fields := fieldsOf(v.Type())
	for e := range d.entries(n, path) {
		p, name, sub := e.pair, e.name, e.path
		f, ok := fields.byName[name]
		if !ok {
			msg := fmt.Sprintf("unknown key %q", name)
			if s := suggest(name, fields.names); s != "" {
				msg += fmt.Sprintf(" (did you mean %q?)", s)
			}
			d.fail(p[0], sub, "%s", msg)
			continue
		}
		d.decode(p[1], fieldByIndex(v, f.index), sub)
	}
}

// fieldByIndex is v.FieldByIndex, allocating nil embedded pointers.
func fieldByIndex(v reflect.Value, index []int) reflect.Value {
	for i, x := range index {
		if i > 0 && v.Kind() == reflect.Pointer {
			if v.IsNil() {
				v.Set(reflect.New(v.Type().Elem()))
			}
			v = v.Elem()
		}
		v = v.Field(x)
	}
	return v
}

func (d *decoder) mapping(n *yaml.Node, v reflect.Value, path string) {
	if n.Kind != yaml.MappingNode {
		d.fail(n, path, "expected a mapping, got %s", describe(n))
		return
	}
	t := v.Type()
	if v.IsNil() {
		v.Set(reflect.MakeMap(t))
	}
	for ent := range d.entries(n, path) {
		p, sub := ent.pair, ent.path
		k := reflect.New(t.Key()).Elem()
		before := len(d.errs)
		d.leaf(p[0], k, sub)
		if len(d.errs) > before {
			continue
		}
		e := reflect.New(t.Elem()).Elem()
		if old := v.MapIndex(k); old.IsValid() {
			e.Set(old)
		}
		d.decode(p[1], e, sub)
		v.SetMapIndex(k, e)
	}
}

// join appends a key to a document path. Keys that are not plain words
// (dots, brackets, spaces, control characters) are quoted in brackets:
// `expect["a.b"]`.
func join(path, key string) string {
	if !plainKey(key) {
		return path + "[" + strconv.Quote(key) + "]"
	}
	if path == "" {
		return key
	}
	return path + "." + key
}

func plainKey(k string) bool {
	if k == "" {
		return false
	}
	for _, r := range k {
		if !(r == '_' || r == '-' || unicode.IsLetter(r) || unicode.IsDigit(r)) {
			return false
		}
	}
	return true
}

// structFields describes the yaml keys of a struct type.
type structFields struct {
	byName map[string]field
	names  []string // in declaration order
}

type field struct {
	index []int
}

var fieldCache sync.Map // reflect.Type → *structFields

// fieldsOf lists t's keys as yaml.v3 would: the tag name, or the lower-cased
// field name; "-" skips a field; ",inline" flattens an embedded struct.
func fieldsOf(t reflect.Type) *structFields {
	if sf, ok := fieldCache.Load(t); ok {
		return sf.(*structFields)
	}
	sf := &structFields{byName: map[string]field{}}
	var walk func(t reflect.Type, index []int)
	walk = func(t reflect.Type, index []int) {
		for i := range t.NumField() {
			f := t.Field(i)
			if !f.IsExported() && !f.Anonymous {
				continue
			}
			tag := f.Tag.Get("yaml")
			if tag == "-" {
				continue
			}
			name, opts, _ := strings.Cut(tag, ",")
			idx := append(append([]int(nil), index...), i)
			if strings.Contains(","+opts+",", ",inline,") {
				ft := f.Type
				if ft.Kind() == reflect.Pointer {
					ft = ft.Elem()
				}
				if ft.Kind() == reflect.Struct {
					walk(ft, idx)
				}
				continue
			}
			if !f.IsExported() {
				continue
			}
			if name == "" {
				name = strings.ToLower(f.Name)
			}
			if _, dup := sf.byName[name]; dup {
				continue
			}
			sf.byName[name] = field{index: idx}
			sf.names = append(sf.names, name)
		}
	}
	walk(t, nil)
	fieldCache.Store(t, sf)
	return sf
}

// suggest returns the candidate closest to name, if it is close enough to be
// a likely typo.
func suggest(name string, candidates []string) string {
	lname := strings.ToLower(name)
	best, bestD := "", min(2, len([]rune(name))/2)
	for _, c := range candidates {
		if d := levenshtein(lname, strings.ToLower(c)); d <= bestD {
			best, bestD = c, d-1 // strictly better from now on
			if d == 0 {
				break
			}
		}
	}
	return best
}

func levenshtein(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(rb)]
}
