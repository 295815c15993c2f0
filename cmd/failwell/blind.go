package main

import (
	"github.com/failwell/failwell/evaluate"
	"github.com/failwell/failwell/report"
)

// blindStories applies --blind: it replaces names and emails with
// pseudonyms keyed by the output directory's blind-key (created on the first
// blind run) and writes the mapping to blind-map.csv there, before anything
// is scored, so that no output ever holds a real name. Its errors are
// runtime failures (the output directory is not writable).
func blindStories(out string, stories []evaluate.Story) ([]evaluate.Story, error) {
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
