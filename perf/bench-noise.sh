#!/usr/bin/env bash
# perf/bench-noise.sh: do two consecutive `xpu bench` runs agree?  Runs PAIRS
# pairs of runs back to back and, per figure, compares the two best values:
# a figure flagged noisy in either run is left out (the report said not to
# trust it); every other one must agree within TOLERANCE percent.
#
#   perf/bench-noise.sh                     # xpu bench --quick, every device
#   PAIRS=5 ARGS="--quick --device cpu" perf/bench-noise.sh
#
# XPU        the xpu binary (default ./build/xpu)
# ARGS       xpu bench's arguments (default --quick)
# PAIRS      pairs of consecutive runs (default 3)
# TOLERANCE  percent (default 10)
# OUT_DIR    keep the reports there (default: a temporary folder)
#
# Prints, per pair, the load average, every figure with both values, the
# difference and its verdict, then the totals: figures compared, agreeing,
# left out as noisy, and the worst difference among those compared.
# Exit status: 0 every figure not flagged noisy agreed; 1 one did not, or a
# run failed; 2 bad settings.
set -u
export LC_ALL=C
XPU=${XPU:-./build/xpu}
ARGS=${ARGS:---quick}
PAIRS=${PAIRS:-3}
TOLERANCE=${TOLERANCE:-10}
me=perf/bench-noise.sh
die() { printf '%s: %s\n' "$me" "$*" >&2; exit 2; }
case $PAIRS in '' | *[!0-9]* | 0) die "PAIRS must be a positive number, not '$PAIRS'" ;; esac
[ -x "$XPU" ] || die "xpu binary '$XPU' not found (build it, or set XPU)"
command -v python3 >/dev/null 2>&1 || die "python3 not found (it reads xpu's JSON)"
. "$(dirname "$0")/lib.sh"
perf_out_dir xpu-noise

echo "xpu bench $ARGS, $PAIRS pairs of consecutive runs, on $(hostname) ($(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //'))"
status=0
for p in $(seq 1 "$PAIRS"); do
	for run in a b; do
		# shellcheck disable=SC2086 # ARGS is split on purpose
		"$XPU" bench $ARGS --json >"$tmp/$p$run.json" 2>"$tmp/$p$run.err" ||
			{ echo "pair $p: xpu bench failed: $(tail -n1 "$tmp/$p$run.err")"; exit 1; }
	done
	python3 - "$tmp/${p}a.json" "$tmp/${p}b.json" "$TOLERANCE" "$p" >>"$tmp/verdicts" <<'EOF' || status=1
import json, sys
a, b = (json.load(open(f)) for f in sys.argv[1:3])
tol, pair = float(sys.argv[3]), sys.argv[4]
def figures(doc):
    return {(t["backend"], t["device"], f["name"]): f for t in doc["targets"] for f in t["figures"]
            if f.get("value") is not None}
fa, fb = figures(a), figures(b)
load = lambda d: d["machine"].get("load_avg_1m")
print("pair %s: load average %s then %s" % (pair, load(a), load(b)))
bad = 0
for key in sorted(fa.keys() & fb.keys()):
    x, y = fa[key], fb[key]
    diff = 100.0 * (y["value"] - x["value"]) / x["value"]
    if x.get("noisy") or y.get("noisy"):
        verdict = "noisy: " + (x.get("noise") or y.get("noise"))
        kind = "noisy"
    elif abs(diff) <= tol:
        verdict, kind = "agree", "agree"
    else:
        verdict, kind = "DISAGREE (beyond %g%%, not flagged noisy)" % tol, "disagree"
        bad += 1
    print("  %-7s %-26s %10.4g %10.4g %-8s %+7.1f%%  %s" % (key[0], key[2], x["value"], y["value"],
          x["unit"], diff, verdict))
    print("#", kind, abs(diff) if kind != "noisy" else "")
sys.exit(1 if bad else 0)
EOF
done
grep -v '^#' "$tmp/verdicts"
awk '/^# / { n++; k[$2]++; if ($2 != "noisy" && $3 > worst) worst = $3 }
	END { printf "%d figure pairs: %d agree, %d disagree, %d left out as noisy; worst difference among those compared: %.1f%%\n",
		n, k["agree"], k["disagree"], k["noisy"], worst }' "$tmp/verdicts"
if [ "$status" = 0 ]; then
	echo "goal: every figure not flagged noisy agrees within $TOLERANCE%: met"
else
	echo "goal: every figure not flagged noisy agrees within $TOLERANCE%: NOT met"
fi
exit $status
