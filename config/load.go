package config

import (
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"reflect"
	"strings"

	"github.com/spf13/pflag"
	"github.com/spf13/viper"
	"go.yaml.in/yaml/v3"
)

// ConfigNames are the configuration file names [Load] looks for in
// [LoadOptions.Dir], in this order. Finding more than one is an error.
var ConfigNames = []string{"failwell.yaml", "failwell.yml", "failwell.toml", "failwell.json"}

// LoadOptions say where [Load] finds the configuration.
type LoadOptions struct {
	// File is the configuration file given with --config; empty means
	// FAILWELL_CONFIG, then a failwell.yaml, .yml, .toml or .json in Dir.
	File string
	// Dir is the directory searched for a configuration file; empty means
	// the current directory.
	Dir string
	// Flags are the command's flags; only those the user set (Changed)
	// override the environment, the file and the defaults. Flags are looked
	// up by [Setting.Flag]; settings without a flag on this set are skipped.
	// May be nil.
	Flags *pflag.FlagSet
	// Getenv reads the environment (os.Getenv in main); nil means an empty
	// environment. An empty value counts as unset.
	Getenv func(string) string
	// Environ, if not nil, is the whole environment as "KEY=value" strings
	// (os.Environ in main). It is used only to report FAILWELL_* variables
	// that are not settings (a typo such as FAILWELL_JOB) as errors.
	Environ []string
}

// source records where a setting's value came from, for error messages.
type source struct {
	name string     // file name, "FAILWELL_X" or "--x"
	node *yaml.Node // the key node, for file values
}

// Load reads the configuration: defaults, then the configuration file, then
// FAILWELL_* environment variables, then the flags the user set, each
// overriding the one before, and validates the result.
//
// Every error Load returns is a configuration error (exit status 2). Problems
// with values are reported all at once as an [ErrorList]: unknown keys and
// values of the wrong type name the file, line and column; bad values from
// the environment or flags name the variable or flag. A missing --config
// file is an error; a missing failwell.yaml is not.
func Load(opts LoadOptions) (Config, error) {
	getenv := opts.Getenv
	if getenv == nil {
		getenv = func(string) string { return "" }
	}
	var errs ErrorList
	v := viper.New()
	for _, s := range Settings {
		if s.Key == "config" {
			continue
		}
		def, err := parseText(s.kind, s.Default)
		if err != nil {
			panic("config: bad default for " + s.Key + ": " + err.Error())
		}
		v.SetDefault(s.Key, def)
	}
	from := map[string]source{}

	// The file.
	file, err := findFile(opts, getenv)
	if err != nil {
		return Config{}, err
	}
	if file != "" {
		data, err := os.ReadFile(file)
		if err != nil {
			return Config{}, fmt.Errorf("read config: %w", err)
		}
		doc, err := parseDocument(file, data)
		if err != nil {
			return Config{}, err
		}
		vals, nodes, ferrs := fileValues(doc)
		errs = append(errs, ferrs...)
		if err := v.MergeConfigMap(nest(vals)); err != nil {
			return Config{}, fmt.Errorf("config %s: %w", file, err)
		}
		for k, n := range nodes {
			from[k] = source{name: file, node: n}
		}
	}

	// The environment, then the flags the user set.
	errs = append(errs, unknownEnv(opts.Environ)...)
	for _, s := range Settings {
		if s.Key == "config" {
			continue
		}
		if raw := getenv(s.Env); raw != "" {
			val, err := parseText(s.kind, raw)
			if err != nil {
				errs.Add(&Error{File: s.Env, Msg: err.Error(), Err: err})
				continue
			}
			v.Set(s.Key, val)
			setFrom(from, s.Key, source{name: s.Env})
		}
	}
	for _, s := range Settings {
		if s.Key == "config" || opts.Flags == nil {
			continue
		}
		f := opts.Flags.Lookup(s.Flag)
		if f == nil || !f.Changed {
			continue
		}
		val, err := flagValue(opts.Flags, f, s.kind)
		if err != nil {
			errs.Add(&Error{File: "--" + s.Flag, Msg: err.Error(), Err: err})
			continue
		}
		v.Set(s.Key, val)
		setFrom(from, s.Key, source{name: "--" + s.Flag})
	}

	c := Config{File: file}
	for _, s := range Settings {
		if s.Key == "config" {
			continue
		}
		if val := v.Get(s.Key); val != nil {
			s.set(&c, val)
		}
	}
	// Paths in the file are relative to the file; paper sizes are
	// case-insensitive.
	if file != "" {
		rel := func(key string, p *string) {
			if from[key].node != nil && *p != "" && !filepath.IsAbs(*p) {
				*p = filepath.Join(filepath.Dir(file), *p)
			}
		}
		rel("rubric", &c.Rubric)
		rel("brand.logo", &c.Brand.Logo)
	}
	switch strings.ToLower(c.Brand.Paper) {
	case "a4":
		c.Brand.Paper = "A4"
	case "letter":
		c.Brand.Paper = "Letter"
	}

	if err := c.Validate(); err != nil {
		var verrs ErrorList
		errors.As(err, &verrs)
		for _, e := range verrs {
			key := e.Path
			src, ok := from[key]
			if !ok && strings.HasPrefix(key, "columns.") {
				key = "columns"
				src, ok = from[key]
			}
			switch {
			case !ok:
			case src.node != nil:
				e.File, e.Line, e.Col = src.name, src.node.Line, src.node.Column
			default: // environment variable or flag
				e.File = src.name
				if key != e.Path {
					e.Path = strings.TrimPrefix(e.Path, key+".")
				} else {
					e.Path = ""
				}
			}
			errs.Add(e)
		}
	}
	if err := errs.Err(); err != nil {
		return Config{}, err
	}
	return c, nil
}

