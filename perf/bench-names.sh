#!/usr/bin/env bash
# perf/bench-names.sh: do two xpu builds report the same figures?  For a
# change to how figures are named (the figure table, src/bench/figures.h):
# saved baselines compare by name, unit and counting, so these must not move.
# Runs each build's `xpu bench --json` on this machine and compares, per
# target, every figure's name, unit, counting, alt_counting, peak_kind and
# higher_is_better (not the values: they are measurements).
#
#   OLD=/path/to/main/build/xpu NEW=./build/xpu perf/bench-names.sh [BENCH OPTIONS]
#
# BENCH OPTIONS default to --quick (e.g. --full --device cuda: every shape).
# Exit status: 0 the same figures; 1 they differ (the diff is printed) or a
# run failed; 2 on bad settings.
set -u
OLD=${OLD:-}
NEW=${NEW:-./build/xpu}
[ -x "$OLD" ] && [ -x "$NEW" ] || { echo "usage: OLD=XPU NEW=XPU $0 [BENCH OPTIONS]" >&2; exit 2; }
command -v jq >/dev/null || { echo "needs jq" >&2; exit 2; }
[ $# -gt 0 ] || set -- --quick
tmp=$(mktemp -d /tmp/xpu-bench-names-XXXXXX)
trap 'rm -rf "$tmp"' EXIT
shape='[.targets[] | {backend, device, figures: [.figures[] |
	{name, unit, counting, alt_counting, peak_kind, higher_is_better, state}]}]'
for side in OLD NEW; do
	bin=${!side}
	if ! "$bin" bench "$@" --json >"$tmp/$side.json" 2>"$tmp/$side.err"; then
		echo "$side ($bin): xpu bench failed: $(tail -n1 "$tmp/$side.err")"
		exit 1
	fi
	jq "$shape" "$tmp/$side.json" >"$tmp/$side.shape"
done
figures=$(jq '[.[].figures[]] | length' "$tmp/NEW.shape")
if diff -u "$tmp/OLD.shape" "$tmp/NEW.shape"; then
	echo "same figures: $figures, in $(jq length "$tmp/NEW.shape") targets ($*)"
	exit 0
fi
echo "the figures differ (above: - $OLD, + $NEW)"
exit 1
