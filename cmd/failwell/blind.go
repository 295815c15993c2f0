package main

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/failwell/failwell/config"
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
//
// With --shard, the shards run in separate output directories and must
// derive pseudonyms from one key, so a shard refuses to start without a
// blind-key in its directory (a usage error saying how to make one).
func blindStories(cfg config.Config, stories []evaluate.Story) ([]evaluate.Story, error) {
	out := cfg.Out
	if _, err := os.Stat(filepath.Join(out, report.BlindKeyFile)); errors.Is(err, fs.ErrNotExist) {
		if _, n, _ := config.ParseShard(cfg.Shard); n > 1 {
			return nil, usagef("--blind with --shard: every shard must use the same key, and %s has no %s; "+
				"create one key (openssl rand -hex 32 > %s) and copy it into every shard's output directory before the runs",
				out, report.BlindKeyFile, report.BlindKeyFile)
		}
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