// setFrom records that key's value came from src, forgetting where the
// entries of a map value came from before.
func setFrom(from map[string]source, key string, src source) {
	for k := range from {
		if strings.HasPrefix(k, key+".") {
			delete(from, k)
		}
	}
	from[key] = src
}

// unknownEnv reports the FAILWELL_* variables of environ that are not
// settings.
func unknownEnv(environ []string) ErrorList {
	var errs ErrorList
	var known []string
	for _, s := range Settings {
		known = append(known, s.Env)
	}
	for _, kv := range environ {
		name, _, _ := strings.Cut(kv, "=")
		if !strings.HasPrefix(name, "FAILWELL_") || contains(known, name) {
			continue
		}
		msg := "unknown variable"
		if sug := suggest(name, known); sug != "" {
			msg += fmt.Sprintf(" (did you mean %s?)", sug)
		}
		errs.Add(&Error{File: name, Msg: msg})
	}
	return errs
}

// findFile returns the configuration file to read, or "" for none.
func findFile(opts LoadOptions, getenv func(string) string) (string, error) {
	if opts.File != "" {
		return opts.File, nil
	}
	if opts.Flags != nil {
		if f := opts.Flags.Lookup("config"); f != nil && f.Changed && f.Value.String() != "" {
			return f.Value.String(), nil
		}
	}
	if f := getenv("FAILWELL_CONFIG"); f != "" {
		return f, nil
	}
	var found []string
	for _, name := range ConfigNames {
		p := name
		if opts.Dir != "" {
			p = filepath.Join(opts.Dir, name)
		}
		switch info, err := os.Stat(p); {
		case err == nil && !info.IsDir():
			found = append(found, p)
		case err != nil && !errors.Is(err, fs.ErrNotExist):
			return "", fmt.Errorf("config: %w", err)
		}
	}
	switch len(found) {
	case 0:
		return "", nil
	case 1:
		return found[0], nil
	}
	return "", fmt.Errorf("config: found %s; keep one, or choose with --config", strings.Join(found, " and "))
}

// flagValue reads a set flag's value as the kind's Go type. Flags that
// [AddFlags] defined are read directly; others are parsed from their text.
func flagValue(fs *pflag.FlagSet, f *pflag.Flag, k kind) (any, error) {
	switch {
	case k == kindMap && isMapValue(f.Value):
		return maps.Clone(map[string]string(*f.Value.(*mapValue))), nil
	case k == kindMap && f.Value.Type() == "stringToString":
		m, err := fs.GetStringToString(f.Name)
		if err != nil {
			return nil, err
		}
		out := make(map[string]string, len(m))
		for key, val := range m {
			out[normKey(key)] = unquote(val)
		}
		return out, nil
	case k == kindMap:
		if sv, ok := f.Value.(pflag.SliceValue); ok {
			return parseMap(strings.Join(sv.GetSlice(), ","))
		}
	}
	return parseText(k, f.Value.String())
}

