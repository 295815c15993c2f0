//go:build race

package report

// raceDetector is true when the tests run with -race, which makes the
// large-cohort test use fewer rows.
const raceDetector = true
