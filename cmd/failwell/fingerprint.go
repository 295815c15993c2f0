package main

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/failwell/failwell/report"
)

// runFingerprint hashes everything a run's outputs depend on: the program
// version, each input's path and bytes, the rubric, the as-of date and
// every setting that changes an output (brand logo bytes included). It
// returns "" when an input is not a regular file or cannot be read (the
// run then reads it as usual, once).
func runFingerprint(s *setup, args []string) string {
	h := sha256.New()
	c := s.cfg
	enc := json.NewEncoder(h)
	_ = enc.Encode(struct {
		Version, Rubric, AsOf, Sheet, Shard, Out string
		Columns                                  map[string]string
		NoPDF, Blind                             bool
		Brand                                    any
		Args                                     []string
	}{buildID(), s.rubricSum, s.asOf.Format(time.DateOnly), c.Sheet, c.Shard, c.Out,
		c.Columns, c.NoPDF, c.Blind, c.Brand, args})
	files := args
	if c.Brand.Logo != "" {
		files = append(append([]string{}, args...), c.Brand.Logo)
	}
	for _, p := range files {
		// Regular files only: a pipe or device cannot be read twice.
		if fi, err := os.Stat(p); err != nil || !fi.Mode().IsRegular() {
			return ""
		}
		f, err := os.Open(p)
		if err != nil {
			return ""
		}
		fmt.Fprintf(h, "%s\n", p)
		_, err = io.Copy(h, f)
		f.Close()
		if err != nil {
			return ""
		}
	}
	return hex.EncodeToString(h.Sum(nil))
}

// unchangedRun returns the previous run recorded in out when it finished
// (exit 0 or 3, not interrupted) with the same fingerprint and every output
// it wrote is still there: then this run has nothing to do.
func unchangedRun(out, fingerprint string) (*report.RunInfo, bool) {
	if fingerprint == "" {
		return nil, false
	}
	b, err := os.ReadFile(filepath.Join(out, report.RunFile))
	if err != nil {
		return nil, false
	}
	var prev report.RunInfo
	if json.Unmarshal(b, &prev) != nil || prev.Fingerprint != fingerprint || prev.Interrupted ||
		(prev.ExitStatus != 0 && prev.ExitStatus != exitPartial) || len(prev.Outputs) == 0 {
		return nil, false
	}
	for _, o := range prev.Outputs {
		fi, err := os.Stat(filepath.Join(out, filepath.FromSlash(o)))
		if err != nil || !fi.Mode().IsRegular() || fi.ModTime().After(prev.End) {
			return nil, false // gone, or changed since
		}
	}
	return &prev, true
}

// finishUnchanged records a run that had nothing to do: run.json is the
// previous run's, with this run's start, end and arguments, and a single
// stage "unchanged".
func finishUnchanged(g *globalOptions, log *logger, s *setup, prev *report.RunInfo, start time.Time, args []string) error {
	info := *prev
	info.Start, info.Args = start.UTC(), args
	info.End = time.Now().UTC()
	info.Stages = []report.Stage{{Name: "unchanged", Seconds: info.End.Sub(start).Seconds()}}
	if err := report.WriteRun(s.cfg.Out, info); err != nil {
		return err
	}
	c := info.Counts
	log.printf("inputs, rubric and settings unchanged since the run that ended %s: outputs kept (--force to redo)",
		prev.End.Local().Format(time.DateTime))
	fmt.Fprintf(g.stdout, "%d rows: %d scored (%d flagged for review), %d rejected (unchanged)\n", c.Read, c.Scored, c.Flagged, c.Rejected)
	fmt.Fprintf(g.stdout, "kept %s: nothing changed since the last run\n", s.cfg.Out)
	if info.ExitStatus == exitPartial {
		return errPartial
	}
	return nil
}
