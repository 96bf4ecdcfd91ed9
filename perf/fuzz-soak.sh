#!/bin/bash
# perf/fuzz-soak.sh: a long run of every libFuzzer target, one line each:
# executions, rate, coverage (edges, features), corpus, crashes, hangs.
# CI runs each target 20 s; this is the soak behind issue 15's goal
# (>= 10 million executions per target, 0 crashes, 0 hangs).
#
#   perf/fuzz-soak.sh                          # every target 60 s, build-fuzz/
#   TIME=3600 RUNS=10000000 PARALLEL=2 perf/fuzz-soak.sh
#   TARGETS="fuzz_ini fuzz_cache" TIME=600 perf/fuzz-soak.sh
#
# TIME      seconds per target at most (default 60)
# RUNS      stop a target after this many executions (default: none)
# PARALLEL  targets run at once (default 1; one core each)
# BUILD     the fuzz build folder (default build-fuzz; made if absent:
#           CC=clang meson setup build-fuzz -Dfuzz=true -Dtests=false);
#           a copy with only BUILD/fuzz/fuzz_* runs those as they are
# TARGETS   which targets (default: every fuzz_* built)
# OUT       where corpora, logs and crash/timeout files go (default a new
#           folder under /tmp, kept and named at the end)
#
# An input that runs longer than 10 s is a hang (-timeout=10) and is kept
# as OUT/TARGET/timeout-*; a crash, leak or sanitizer report as crash-*,
# leak-*, oom-*.  Replay one with: BUILD/fuzz/TARGET FILE.
# ASAN_OPTIONS defaults to malloc_context_size=0:quarantine_size_mb=16 here
# (no allocation stacks, and freed memory reused sooner: the heavier targets
# spent a third of their time unwinding and faulting fresh pages in); replay
# a crash without it to see where its memory came from.
set -u
cd "$(dirname "$0")/.."
TIME=${TIME:-60}
RUNS=${RUNS:-}
PARALLEL=${PARALLEL:-1}
BUILD=${BUILD:-build-fuzz}
OUT=${OUT:-$(mktemp -d /tmp/xpu-fuzz-soak-XXXXXX)}
export ASAN_OPTIONS=${ASAN_OPTIONS:-malloc_context_size=0:quarantine_size_mb=16}

die() { echo "perf/fuzz-soak.sh: $*" >&2; exit 1; }
case $TIME$PARALLEL$RUNS in *[!0-9]*) die "TIME, RUNS and PARALLEL are numbers" ;; esac
if [ ! -d "$BUILD/fuzz" ]; then
	command -v clang >/dev/null || die "clang is not installed (apt-get install clang)"
	CC=clang meson setup "$BUILD" -Dfuzz=true -Dtests=false >/dev/null || die "meson setup $BUILD failed"
fi
# a folder of targets built elsewhere (copied to a bigger machine) has no
# build.ninja: its targets run as they are
if [ -f "$BUILD/build.ninja" ]; then
	ninja -C "$BUILD" >/dev/null || die "ninja -C $BUILD failed"
fi
if [ -z "${TARGETS:-}" ]; then
	TARGETS=$(cd "$BUILD/fuzz" && for t in fuzz_*; do [ -f "$t" ] && [ -x "$t" ] && echo "$t"; done)
fi
[ -n "$TARGETS" ] || die "no fuzz target in $BUILD/fuzz"

# one target: its corpus grows under OUT, seeds from fuzz/corpus/TARGET
soak_one() {
	local t=$1 dir="$OUT/$1"
	mkdir -p "$dir/corpus"
	local runs=()
	[ -n "$RUNS" ] && runs=(-runs="$RUNS")
	"$BUILD/fuzz/$t" -max_total_time="$TIME" "${runs[@]}" -timeout=10 -rss_limit_mb=4096 \
		-print_final_stats=1 -artifact_prefix="$dir/" "$dir/corpus" "fuzz/corpus/$t" >"$dir/log" 2>&1
	echo $? >"$dir/rc"
}
export -f soak_one
export BUILD OUT TIME RUNS
start=$(date +%s)
printf '%s\n' $TARGETS | xargs -P "$PARALLEL" -I{} bash -c 'soak_one {}'
wall=$(($(date +%s) - start))

compiler=$(clang --version 2>/dev/null | head -1)
echo "fuzz soak: $(nproc) cores, $(uname -r), ${compiler:-targets built elsewhere (no clang here)}"
echo "TIME=${TIME}s per target${RUNS:+, RUNS=$RUNS}, PARALLEL=$PARALLEL, $wall s in all; OUT=$OUT"
printf '%-18s %12s %9s %8s %8s %7s %7s %6s %4s\n' target executions "exec/s" seconds edges features corpus crashes hangs
bad=0
for t in $TARGETS; do
	log="$OUT/$t/log"
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
	rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
	last=$(grep -E '^#[0-9]+.*cov: ' "$log" | tail -1)
	edges=$(sed -n 's/.*cov: \([0-9]*\).*/\1/p' <<<"$last")
	ft=$(sed -n 's/.* ft: \([0-9]*\).*/\1/p' <<<"$last")
	corp=$(sed -n 's/.* corp: \([0-9]*\/[0-9a-zA-Z]*\).*/\1/p' <<<"$last")
	crashes=$(find "$OUT/$t" -maxdepth 1 \( -name 'crash-*' -o -name 'leak-*' -o -name 'oom-*' \) | wc -l)
	hangs=$(find "$OUT/$t" -maxdepth 1 -name 'timeout-*' | wc -l)
	secs=$(awk -v n="${execs:-0}" -v r="${rate:-0}" 'BEGIN { printf "%d", (r > 0 ? n / r : 0) }')
	rc=$(cat "$OUT/$t/rc" 2>/dev/null || echo "?")
	# a target that stopped on its own without an artifact (a sanitizer
	# abort in its setup, a missing file) counts as a crash too
	[ "$rc" != 0 ] && [ "$crashes" = 0 ] && [ "$hangs" = 0 ] && crashes="rc=$rc"
	printf '%-18s %12s %9s %8s %8s %7s %7s %6s %4s\n' "$t" "${execs:-?}" "${rate:-?}" "$secs" \
		"${edges:-?}" "${ft:-?}" "${corp:-?}" "$crashes" "$hangs"
	[ "$crashes" = 0 ] && [ "$hangs" = 0 ] || bad=1
done
[ "$bad" = 0 ] && echo "no crash, no hang" || echo "crashes or hangs: see the files in $OUT/<target>/"
exit "$bad"
