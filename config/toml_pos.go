package config

import (
	"sort"
	"strconv"
	"unicode/utf8"

	"github.com/pelletier/go-toml/v2/unstable"
	"go.yaml.in/yaml/v3"
)

// tomlPos is where a TOML key and its value start (line, column; 0 if
// unknown).
type tomlPos struct {
	keyLine, keyCol int
	valLine, valCol int
}

// tomlPositions maps the document paths of a TOML file ("criteria[1].weight")
// to the positions of their keys and values, using go-toml's parser. Values
// themselves are decoded by toml.Unmarshal; this only locates them. It is
// best effort: on anything unexpected it returns what it has (or nil).
func tomlPositions(data []byte) (pos map[string]*tomlPos) {
	defer func() {
		if recover() != nil {
			pos = nil
		}
	}()
	lines := []int{0} // offsets of line starts
	for i, b := range data {
		if b == '\n' {
			lines = append(lines, i+1)
		}
	}
	at := func(r unstable.Range) (int, int) {
		off := int(r.Offset)
		i := sort.Search(len(lines), func(i int) bool { return lines[i] > off }) - 1
		return i + 1, utf8.RuneCount(data[lines[i]:off]) + 1
	}
	pos = map[string]*tomlPos{}
	get := func(path string) *tomlPos {
		p := pos[path]
		if p == nil {
			p = &tomlPos{}
			pos[path] = p
		}
		return p
	}
	setKey := func(path string, k *unstable.Node) {
		if p := get(path); p.keyLine == 0 {
			p.keyLine, p.keyCol = at(k.Raw)
		}
	}
	// keyParts returns the parts of a dotted key and their nodes.
	keyParts := func(it unstable.Iterator) (names []string, nodes []*unstable.Node) {
		for it.Next() {
			names = append(names, string(it.Node().Data))
			nodes = append(nodes, it.Node())
		}
		return names, nodes
	}
	var value func(v *unstable.Node, path string)
	value = func(v *unstable.Node, path string) {
		if v.Raw.Length > 0 {
			if p := get(path); p.valLine == 0 {
				p.valLine, p.valCol = at(v.Raw)
			}
		}
		switch v.Kind {
		case unstable.Array:
			i := 0
			for it := v.Children(); it.Next(); i++ {
				value(it.Node(), path+"["+strconv.Itoa(i)+"]")
			}
		case unstable.InlineTable:
			for it := v.Children(); it.Next(); {
				kv := it.Node()
				if kv.Kind != unstable.KeyValue {
					continue
				}
				names, nodes := keyParts(kv.Key())
				sub := path
				for i, n := range names {
					sub = join(sub, n)
					setKey(sub, nodes[i])
				}
				value(kv.Value(), sub)
			}
		}
	}

	arrays := map[string]int{} // array-of-tables path → elements so far
	current := ""
	var p unstable.Parser
	p.Reset(data)
	for p.NextExpression() {
		e := p.Expression()
		switch e.Kind {
		case unstable.Table, unstable.ArrayTable:
			names, nodes := keyParts(e.Key())
			path := ""
			for i, n := range names {
				path = join(path, n)
				if i == len(names)-1 && e.Kind == unstable.ArrayTable {
					arrays[path]++
					elem := path + "[" + strconv.Itoa(arrays[path]-1) + "]"
					setKey(path, nodes[i])
					setKey(elem, nodes[i])
					get(elem).valLine, get(elem).valCol = at(nodes[i].Raw)
					path = elem
					break
				}
				setKey(path, nodes[i])
				if n, ok := arrays[path]; ok {
					path += "[" + strconv.Itoa(n-1) + "]"
				}
			}
			current = path
		case unstable.KeyValue:
			names, nodes := keyParts(e.Key())
			path := current
			for i, n := range names {
				path = join(path, n)
				setKey(path, nodes[i])
			}
			value(e.Value(), path)
		}
	}
	return pos
}

// placeTOML copies positions from tomlPositions onto a node tree built by
// anyToNode: keys get their key's position, values their own (or their
// key's when unknown, as for arrays).
func placeTOML(n *yaml.Node, path string, pos map[string]*tomlPos) {
	switch n.Kind {
	case yaml.MappingNode:
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i], n.Content[i+1]
			sub := join(path, k.Value)
			if p := pos[sub]; p != nil {
				k.Line, k.Column = p.keyLine, p.keyCol
				v.Line, v.Column = p.valLine, p.valCol
				if v.Line == 0 {
					v.Line, v.Column = p.keyLine, p.keyCol
				}
			}
			placeTOML(v, sub, pos)
		}
	case yaml.SequenceNode:
		for i, e := range n.Content {
			sub := path + "[" + strconv.Itoa(i) + "]"
			if p := pos[sub]; p != nil {
				e.Line, e.Column = p.valLine, p.valCol
				if e.Line == 0 {
					e.Line, e.Column = p.keyLine, p.keyCol
				}
			}
			if e.Line == 0 {
				e.Line, e.Column = n.Line, n.Column
			}
			placeTOML(e, sub, pos)
		}
	}
}
