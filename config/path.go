package config

import (
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// segment is one step of a document path: a key or an index.
type segment struct {
	key   string
	index int // >= 0 for "[i]"; -1 for a key
}

// splitPath splits "criteria[2].signals[0].pattern" into its steps.
// "a[key]" with a non-numeric key is a key step, like "a.key".
func splitPath(path string) []segment {
	var segs []segment
	for path != "" {
		switch path[0] {
		case '.':
			path = path[1:]
			continue
		case '[':
			end := strings.IndexByte(path, ']')
			if end < 0 {
				segs = append(segs, segment{key: path[1:], index: -1})
				return segs
			}
			in := path[1:end]
			if i, err := strconv.Atoi(in); err == nil && i >= 0 {
				segs = append(segs, segment{index: i})
			} else {
				segs = append(segs, segment{key: strings.Trim(in, `"'`), index: -1})
			}
			path = path[end+1:]
			continue
		}
		end := strings.IndexAny(path, ".[")
		if end < 0 {
			end = len(path)
		}
		segs = append(segs, segment{key: path[:end], index: -1})
		path = path[end:]
	}
	return segs
}

// locate returns the node that path designates in the tree rooted at root,
// or the deepest node on the way if the path leads to a missing key or
// index (the mapping a required key is missing from, for example). For a
// key, it returns the key node, whose position is where the line starts.
// It returns nil only when root is nil.
func locate(root *yaml.Node, path string) *yaml.Node {
	n, at := root, root
	for _, s := range splitPath(path) {
		if n == nil {
			break
		}
		if n.Kind == yaml.AliasNode && n.Alias != nil {
			n = n.Alias
		}
		switch {
		case s.index >= 0:
			if n.Kind != yaml.SequenceNode || s.index >= len(n.Content) {
				return at
			}
			n = n.Content[s.index]
			at = n
		default:
			if n.Kind != yaml.MappingNode {
				return at
			}
			k, v := lookup(n, s.key, 0)
			if k == nil {
				return at
			}
			n, at = v, k
		}
	}
	return at
}

// lookup finds key in a mapping node, following merge keys.
func lookup(m *yaml.Node, key string, depth int) (k, v *yaml.Node) {
	if depth > 8 {
		return nil, nil
	}
	for i := 0; i+1 < len(m.Content); i += 2 {
		if kn := m.Content[i]; kn.Kind == yaml.ScalarNode && kn.Value == key && kn.ShortTag() != "!!merge" {
			return kn, m.Content[i+1]
		}
	}
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].ShortTag() != "!!merge" {
			continue
		}
		val := m.Content[i+1]
		if val.Kind == yaml.AliasNode && val.Alias != nil {
			val = val.Alias
		}
		cands := []*yaml.Node{val}
		if val.Kind == yaml.SequenceNode {
			cands = val.Content
		}
		for _, c := range cands {
			if c.Kind == yaml.AliasNode && c.Alias != nil {
				c = c.Alias
			}
			if c.Kind == yaml.MappingNode {
				if k, v := lookup(c, key, depth+1); k != nil {
					return k, v
				}
			}
		}
	}
	return nil, nil
}
