package report_test

import (
	"fmt"
	"os"

	"github.com/failwell/failwell/evaluate"
	"github.com/failwell/failwell/report"
)

func ExampleSlug() {
	for _, name := range []string{"Nguyễn Thị Minh Anh", "Małgorzata Wójcik", "../../etc/passwd", "陈静"} {
		fmt.Printf("%q\n", report.Slug(name))
	}
	// Output:
	// "nguyen-thi-minh-anh"
	// "malgorzata-wojcik"
	// "etc-passwd"
	// ""
}

func ExampleJSONL() {
	results := []evaluate.Result{{
		Story: evaluate.Story{Ref: "cohort.csv::2", Name: "Ada"},
		Words: 3, Total: 12.5, Band: "Needs work",
		Scores: []evaluate.Score{{ID: "scope", Name: "Scope", Weight: 1, Level: 1}},
	}, {
		Story: evaluate.Story{Ref: "cohort.csv::3"},
		Err:   fmt.Errorf("cohort.csv: E3 (story): empty"),
	}}
	if err := report.JSONL(os.Stdout, results, []string{"feedback/001-ada.pdf", ""}, nil); err != nil {
		fmt.Println(err)
	}
	// Output:
	// {"status":"scored","row":"cohort.csv::2","id":"","name":"Ada","email":"","cohort":"","submitted_at":null,"as_of":"","words":3,"total":12.5,"band":"Needs work","criteria":[{"id":"scope","name":"Scope","level":1,"weight":1,"descriptor":"","evidence":[],"feedback":"","next_step":""}],"flags":[],"strength":"","change":"","pdf":"feedback/001-ada.pdf"}
	// {"status":"rejected","row":"cohort.csv::3","error":"cohort.csv: E3 (story): empty"}
}
