package config

import (
	"bytes"
	_ "embed"
	"errors"
	"fmt"
	"os"
	"reflect"
	"strings"

	"github.com/failwell/failwell/evaluate"
)

//go:embed rubric.yaml
var defaultRubricYAML []byte

// DefaultRubricName is the file name that errors in the embedded default
// rubric are reported against.
const DefaultRubricName = "builtin:rubric.yaml"

// DefaultRubricYAML returns the embedded default rubric exactly as shipped
// (comments included), for `failwell init` and for hashing into run.json.
// The caller may modify the returned slice.
func DefaultRubricYAML() []byte { return bytes.Clone(defaultRubricYAML) }

// DefaultRubric returns the embedded default rubric, freshly decoded: the
// caller owns the result and may modify it. It is decoded but not validated;
// use [ReadRubric] with an empty path to load it with full validation.
// DefaultRubric panics if the embedded file cannot be decoded, which the
// package's tests rule out.
func DefaultRubric() *evaluate.Rubric {
	doc, err := parseDocument(DefaultRubricName, defaultRubricYAML)
	if err != nil {
		panic("config: embedded default rubric: " + err.Error())
	}
	r := new(evaluate.Rubric)
	d := newDecoder(DefaultRubricName)
	if doc.root != nil {
		d.decode(doc.root, reflect.ValueOf(r).Elem(), "")
	}
	if err := d.errs.Err(); err != nil {
		panic("config: embedded default rubric: " + err.Error())
	}
	return r
}

// ReadRubric reads and loads the rubric file at path, or the embedded default
// rubric when path is empty, and also returns the file's raw bytes (run.json
// records their sha256). Errors are as for [LoadRubric], or the error of
// reading the file.
func ReadRubric(path string) (*evaluate.Rubric, []byte, error) {
	if path == "" {
		data := DefaultRubricYAML()
		r, err := LoadRubric(DefaultRubricName, data)
		return r, data, err
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, nil, fmt.Errorf("read rubric: %w", err)
	}
	r, err := LoadRubric(path, data)
	return r, data, err
}

// LoadRubric decodes and validates a rubric file. name is the file's name,
// used in errors and to choose the format by extension: .toml, .json, and
// YAML for anything else (.yaml, .yml).
//
// Decoding is strict: unknown and duplicate keys and values of the wrong
// type are errors. The decoded rubric is then validated
// ([evaluate.Rubric.Validate]) and compiled ([evaluate.New]), so that bad
// regular expressions and the like are found now.
//
// On failure LoadRubric returns a nil rubric and an [ErrorList] holding every
// problem found (at most 100), sorted by position. Each is an [*Error] whose
// Path is the rubric path ("criteria[2].weight") and whose Line and Col
// locate it in the file, in all three formats (a problem about a missing
// key points at the mapping it is missing from). A problem found by the
// evaluate package wraps its *evaluate.FieldError.
func LoadRubric(name string, data []byte) (*evaluate.Rubric, error) {
	doc, err := parseDocument(name, data)
	if err != nil {
		return nil, err
	}
	if doc.root == nil {
		return nil, ErrorList{errorf(name, 0, 0, "", "empty rubric")}
	}
	r := new(evaluate.Rubric)
	d := newDecoder(name)
	d.decode(doc.root, reflect.ValueOf(r).Elem(), "")
	errs := d.errs
	for _, e := range checkRubric(r) {
		var fe *evaluate.FieldError
		if !errors.As(e, &fe) {
			line, col := doc.root.Line, doc.root.Column
			errs.Add(&Error{File: name, Line: line, Col: col, Msg: e.Error(), Err: e})
			continue
		}
		if covered(d.bad, fe.Path) {
			continue // already reported as a decoding problem
		}
		n := locate(doc.root, fe.Path)
		errs.Add(&Error{File: name, Line: n.Line, Col: n.Column, Path: fe.Path, Msg: fe.Msg, Err: fe})
	}
	if len(errs) > 0 {
		return nil, errs.truncate(maxErrors)
	}
	return r, nil
}

// covered reports whether path is, or is inside, one of the bad paths.
func covered(bad map[string]bool, path string) bool {
	for p := path; p != ""; {
		if bad[p] {
			return true
		}
		i := strings.LastIndexAny(p, ".[")
		if i < 0 {
			break
		}
		p = p[:i]
	}
	return false
}

// checkRubric validates r semantically and then compiles it, returning every
// problem; a panic in the evaluate package is returned as an error.
func checkRubric(r *evaluate.Rubric) (errs []error) {
	defer func() {
		if v := recover(); v != nil {
			errs = append(errs, fmt.Errorf("internal error checking the rubric: %v", v))
		}
	}()
	if errs = flatten(r.Validate()); len(errs) > 0 {
		return errs
	}
	if _, err := evaluate.New(r); err != nil {
		return flatten(err)
	}
	return nil
}

// flatten returns the leaves of a tree of joined errors (errors.Join,
// ErrorList-like types with Unwrap() []error), in order.
func flatten(err error) []error {
	if err == nil {
		return nil
	}
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		var out []error
		for _, e := range j.Unwrap() {
			out = append(out, flatten(e)...)
		}
		return out
	}
	return []error{err}
}
