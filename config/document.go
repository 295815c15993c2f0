package config

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/pelletier/go-toml/v2"
	"go.yaml.in/yaml/v3"
)

// A document is a configuration or rubric file parsed into a yaml.Node tree,
// whatever its format, so that one strict decoder and one path resolver serve
// YAML, TOML and JSON alike.
type document struct {
	file string     // name used in errors
	root *yaml.Node // top-level value; nil for an empty document
}

// format returns "yaml", "toml" or "json" from a file name's extension;
// anything else is YAML.
func format(name string) string {
	switch strings.ToLower(filepath.Ext(name)) {
	case ".toml":
		return "toml"
	case ".json":
		return "json"
	}
	return "yaml"
}

// parseDocument parses data according to name's extension. Syntax errors are
// returned as an ErrorList with the best position the parser gives.
func parseDocument(name string, data []byte) (*document, error) {
	doc := &document{file: name}
	var err error
	switch format(name) {
	case "toml":
		doc.root, err = parseTOML(name, data)
	case "json":
		doc.root, err = parseJSON(name, data)
	default:
		doc.root, err = parseYAML(name, data)
	}
	if err != nil {
		return nil, err
	}
	return doc, nil
}

var yamlLineRE = regexp.MustCompile(`^yaml: line (\d+): (.*)$`)

func parseYAML(name string, data []byte) (*yaml.Node, error) {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var doc yaml.Node
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, nil
		}
		return nil, yamlSyntaxError(name, err)
	}
	var extra yaml.Node
	switch err := dec.Decode(&extra); {
	case errors.Is(err, io.EOF):
	case err != nil:
		return nil, yamlSyntaxError(name, err)
	default:
		return nil, ErrorList{errorf(name, extra.Line, extra.Column, "", "more than one YAML document")}
	}
	if doc.Kind == yaml.DocumentNode {
		if len(doc.Content) == 0 {
			return nil, nil
		}
		return doc.Content[0], nil
	}
	return &doc, nil
}

// yamlSyntaxError turns a yaml.v3 syntax error, which is only a string
// ("yaml: line 3: did not find expected key"), into a positioned Error.
func yamlSyntaxError(name string, err error) error {
	msg := err.Error()
	if m := yamlLineRE.FindStringSubmatch(msg); m != nil {
		line, _ := strconv.Atoi(m[1])
		return ErrorList{&Error{File: name, Line: line, Msg: m[2], Err: err}}
	}
	return ErrorList{&Error{File: name, Msg: strings.TrimPrefix(msg, "yaml: "), Err: err}}
}

// parseJSON converts JSON into a yaml.Node tree, keeping the line and column
// of every value and key.
func parseJSON(name string, data []byte) (*yaml.Node, error) {
	c := &jsonConv{data: data, dec: json.NewDecoder(bytes.NewReader(data))}
	c.dec.UseNumber()
	if len(bytes.TrimSpace(data)) == 0 {
		return nil, nil
	}
	n, err := c.value()
	if err == nil {
		if _, err = c.dec.Token(); err == nil {
			line, col := c.pos(c.skip(c.dec.InputOffset()))
			return nil, ErrorList{errorf(name, line, col, "", "unexpected data after the top-level value")}
		} else if errors.Is(err, io.EOF) {
			err = nil
		}
	}
	if err != nil {
		var se *json.SyntaxError
		if errors.As(err, &se) {
			line, col := c.pos(int(se.Offset))
			return nil, ErrorList{&Error{File: name, Line: line, Col: col, Msg: se.Error(), Err: err}}
		}
		if errors.Is(err, io.ErrUnexpectedEOF) {
			line, col := c.pos(len(data))
			return nil, ErrorList{&Error{File: name, Line: line, Col: col, Msg: "unexpected end of JSON input", Err: err}}
		}
		return nil, ErrorList{&Error{File: name, Msg: err.Error(), Err: err}}
	}
	return n, nil
}

type jsonConv struct {
	data []byte
	dec  *json.Decoder
	// The last position computed, so that pos scans forward only.
	lastOff, lastLine, lastCol int
}

// skip returns the offset of the next token at or after off.
func (c *jsonConv) skip(off int64) int {
	i := int(off)
	for i < len(c.data) {
		switch c.data[i] {
		case ' ', '\t', '\r', '\n', ',', ':':
			i++
			continue
		}
		break
	}
	return i
}

// pos converts a byte offset into a 1-based line and column (in
// characters). Offsets usually grow from call to call, and pos then scans
// only the bytes in between.
func (c *jsonConv) pos(off int) (line, col int) {
	off = min(max(off, 0), len(c.data))
	if off < c.lastOff || c.lastLine == 0 {
		c.lastOff, c.lastLine, c.lastCol = 0, 1, 1
	}
	seg := c.data[c.lastOff:off]
	if i := bytes.LastIndexByte(seg, '\n'); i >= 0 {
		c.lastLine += bytes.Count(seg, []byte{'\n'})
		c.lastCol = utf8.RuneCount(seg[i+1:]) + 1
	} else {
		c.lastCol += utf8.RuneCount(seg)
	}
	c.lastOff = off
	return c.lastLine, c.lastCol
}

