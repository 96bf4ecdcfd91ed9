#!/bin/bash
# What `xpu run` adds to starting a program: `xpu run -- true` against `true`
# in the same run, with hyperfine when installed (else a timed loop).  Also
# `xpu run --app pytorch -- true`, which discovers the devices first (a
# profile needs the choice; a bare command does not): with the discovery
# cache warm, as users meet it, and with --no-cache, which initialises every
# runtime in every run.
# Goal (issue 3): at most 1 ms added, median, for `xpu run -- true`.
#   perf/run.sh [BUILD_DIR]
set -eu
cd "$(dirname "$0")/.."
build=${1:-build}
XPU=$PWD/$build/xpu
[ -x "$XPU" ] || { echo "perf/run.sh: build first (ninja -C $build)" >&2; exit 1; }
TRUE=$(command -v true)
export XPU_PROFILES_DIR=$PWD/profiles XPU_CACHE_DIR=$(mktemp -d)
trap 'rm -rf "$XPU_CACHE_DIR"' EXIT
if command -v hyperfine >/dev/null; then
	out=$(mktemp)
	hyperfine -N --warmup 20 --runs 300 --export-json "$out" \
		"$TRUE" "$XPU run -- $TRUE" "$XPU run --backend cpu --app pytorch -- $TRUE" \
		"$XPU run --app pytorch -- $TRUE" "$XPU --no-cache run --app pytorch -- $TRUE" >/dev/null
	python3 - "$out" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))["results"]
base = r[0]["median"]
for x in r:
    print(f"{x['command'][-60:]:60s} median {x['median']*1e3:8.3f} ms  added {(x['median']-base)*1e3:8.3f} ms  ratio {x['median']/base:6.2f}")
PY
	rm -f "$out"
else
	loop() { local s e; s=$(date +%s%N); for _ in $(seq 200); do "$@"; done; e=$(date +%s%N); echo $(((e - s) / 200000)); }
	t=$(loop "$TRUE"); x=$(loop "$XPU" run -- "$TRUE")
	echo "true: ${t} us/run; xpu run -- true: ${x} us/run; added $((x - t)) us (mean, 200 runs)"
fi
