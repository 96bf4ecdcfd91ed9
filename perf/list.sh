#!/usr/bin/env bash
# perf/list.sh: median wall time of `xpu list` and `xpu list --json`, side by
# side with the tools people run for the same answer (nvidia-smi, lspci,
# clinfo) where this machine has them, and with /bin/true (what starting a
# program costs here).
#
#   XPU=./build/xpu RUNS=50 OUT_JSON=perf.json perf/list.sh
#
# XPU       the xpu binary (default ./build/xpu)
# RUNS      runs per command, at least 30 (default 50)
# OUT_JSON  also write the results there as JSON
#
# Uses hyperfine when installed, else times each run with date +%s%N.
# A missing or failing reference tool is reported, never an error; the exit
# status is non-zero only when xpu itself fails (or the arguments are wrong).
set -u
export LC_ALL=C

XPU=${XPU:-./build/xpu}
RUNS=${RUNS:-50}
OUT_JSON=${OUT_JSON:-}
WARMUP=3
MIN_RUNS=30

die() {
	printf 'perf/list.sh: %s\n' "$*" >&2
	exit 1
}

case $RUNS in
'' | *[!0-9]*) die "RUNS must be a number, not '$RUNS'" ;;
esac
if [ "$RUNS" -lt "$MIN_RUNS" ]; then
	printf 'perf/list.sh: RUNS=%s is too few for a stable median; using %s\n' "$RUNS" "$MIN_RUNS" >&2
	RUNS=$MIN_RUNS
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/xpu-perf.XXXXXX") || die "cannot create a temporary folder"
trap 'rm -rf "$tmp"' EXIT
# a discovery cache of this run's own, not the user's
export XPU_CACHE_DIR=$tmp/cache

# ---- xpu must work: this is the only thing that may fail the script ----
if [ ! -x "$XPU" ] && ! command -v "$XPU" >/dev/null 2>&1; then
	die "xpu binary '$XPU' not found or not executable (build it: meson setup build && ninja -C build; or set XPU)"
fi
for args in "list" "list --json"; do
	# shellcheck disable=SC2086 # args is split on purpose
	"$XPU" $args >"$tmp/out" 2>"$tmp/err"
	rc=$?
	if [ $rc -ne 0 ]; then
		printf 'perf/list.sh: %s %s failed (exit %s):\n' "$XPU" "$args" "$rc" >&2
		sed 's/^/  /' "$tmp/err" >&2
		exit 1
	fi
	[ "$args" = "list --json" ] && cp "$tmp/out" "$tmp/xpu.json"
	[ "$args" = "list" ] && cp "$tmp/out" "$tmp/xpu.table"
done
xpu_version=$("$XPU" --version 2>/dev/null | head -n1)

# ---- the machine ----
kernel=$(uname -r 2>/dev/null || echo unknown)
cpu=$(grep -m1 -E '^(model name|Model|cpu model|Hardware)[[:space:]]*:' /proc/cpuinfo 2>/dev/null |
	sed 's/^[^:]*:[[:space:]]*//')
[ -n "$cpu" ] || cpu=$(lscpu 2>/dev/null | sed -n 's/^Model name:[[:space:]]*//p' | head -n1)
[ -n "$cpu" ] || cpu=unknown
# GPU names as xpu itself reports them: from --json with jq, else from the table
gpus=()
if command -v jq >/dev/null 2>&1 &&
	jq -e . "$tmp/xpu.json" >/dev/null 2>&1; then
	while IFS= read -r g; do gpus+=("$g"); done < <(jq -r \
		'.devices[]? | select(.vendor != "cpu") | (.name.value // "(unnamed)")' "$tmp/xpu.json")
