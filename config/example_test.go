package config_test

import (
	"fmt"

	"github.com/failwell/failwell/config"
	"github.com/spf13/pflag"
)

// Load merges defaults, testdata/example/failwell.yaml, the environment and
// the flags the user set, in increasing order of precedence.
func ExampleLoad() {
	flags := pflag.NewFlagSet("run", pflag.ContinueOnError)
	config.AddFlags(flags)
	_ = flags.Parse([]string{"--jobs=2", "--as-of=2026-10-01"})

	env := map[string]string{"FAILWELL_OUT": "from-env", "FAILWELL_BRAND_ACCENT": "#0B6E4F"}
	cfg, err := config.Load(config.LoadOptions{
		Dir:    "testdata/example",
		Flags:  flags,
		Getenv: func(k string) string { return env[k] }, // os.Getenv in main
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("file:", cfg.File)
	fmt.Println("out:", cfg.Out)   // the environment beats the file
	fmt.Println("jobs:", cfg.Jobs) // the flag beats the file
	fmt.Println("as of:", cfg.AsOf.Format(config.DateLayout))
	fmt.Printf("columns: %q\n", cfg.Columns)
	fmt.Printf("brand: %+v\n", cfg.Brand)
	// Output:
	// file: testdata/example/failwell.yaml
	// out: from-env
	// jobs: 2
	// as of: 2026-10-01
	// columns: map["story":"Tell us about your biggest failure"]
	// brand: {Org:Acme Bootcamp Logo: Accent:#0B6E4F Footer: Paper:Letter}
}

// Load reports every problem at once, with the file, line and column.
func ExampleLoad_errors() {
	env := map[string]string{"FAILWELL_JOBS": "many"}
	_, err := config.Load(config.LoadOptions{
		File:   "testdata/example/broken.yaml",
		Getenv: func(k string) string { return env[k] },
	})
	fmt.Println(err)
	// Output:
	// FAILWELL_JOBS: expected an integer, got "many"
	// testdata/example/broken.yaml:1:1: Out: unknown key "Out" (did you mean "out"?)
	// testdata/example/broken.yaml:3:3: brand.accent: must be a colour "#RRGGBB", got "teal"
}

// LoadRubric decodes a rubric strictly and reports every problem with its
// position.
func ExampleLoadRubric() {
	_, err := config.LoadRubric("rubric.yaml", []byte(`id: tiny
bands: [{name: All, min: 0}]
criteria:
  - id: scope
    name: Scope
    wieght: 2
    thresholds: [1, 2, 3, 4]
    levels: [{descriptor: a, feedback: a}]
    signals:
      - {id: big, kind: regex, weight: 1, pattern: "team of (\\d+"}
`))
	fmt.Println(err)
	// Output:
	// rubric.yaml:4:5: criteria[0].weight: must be > 0, got 0
	// rubric.yaml:6:5: criteria[0].wieght: unknown key "wieght" (did you mean "weight"?)
	// rubric.yaml:8:5: criteria[0].levels: must have exactly 5 entries (levels 0-4), got 1
	// rubric.yaml:10:43: criteria[0].signals[0].pattern: invalid regular expression: error parsing regexp: missing closing ): `team of (\d+`
}