// fileValues walks a configuration document and returns the value of every
// setting it sets, keyed by setting key, with the key nodes for positions.
// Unknown keys, duplicate keys and values of the wrong type are reported.
func fileValues(doc *document) (vals map[string]any, nodes map[string]*yaml.Node, errs ErrorList) {
	vals, nodes = map[string]any{}, map[string]*yaml.Node{}
	if doc.root == nil {
		return vals, nodes, nil
	}
	d := newDecoder(doc.file)
	var walk func(n *yaml.Node, prefix string)
	walk = func(n *yaml.Node, prefix string) {
		if n.Kind == yaml.AliasNode && n.Alias != nil {
			n = n.Alias
		}
		if n.Kind == yaml.ScalarNode && n.ShortTag() == "!!null" {
			return // "brand:" with every entry commented out
		}
		if n.Kind != yaml.MappingNode {
			what := "settings"
			if prefix != "" {
				what = prefix + " settings"
			}
			d.fail(n, prefix, "expected a mapping of %s, got %s", what, describe(n))
			return
		}
		merged, own := d.pairs(n, prefix)
		seen := map[string]bool{}
		for i, p := range append(merged, own...) {
			name, ok := d.keyOf(p[0], prefix)
			if !ok {
				continue
			}
			key := join(prefix, name)
			if i >= len(merged) {
				if seen[name] {
					d.fail(p[0], key, "duplicate key %q", name)
					continue
				}
				seen[name] = true
			}
			if isGroup(key) {
				walk(p[1], key)
				continue
			}
			s, ok := setting(key)
			if !ok || s.Key == "config" {
				msg := fmt.Sprintf("unknown key %q", name)
				if s.Key == "config" {
					msg = "the configuration file cannot be chosen in a configuration file"
				} else if sug := suggest(name, keysUnder(prefix)); sug != "" {
					msg += fmt.Sprintf(" (did you mean %q?)", sug)
				}
				d.fail(p[0], key, "%s", msg)
				continue
			}
			if v := p[1]; v.Kind == yaml.ScalarNode && v.ShortTag() == "!!null" {
				continue // "out:" with no value leaves the setting unset
			}
			if val, ok := fileValue(d, p[1], s); ok {
				vals[key] = val
				nodes[key] = p[0]
				if v := p[1]; s.kind == kindMap && v.Kind == yaml.MappingNode {
					for j := 0; j+1 < len(v.Content); j += 2 {
						nodes[key+"."+normKey(v.Content[j].Value)] = v.Content[j]
					}
				}
			}
		}
	}
	walk(doc.root, "")
	return vals, nodes, d.errs
}

// fileValue decodes one setting's value node.
func fileValue(d *decoder, n *yaml.Node, s Setting) (any, bool) {
	if n.Kind == yaml.AliasNode && n.Alias != nil {
		n = n.Alias
	}
	before := len(d.errs)
	var val any
	switch s.kind {
	case kindInt:
		var x int
		d.decode(n, reflect.ValueOf(&x).Elem(), s.Key)
		val = x
	case kindBool:
		var x bool
		d.decode(n, reflect.ValueOf(&x).Elem(), s.Key)
		val = x
	case kindMap:
		var x map[string]string
		d.decode(n, reflect.ValueOf(&x).Elem(), s.Key)
		var m map[string]string // nil when empty, as in Default
		for k, v := range x {
			if m == nil {
				m = map[string]string{}
			}
			m[normKey(k)] = v
		}
		val = m
	case kindDate:
		var x string
		d.decode(n, reflect.ValueOf(&x).Elem(), s.Key)
		t, err := parseDate(x)
		if err != nil {
			d.fail(n, s.Key, "%s", err.Error())
		}
		val = t
	default:
		var x string
		d.decode(n, reflect.ValueOf(&x).Elem(), s.Key)
		val = x
	}
	return val, len(d.errs) == before
}

// isGroup reports whether key is a nesting level ("brand") rather than a
// setting.
func isGroup(key string) bool {
	for _, s := range Settings {
		if strings.HasPrefix(s.Key, key+".") {
			return true
		}
	}
	return false
}

// keysUnder lists the key names directly under prefix ("" for the top).
func keysUnder(prefix string) []string {
	var names []string
	for _, s := range Settings {
		k := s.Key
		if prefix != "" {
			if !strings.HasPrefix(k, prefix+".") {
				continue
			}
			k = strings.TrimPrefix(k, prefix+".")
		}
		k, _, _ = strings.Cut(k, ".")
		if k != "config" && !contains(names, k) {
			names = append(names, k)
		}
	}
	return names
}

// nest turns {"brand.org": x} into {"brand": {"org": x}} for viper.
func nest(flat map[string]any) map[string]any {
	out := map[string]any{}
	for k, v := range flat {
		m := out
		parts := strings.Split(k, ".")
		for _, p := range parts[:len(parts)-1] {
			sub, ok := m[p].(map[string]any)
			if !ok {
				sub = map[string]any{}
				m[p] = sub
			}
			m = sub
		}
		m[parts[len(parts)-1]] = v
	}
	return out
}