else
	# "%c %-3u %-38.38s %-10s ...": name in columns 7-44, kind in 46-55
	while IFS= read -r g; do gpus+=("$g"); done < <(awk '
		/^[ *] [0-9]/ {
			kind = substr($0, 46, 10); sub(/ +$/, "", kind)
			if (kind == "cpu") next
			name = substr($0, 7, 38); sub(/ +$/, "", name); print name
		}' "$tmp/xpu.table")
fi
if [ ${#gpus[@]} -eq 0 ]; then gpu_text="none reported by xpu"; else
	gpu_text=$(printf '%s, ' "${gpus[@]}"); gpu_text=${gpu_text%, }
fi

# ---- what to time: xpu first, then the references that are here and work ----
q() { printf '%q' "$1"; }
# The first two rows are what users run: runtime results from the discovery
# cache (warmed by the warm-up runs), NVML's live values for --json.  The
# --no-cache rows initialise every runtime in every run (a cold start, or a
# changed stack); the last row is discovery alone, loading no runtime.
names=("xpu list" "xpu list --json" "xpu --no-cache list" "xpu --no-cache list --json"
	"xpu --no-runtimes list")
cmds=("$(q "$XPU") list" "$(q "$XPU") list --json" "$(q "$XPU") --no-cache list"
	"$(q "$XPU") --no-cache list --json" "$(q "$XPU") --no-runtimes list")
n_xpu=5
absent_names=()
absent_why=()
add_ref() { # name tool command...
	local name=$1 tool=$2
	shift 2
	if ! command -v "$tool" >/dev/null 2>&1; then
		absent_names+=("$name"); absent_why+=("absent: $tool not found")
		return
	fi
	local to=()
	command -v timeout >/dev/null 2>&1 && to=(timeout 60)
	${to[@]+"${to[@]}"} "$@" >/dev/null 2>&1
	local rc=$?
	if [ $rc -ne 0 ]; then
		absent_names+=("$name"); absent_why+=("present but fails (exit $rc)")
		return
	fi
	names+=("$name")
	local c="" a
	for a in "$@"; do c+="${c:+ }$(q "$a")"; done
	cmds+=("$c")
}
# what starting any program costs here: the floor of every row
add_ref "/bin/true" /bin/true /bin/true
add_ref "nvidia-smi -L" nvidia-smi nvidia-smi -L
# the same values as `xpu list --json` reads through NVML (issue 2's comparison)
add_ref "nvidia-smi --query-gpu=(list --json fields)" nvidia-smi nvidia-smi --query-gpu=name,uuid,pci.bus_id,memory.total,driver_version,temperature.gpu,power.draw,clocks.max.sm --format=csv
add_ref "lspci" lspci lspci
add_ref "clinfo -l" clinfo clinfo -l

# ---- timing: median_s[i], min_s[i], fails[i] ----
median_s=()
min_s=()
fails=()
if command -v hyperfine >/dev/null 2>&1; then
	tool="$(hyperfine --version 2>/dev/null | head -n1), ${WARMUP} warm-up runs"
	hf=(hyperfine --warmup "$WARMUP" --runs "$RUNS" --export-json "$tmp/hf.json" --ignore-failure --style basic)
	# no shell between hyperfine and the command, where this hyperfine can
	hyperfine --help 2>/dev/null | grep -q -- '--shell=none' && hf+=(-N)
	for i in "${!cmds[@]}"; do hf+=(--command-name "${names[$i]}" "${cmds[$i]}"); done
	if ! "${hf[@]}" >"$tmp/hf.log" 2>&1; then
		cat "$tmp/hf.log" >&2
		die "hyperfine failed"
	fi
	# results[] keep the order of the commands; read median, min and failures
	while IFS=$'\t' read -r med mn nf; do
		median_s+=("$med"); min_s+=("$mn"); fails+=("$nf")
	done < <(awk '
		/"results"/ { inres = 1 }
		inres && /"median":/ { v = $2; sub(/,$/, "", v); med = v }
		inres && /"min":/ { v = $2; sub(/,$/, "", v); mn = v }
		inres && /"exit_codes":/ { inexit = 1; nf = 0; next }
		inexit && /\]/ { inexit = 0; printf "%s\t%s\t%d\n", med, mn, nf; next }
		inexit { v = $1; sub(/,$/, "", v); if (v != "0") nf++ }
	' "$tmp/hf.json")
	[ ${#median_s[@]} -eq ${#cmds[@]} ] || die "could not read hyperfine's results ($tmp/hf.json)"
else
	tool="date +%s%N loop, ${WARMUP} warm-up runs (hyperfine not installed)"
	for i in "${!cmds[@]}"; do
		: >"$tmp/t.$i"
		nf=0
		for ((r = 0; r < WARMUP + RUNS; r++)); do
			t0=$(date +%s%N)
			eval "${cmds[$i]}" >/dev/null 2>&1
			rc=$?
			t1=$(date +%s%N)
			[ $r -lt $WARMUP ] && continue
			[ $rc -ne 0 ] && nf=$((nf + 1))
			echo $((t1 - t0)) >>"$tmp/t.$i"
		done
		read -r med mn < <(sort -n "$tmp/t.$i" | awk '
			{ v[NR] = $1 }
			END {
				m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
				printf "%.9f %.9f\n", m / 1e9, v[1] / 1e9
			}')
		median_s+=("$med"); min_s+=("$mn"); fails+=("$nf")
	done
fi

ms() { awk -v s="$1" 'BEGIN { printf "%.2f", s * 1000 }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else printf "nan" }'; }
le() { awk -v a="$1" -v b="$2" 'BEGIN { exit !(a <= b) }'; }

# ---- the report ----
printf 'xpu perf: %s runs per command (%s)\n' "$RUNS" "$tool"
printf 'xpu:      %s (%s)\n' "$XPU" "${xpu_version:-version unknown}"
printf 'kernel:   %s\n' "$kernel"
printf 'cpu:      %s\n' "$cpu"
printf 'gpus:     %s\n' "$gpu_text"
echo
printf '%-44s %10s %10s\n' "command" "median ms" "min ms"
for i in "${!cmds[@]}"; do
	note=""
	[ "${fails[$i]}" -gt 0 ] && note="  (${fails[$i]} of $RUNS runs failed)"
	printf '%-44s %10s %10s%s\n' "${names[$i]}" "$(ms "${median_s[$i]}")" "$(ms "${min_s[$i]}")" "$note"
done
for i in "${!absent_names[@]}"; do
	printf '%-44s %s\n' "${absent_names[$i]}" "${absent_why[$i]}"
done
echo
ratios=() # "a\tb\tratio"
if [ ${#cmds[@]} -gt $n_xpu ]; then
	echo "ratios (median / median; below 1 means xpu is faster):"
	for ((x = 0; x < n_xpu; x++)); do
		for ((r = n_xpu; r < ${#cmds[@]}; r++)); do
			rt=$(ratio "${median_s[$x]}" "${median_s[$r]}")
			ratios+=("${names[$x]}"$'\t'"${names[$r]}"$'\t'"$rt")
			printf '  %s / %s = %s\n' "${names[$x]}" "${names[$r]}" "$rt"
		done
	done
else
	echo "ratios: no reference tool is present here"
fi

# the project's goals, where this machine can say anything about them
goals=() # "goal\tverdict"
# goal_ratio XPU_ROW REFERENCE LIMIT: xpu's row (0 list, 1 list --json) at
# most LIMIT times the reference's median, when the reference was timed
goal_ratio() {
	local x=$1 ref=$2 limit=$3 r rt v
	for ((r = n_xpu; r < ${#cmds[@]}; r++)); do
		[ "${names[$r]}" = "$ref" ] || continue
		rt=$(ratio "${median_s[$x]}" "${median_s[$r]}")
		if le "$rt" "$limit"; then v=met; else v="not met"; fi
		goals+=("${names[$x]} <= ${limit}x $ref (is ${rt}x)"$'\t'"$v")
	done
}
goal_ratio 0 "nvidia-smi -L" 0.5
goal_ratio 1 "nvidia-smi -L" 1.0
goal_ratio 0 /bin/true 2.0
if [ ${#gpus[@]} -eq 0 ]; then
	m=$(ms "${median_s[0]}")
	if le "$m" 5; then v=met; else v="not met"; fi
	goals+=("CPU-only: xpu list <= 5 ms (is $m ms)"$'\t'"$v")
fi
if [ ${#goals[@]} -gt 0 ]; then
	echo
	echo "goals:"
	for g in "${goals[@]}"; do printf '  %s: %s\n' "${g%%$'\t'*}" "${g#*$'\t'}"; done
fi

# ---- JSON ----
js() { # a JSON string
	local s
	s=$(printf '%s' "$1" | tr -d '\000-\010\013\014\016-\037')
	s=${s//\\/\\\\}; s=${s//\"/\\\"}; s=${s//$'\t'/\\t}; s=${s//$'\n'/\\n}; s=${s//$'\r'/\\r}
	printf '"%s"' "$s"
}
if [ -n "$OUT_JSON" ]; then
	{
		printf '{\n  "runs": %s,\n  "warmup": %s,\n  "tool": %s,\n' "$RUNS" "$WARMUP" "$(js "$tool")"
		printf '  "xpu": %s,\n  "xpu_version": %s,\n' "$(js "$XPU")" "$(js "$xpu_version")"
		printf '  "machine": {"kernel": %s, "cpu": %s, "gpus": [' "$(js "$kernel")" "$(js "$cpu")"
		sep=""
		for g in "${gpus[@]}"; do printf '%s%s' "$sep" "$(js "$g")"; sep=", "; done
		printf ']},\n  "results": [\n'
		sep=""
		for i in "${!cmds[@]}"; do
			printf '%s    {"name": %s, "command": %s, "median_ms": %s, "min_ms": %s, "failed_runs": %s}' \
				"$sep" "$(js "${names[$i]}")" "$(js "${cmds[$i]}")" "$(ms "${median_s[$i]}")" \
				"$(ms "${min_s[$i]}")" "${fails[$i]}"
			sep=$',\n'
		done
		printf '\n  ],\n  "absent": ['
		sep=""
		for i in "${!absent_names[@]}"; do
			printf '%s{"name": %s, "why": %s}' "$sep" "$(js "${absent_names[$i]}")" "$(js "${absent_why[$i]}")"
			sep=", "
		done
		printf '],\n  "ratios": ['
		sep=""
		for rr in "${ratios[@]}"; do
			IFS=$'\t' read -r a b v <<<"$rr"
			[ "$v" = nan ] && v=null
			printf '%s\n    {"xpu": %s, "reference": %s, "ratio": %s}' "$sep" "$(js "$a")" "$(js "$b")" "$v"
			sep=","
		done
		[ ${#ratios[@]} -gt 0 ] && printf '\n  '
		printf '],\n  "goals": ['
		sep=""
		for g in "${goals[@]}"; do
			printf '%s{"goal": %s, "met": %s}' "$sep" "$(js "${g%%$'\t'*}")" \
				"$([ "${g#*$'\t'}" = met ] && echo true || echo false)"
			sep=", "
		done
		printf ']\n}\n'
	} >"$OUT_JSON" || die "cannot write $OUT_JSON"
	echo
	echo "wrote $OUT_JSON"
fi

# xpu failing during the benchmark is a failure; a reference failing is not
for ((x = 0; x < n_xpu; x++)); do
	if [ "${fails[$x]}" -gt 0 ]; then
		die "${names[$x]} failed in ${fails[$x]} of $RUNS runs"
	fi
done
exit 0