func (c *jsonConv) value() (*yaml.Node, error) {
	line, col := c.pos(c.skip(c.dec.InputOffset()))
	tok, err := c.dec.Token()
	if err != nil {
		return nil, err
	}
	n := &yaml.Node{Line: line, Column: col}
	switch t := tok.(type) {
	case json.Delim:
		switch t {
		case '{':
			n.Kind, n.Tag = yaml.MappingNode, "!!map"
			for c.dec.More() {
				kline, kcol := c.pos(c.skip(c.dec.InputOffset()))
				ktok, err := c.dec.Token()
				if err != nil {
					return nil, err
				}
				key, _ := ktok.(string)
				v, err := c.value()
				if err != nil {
					return nil, err
				}
				n.Content = append(n.Content,
					&yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: key, Line: kline, Column: kcol}, v)
			}
		case '[':
			n.Kind, n.Tag = yaml.SequenceNode, "!!seq"
			for c.dec.More() {
				v, err := c.value()
				if err != nil {
					return nil, err
				}
				n.Content = append(n.Content, v)
			}
		}
		if _, err := c.dec.Token(); err != nil { // closing delimiter
			return nil, err
		}
	case string:
		n.Kind, n.Tag, n.Value, n.Style = yaml.ScalarNode, "!!str", t, yaml.DoubleQuotedStyle
	case json.Number:
		n.Kind, n.Tag, n.Value = yaml.ScalarNode, "!!int", t.String()
		if strings.ContainsAny(n.Value, ".eE") {
			n.Tag = "!!float"
		}
	case bool:
		n.Kind, n.Tag, n.Value = yaml.ScalarNode, "!!bool", strconv.FormatBool(t)
	case nil:
		n.Kind, n.Tag, n.Value = yaml.ScalarNode, "!!null", "null"
	}
	return n, nil
}

// parseTOML decodes TOML with go-toml (viper's TOML decoder), converts the
// result into a yaml.Node tree and places the nodes at the positions
// go-toml's parser gives for their keys and values.
func parseTOML(name string, data []byte) (*yaml.Node, error) {
	var m map[string]any
	if err := toml.Unmarshal(data, &m); err != nil {
		var de *toml.DecodeError
		if errors.As(err, &de) {
			line, col := de.Position()
			return nil, ErrorList{&Error{File: name, Line: line, Col: col, Msg: strings.TrimPrefix(de.Error(), "toml: "), Err: err}}
		}
		return nil, ErrorList{&Error{File: name, Msg: err.Error(), Err: err}}
	}
	if len(m) == 0 {
		return nil, nil
	}
	root := anyToNode(m)
	if pos := tomlPositions(data); pos != nil {
		root.Line, root.Column = 1, 1
		placeTOML(root, "", pos)
	}
	return root, nil
}

// anyToNode converts a decoded TOML value into a yaml.Node without position.
func anyToNode(v any) *yaml.Node {
	scalar := func(tag, val string) *yaml.Node {
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: tag, Value: val}
	}
	switch t := v.(type) {
	case map[string]any:
		n := &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map"}
		keys := make([]string, 0, len(t))
		for k := range t {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		for _, k := range keys {
			n.Content = append(n.Content, scalar("!!str", k), anyToNode(t[k]))
		}
		return n
	case []any:
		n := &yaml.Node{Kind: yaml.SequenceNode, Tag: "!!seq"}
		for _, e := range t {
			n.Content = append(n.Content, anyToNode(e))
		}
		return n
	case []map[string]any:
		n := &yaml.Node{Kind: yaml.SequenceNode, Tag: "!!seq"}
		for _, e := range t {
			n.Content = append(n.Content, anyToNode(e))
		}
		return n
	case string:
		return scalar("!!str", t)
	case bool:
		return scalar("!!bool", strconv.FormatBool(t))
	case int64:
		return scalar("!!int", strconv.FormatInt(t, 10))
	case float64:
		switch {
		case math.IsNaN(t):
			return scalar("!!float", ".nan")
		case math.IsInf(t, 1):
			return scalar("!!float", ".inf")
		case math.IsInf(t, -1):
			return scalar("!!float", "-.inf")
		}
		return scalar("!!float", strconv.FormatFloat(t, 'g', -1, 64))
	case time.Time:
		return scalar("!!timestamp", t.Format(time.RFC3339Nano))
	case fmt.Stringer: // toml.LocalDate, LocalTime, LocalDateTime
		return scalar("!!str", t.String())
	case nil:
		return scalar("!!null", "null")
	}
	return scalar("!!str", fmt.Sprint(v))
}

// describe names a node's kind and value for error messages:
// `string "abc"`, `a list`, `a mapping`.
func describe(n *yaml.Node) string {
	switch n.Kind {
	case yaml.SequenceNode:
		return "a list"
	case yaml.MappingNode:
		return "a mapping"
	case yaml.AliasNode:
		return "an alias"
	}
	v := n.Value
	if len(v) > 40 {
		v = v[:37] + "..."
	}
	switch n.ShortTag() {
	case "!!str":
		return fmt.Sprintf("string %q", v)
	case "!!int":
		return "integer " + v
	case "!!float":
		return "number " + v
	case "!!bool":
		return "boolean " + v
	case "!!null":
		return "null"
	case "!!timestamp":
		return "date " + v
	}
	return fmt.Sprintf("%q", v)
}
