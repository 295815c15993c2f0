package main

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/failwell/failwell/evaluate"
	"github.com/failwell/failwell/report"
)

// blindStories applies --blind: it replaces names and emails with
// pseudonyms keyed by the output directory's blind-key (created on the first
// blind run) and writes the mapping to blind-map.csv there, before anything
// is scored, so that no output ever holds a real name.
//
// A first blind run into a directory that already holds the outputs of a
// run without --blind is refused (a usage error, nothing written): those
// PDFs and files name the candidates and would sit next to the blinded
// ones. Other errors are runtime failures (the directory is not writable).
func blindStories(out string, stories []evaluate.Story) ([]evaluate.Story, error) {
	if _, err := os.Stat(filepath.Join(out, report.BlindKeyFile)); errors.Is(err, fs.ErrNotExist) {
		for _, name := range []string{report.ResultsFile, report.WorkbookFile, "feedback"} {
			if _, err := os.Stat(filepath.Join(out, name)); err == nil {
				return nil, usagef("--blind: %s holds the outputs of a run without --blind (%s), which name the candidates; use an empty output directory", out, name)
			}
		}
	}
	key, err := report.BlindKey(out)
	if err != nil {
		return nil, err
	}
	blinded, mapping := evaluate.Blind(stories, key)
	if err := report.WriteBlindMap(out, mapping); err != nil {
		return nil, err
	}
	return blinded, nil
}
