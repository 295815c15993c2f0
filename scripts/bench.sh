#!/usr/bin/env bash
# bench.sh — measure `failwell run` on synthetic cohorts of 1k, 10k and 100k
# candidates: wall time and peak RSS (GNU time) of a first run, an unchanged
# rerun (a no-op), and a rerun after one row was added to the sheet.
#
# Usage, from the repository root:
#
#   scripts/bench.sh [SIZES...]        # default: 1000 10000 100000
#   WORK=/tmp/fwbench scripts/bench.sh 10000
#
# Cohorts come from `go run ./samples/gen -n N` (deterministic: the same N
# gives the same file). Sizes up to 10,000 are run with PDFs and with
# --no-pdf; larger sizes with --no-pdf only (set PDF_MAX to change that).
# Results are printed as a Markdown table. Needs GNU time (/usr/bin/time;
# Debian: apt-get install time).
set -euo pipefail

cd "$(dirname "$0")/.."
WORK=${WORK:-$(mktemp -d /tmp/failwell-bench.XXXXXX)}
PDF_MAX=${PDF_MAX:-10000}
JOBS=${JOBS:-0}
SIZES=("$@")
[ ${#SIZES[@]} -gt 0 ] || SIZES=(1000 10000 100000)
TIME=/usr/bin/time
[ -x "$TIME" ] || { echo "bench.sh: GNU time not found at $TIME (apt-get install time)" >&2; exit 2; }

mkdir -p "$WORK"
go build -o "$WORK/failwell" ./cmd/failwell
echo "machine: $(nproc) CPUs, $(uname -sm), $(grep -m1 'model name' /proc/cpuinfo 2>/dev/null | cut -d: -f2 | sed 's/^ //')"
echo "go: $(go version | cut -d' ' -f3), jobs: $JOBS, work dir: $WORK"
echo
echo "| candidates | mode | run | wall (s) | peak RSS (MB) |"
echo "|---:|---|---|---:|---:|"

measure() { # measure LABEL OUT ARGS... → one table row
	local n=$1 mode=$2 label=$3 out=$4
	shift 4
	local log="$WORK/time.log"
	set +e
	"$TIME" -f '%e %M' -o "$log" "$WORK/failwell" run "$@" --out "$out" --as-of 2026-11-20 --quiet --jobs "$JOBS" >/dev/null 2>"$WORK/stderr.log"
	local code=$?
	set -e
	if [ $code -ne 0 ] && [ $code -ne 3 ]; then
		echo "bench.sh: failwell exited $code:" >&2
		cat "$WORK/stderr.log" >&2
		exit 1
	fi
	read -r wall rss < <(tail -n1 "$log")
	printf '| %s | %s | %s | %s | %d |\n' "$n" "$mode" "$label" "$wall" $((rss / 1024))
}

outs=()
for n in "${SIZES[@]}"; do
	in="$WORK/cohort-$n.xlsx"
	[ -f "$in" ] || go run ./samples/gen -n "$n" -o "$in"
	grown="$WORK/cohort-$n-plus1.xlsx" # the same rows and one more (gen is prefix-stable)
	[ -f "$grown" ] || go run ./samples/gen -n "$((n + 1))" -o "$grown"
	modes=(no-pdf)
	[ "$n" -le "$PDF_MAX" ] && modes=(pdf no-pdf)
	for mode in "${modes[@]}"; do
		flags=()
		[ "$mode" = no-pdf ] && flags=(--no-pdf)
		# A fresh output directory: deleting thousands of files just before a
		# run slows the file creations that follow on ext4 (discard), which
		# would be measured as the run's time.
		out="$WORK/out-$n-$mode-$$-$RANDOM"
		cp "$in" "$WORK/cohort.xlsx"
		sync
		measure "$n" "$mode" first "$out" "$WORK/cohort.xlsx" "${flags[@]}"
		measure "$n" "$mode" "rerun, unchanged" "$out" "$WORK/cohort.xlsx" "${flags[@]}"
		cp "$grown" "$WORK/cohort.xlsx"
		measure "$n" "$mode" "rerun, +1 row" "$out" "$WORK/cohort.xlsx" "${flags[@]}"
		outs+=("$out")
	done
done
rm -rf "${outs[@]}" # after all measurements, not between them
