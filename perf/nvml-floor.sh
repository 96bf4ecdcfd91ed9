#!/usr/bin/env bash
# perf/nvml-floor.sh: how much of `xpu list --json`'s time on an NVIDIA
# machine is NVML's own.  Builds perf/nvml_floor.c (NVML called directly,
# nothing else) and times, side by side: nvidia-smi -L; the floor program
# doing what -L does (init, handles, names, UUIDs); the same with
# nvmlShutdown; the same plus the values xpu list --json reads live; and
# xpu list --json itself.
#
#   XPU=./build/xpu RUNS=40 perf/nvml-floor.sh
#
# XPU   the xpu binary (default ./build/xpu); RUNS  timed runs (default 40)
# CC    the C compiler (default cc)
# Needs libnvidia-ml.so.1 and nvidia-smi; uses hyperfine when installed,
# else a date +%s%N loop (medians).  Exit status 1 when something needed is
# missing, saying what.
set -u
export LC_ALL=C
XPU=${XPU:-./build/xpu}
RUNS=${RUNS:-40}
CC=${CC:-cc}
me=perf/nvml-floor.sh
die() { printf '%s: %s\n' "$me" "$*" >&2; exit 1; }
case $RUNS in '' | *[!0-9]* | 0) die "RUNS must be a positive number, not '$RUNS'" ;; esac
[ -x "$XPU" ] || die "xpu binary '$XPU' not found (build it, or set XPU)"
command -v nvidia-smi >/dev/null 2>&1 || die "nvidia-smi not found: this measures an NVIDIA machine"
. "$(dirname "$0")/lib.sh"
perf_out_dir xpu-nvml-floor
"$CC" -O2 -o "$tmp/nvml_floor" "$(dirname "$0")/nvml_floor.c" -ldl || die "$CC could not build perf/nvml_floor.c"
"$tmp/nvml_floor" || die "NVML does not answer here (see above)"
"$XPU" list --json >/dev/null || die "$XPU list --json failed"

names=("nvidia-smi -L" "floor: as -L (init, handles, names, UUIDs)" "floor: as -L, then nvmlShutdown"
	"floor: as -L, plus list --json's live values" "xpu list --json")
cmds=("$(command -v nvidia-smi) -L" "$tmp/nvml_floor" "$tmp/nvml_floor shutdown" "$tmp/nvml_floor live"
	"$XPU list --json")
med=()
if command -v hyperfine >/dev/null 2>&1; then
	hf=(hyperfine -N --warmup 3 --runs "$RUNS" --export-json "$tmp/hf.json" --style none)
	for c in "${cmds[@]}"; do hf+=("$c"); done
	"${hf[@]}" >/dev/null 2>&1 || die "hyperfine failed"
	while read -r m; do med+=("$m"); done < <(python3 -c '
import json, sys
for r in json.load(open(sys.argv[1]))["results"]:
    print(r["median"] * 1000)' "$tmp/hf.json")
else
	for c in "${cmds[@]}"; do
		: >"$tmp/t"
		for ((r = 0; r < RUNS + 3; r++)); do
			t0=$(date +%s%N); $c >/dev/null 2>&1; t1=$(date +%s%N)
			[ $r -ge 3 ] && echo $((t1 - t0)) >>"$tmp/t"
		done
		med+=("$(sort -n "$tmp/t" | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] / 1e6 }')")
	done
fi
echo "NVML's floor against nvidia-smi -L, $RUNS runs each, on $(hostname): $(nvidia-smi -L | wc -l) GPU(s)"
printf '  %-48s %9s %8s\n' "command" "median ms" "x -L"
for i in "${!names[@]}"; do
	printf '  %-48s %9.2f %8.2f\n' "${names[$i]}" "${med[$i]}" "$(awk -v a="${med[$i]}" -v b="${med[0]}" 'BEGIN { print a / b }')"
done
