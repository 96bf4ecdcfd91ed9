#!/bin/bash
# xpu bench as users and scripts meet it, on the real components of this
# machine: the host (STREAM on the host team, the BLAS found at run time) and OpenCL
# through PoCL (GEMM checked against a CPU reference inside xpu).  Baselines:
# an injected slowdown (XPU_BENCH_SCALE=0.1: 10x, so machine noise cannot hide it, and a doctored baseline) must be
# flagged; malformed, other-schema and other-machine baselines refused.
# No timing is asserted.
# Usage: bench.sh XPU_BINARY SOURCE_DIR
set -u
XPU=$1
SRC=$2
TMP=$(mktemp -d /tmp/xpu-bench-XXXXXX)
trap 'rm -rf "$TMP"' EXIT
. "$SRC/tests/lib.sh"
run() { "$XPU" "$@" >"$TMP/out" 2>"$TMP/err"; echo $? >"$TMP/rc"; }
rc_is() { [ "$(cat "$TMP/rc")" = "$1" ]; }
err_has() { grep -q -- "$1" "$TMP/err"; }
out_has() { grep -q -- "$1" "$TMP/out"; }
one_err_line() { [ "$(grep -cv '^xpu bench: ' "$TMP/err")" = 1 ]; }
jq_is() { [ "$(jq -r "$1" "$TMP/out")" = "$2" ]; }
jq_true() { jq -e "$1" "$TMP/out" >/dev/null; }
HOST='.targets[] | select(.backend == "host")'
CL='.targets[] | select(.backend == "opencl")'

# --- command line ---
run bench --help
check "--help exits 0" rc_is 0
for opt in --device --quick --full --only --json --save --compare --threshold --compare-noisy XPU_BLAS XPU_BENCH_ISA OMP_NUM_THREADS builtin XPU_CUBLAS XPU_DNNL gemm.fp8 "Exit status"; do
	check "--help documents $opt" out_has "$opt"
	check "man page documents $opt" grep -qi -- "$(echo "$opt" | sed 's/-/\\\\-/g')" "$SRC/doc/xpu-bench.1"
done
run bench --threshold abc
check "--threshold abc exits 2" rc_is 2
check "--threshold abc is named" err_has "'abc'"
# the figures of the man page's FIGURES section (tests/bench/test_figures.c
# holds that section against the registry): help lists each, and so does the
# one line that refuses an unknown --only
FIGURES=$(awk '/^\.SH /{ f = /^\.SH FIGURES/ } f && tp && /^\.BI? /{ sub(/^\.BI? /, ""); gsub(/[ "]/, ""); print } { tp = /^\.TP/ }' "$SRC/doc/xpu-bench.1")
check "the man page's FIGURES section lists figures" [ "$(wc -w <<<"$FIGURES")" -ge 10 ]
run bench --help
for fig in $FIGURES; do
	check "--help lists $fig" grep -q "^  $fig " "$TMP/out"
done
run bench --only bogus
check "--only with an unknown figure exits 2" rc_is 2
check "--only names the unknown figure" err_has "'bogus'"
check "--only bogus: one line" bash -c "[ \$(wc -l <'$TMP/err') = 1 ]"
for fig in $FIGURES; do
	check "--only bogus lists $fig" grep -q -- " $fig[,( ]" "$TMP/err"
done
run bench --only stream.triad.1
check "--only with a suffix on a figure without sizes exits 2" rc_is 2
run bench --quick --full
check "--quick with --full exits 2" rc_is 2
run bench extra
check "a stray argument exits 2" rc_is 2

# --- no device of the asked kind ---
run bench --quick --device bogus
check "unknown device exits 1" rc_is 1
check "unknown device: one line naming it" bash -c "grep -q \"'bogus'\" '$TMP/err' && [ \$(wc -l <'$TMP/err') = 1 ]"
# the kinds that line offers are the ones --help and the man page document
KINDS=$(sed -n "s/.*'xpu list' shows, or \(.*\))$/\1/p" "$TMP/err" | tr -d ,)
check "unknown device: the line lists the kinds" [ "$(wc -w <<<"$KINDS")" -ge 3 ]
"$XPU" bench --help >"$TMP/help"
sed -n '/^\.BI \\-\\-device/,/^\.TP/p' "$SRC/doc/xpu-bench.1" >"$TMP/man-device"
for kind in $KINDS; do
	check "--help documents --device $kind" grep -q "kind: .*$kind" "$TMP/help"
	check "the man page's --device documents $kind" grep -q "^\.BR $kind\b" "$TMP/man-device"
	run bench --quick --device "$kind" --only launch.latency
	check "--device $kind is taken as a kind, not an id" bash -c "! grep -q \"no device '$kind'\" '$TMP/err'"
done
if ! "$XPU" list --json | jq -e '[.devices[] | .backends.cuda.usable? // false] | any' >/dev/null 2>&1; then
	run bench --quick --device cuda --json
	check "no CUDA device exits 1" rc_is 1
	check "no CUDA device: says so, with the runtime's reason" err_has "no usable CUDA device.*(cuda: "
	check "no CUDA device: no partial JSON on stdout" bash -c "[ ! -s '$TMP/out' ]"
else
	skip "no CUDA device: exit 1 with the runtime's reason (3 checks)" "this machine has a usable CUDA device"
fi
run bench --quick --device level_zero
check "no Level Zero device exits 1" rc_is 1
check "no Level Zero device: says so" err_has "no usable Level Zero device"

# --- the host, for real ---
run bench --quick --device cpu --only stream,gemm.fp32 --json
check "host bench exits 0" rc_is 0
check "JSON has schema_version 1" jq_is .schema_version 1
check "JSON names the machine" jq_true '.machine.hostname | length > 0'
check "progress goes to stderr" err_has "^xpu bench: stream"
for k in copy scale add triad; do
	check "stream.$k measured (> 0 GB/s)" jq_true "$HOST | .figures[] | select(.name == \"stream.$k\") | .state == \"ok\" and .value > 0 and .unit == \"GB/s\""
done
check "stream.triad counted as STREAM counts" jq_true "$HOST | .figures[] | select(.name == \"stream.triad\") | .counting | test(\"3 x 8 B\")"
check "stream.triad: min <= median <= max" jq_true "$HOST | .figures[] | select(.name == \"stream.triad\") | .min <= .median and .median <= .max and .value == .max"
check "stream validated" jq_true "$HOST | .figures[] | select(.name == \"stream.triad\") | .note | test(\"validated\")"
check "an unknown peak is null with a reason, never 0" jq_true "$HOST | .figures[] | select(.name == \"stream.triad\") | .percent_of_peak.value == null and (.percent_of_peak.detail | length > 0)"
check "host GEMM ran through a BLAS, checked" jq_true "$HOST | .figures[] | select(.name | startswith(\"gemm.fp32\")) | .state == \"ok\" and (.note | test(\"checked\"))"
check "the BLAS is named" jq_true "$HOST | .library | length > 0"
check "--only leaves the rest out" jq_true "[$HOST | .figures[] | select(.name | startswith(\"launch\"))] | length == 0"

XPU_BLAS=/nonexistent/libblas.so "$XPU" bench --quick --device cpu --only gemm.fp32 --json >"$TMP/out" 2>"$TMP/err"
check "XPU_BLAS is honoured, falling back when it does not load" jq_true "$HOST | .figures[0].state == \"ok\""

# --- OpenCL through PoCL ---
if "$XPU" list --json | jq -e '[.devices[] | .backends.opencl.usable? // false] | any' >/dev/null 2>&1; then
	run bench --quick --device opencl --only gemm,mem.read,mem.copy,h2d.pinned,launch --json
	check "OpenCL bench exits 0" rc_is 0
	check "OpenCL fp32 GEMM matches the CPU reference" jq_true "$CL | .figures[] | select(.name == \"gemm.fp32.512\") | .state == \"ok\" and (.note | test(\"checked against a CPU reference\"))"
	check "OpenCL fp16 GEMM matches the CPU reference" jq_true "$CL | .figures[] | select(.name == \"gemm.fp16.512\") | .state == \"ok\""
	check "OpenCL read bandwidth result checked" jq_true "$CL | .figures[] | select(.name == \"mem.read\") | .state == \"ok\" and (.note | test(\"checked\"))"
	check "OpenCL copy gives both counting conventions" jq_true "$CL | .figures[] | select(.name == \"mem.copy\") | (.alt_value * 2 - .value | fabs) < 0.001 * .value"
	check "OpenCL pinned transfer measured" jq_true "$CL | .figures[] | select(.name == \"h2d.pinned\") | .state == \"ok\""
	check "launch latency is lower-is-better, in us" jq_true "$CL | .figures[] | select(.name == \"launch.latency\") | .unit == \"us\" and .higher_is_better == false and .value == .min"
	# oneDNN (Debian's libdnnl2, built with its OpenCL GPU runtime) refuses
	# PoCL's CPU device: the tiled kernel runs and the report says why.
	if ldconfig -p | grep -q 'libdnnl\.so\.2 '; then
		check "OpenCL GEMM: oneDNN's refusal of the device is reported" jq_true "$CL | .gemm | test(\"^tiled kernel; oneDNN not used: oneDNN 2\\\\.[0-9.]+ \\\\(libdnnl.so.2\\\\) refused the device \\\\(dnnl_ocl_interop_engine_create\\\\): [a-z_]+$\")"
		check "OpenCL GEMM: the text report has the gemm line" bash -c "'$XPU' bench --quick --device opencl --only gemm.fp32 2>/dev/null | grep -q '^  gemm: tiled kernel; oneDNN not used: oneDNN 2'"
	else
		not_ok "OpenCL GEMM through oneDNN: libdnnl.so.2 missing (install libdnnl2)"
	fi
	XPU_DNNL=/nonexistent/libdnnl.so.2 "$XPU" bench --quick --device opencl --only gemm.fp32 --json >"$TMP/out" 2>"$TMP/err"
	check "OpenCL GEMM without oneDNN: 'not installed' reported" jq_true "$CL | .gemm == \"tiled kernel; oneDNN not used: oneDNN not installed (/nonexistent/libdnnl.so.2: not found; install libdnnl2)\""
	check "OpenCL GEMM without oneDNN: the tiled kernel still ran, checked" jq_true "$CL | .figures[] | select(.name == \"gemm.fp32.512\") | .state == \"ok\" and (.note | test(\"^tiled kernel\"))"
else
	not_ok "OpenCL: no usable OpenCL device (install pocl-opencl-icd)"
fi

# --- host bf16 GEMM through oneDNN's CPU engine (Debian's OpenBLAS has no
# cblas_sbgemm) ---
if grep -qw -e avx512_bf16 -e amx_bf16 /proc/cpuinfo; then
	run bench --quick --device cpu --only gemm.bf16 --json
	check "host bf16 GEMM ran through oneDNN, checked" jq_true "$HOST | .figures[] | select(.name == \"gemm.bf16.1024\") | .state == \"ok\" and (.note | test(\"^oneDNN 2[.0-9]+ \\\\(libdnnl.so.2\\\\) matmul, CPU engine, bf16 in, fp32 out; checked against a CPU reference\"))"
	XPU_DNNL=/nonexistent/libdnnl.so.2 "$XPU" bench --quick --device cpu --only gemm.bf16 --json >"$TMP/out" 2>"$TMP/err"
	check "host bf16 GEMM without oneDNN: skipped, saying why" jq_true "$HOST | .figures[] | select(.name == \"gemm.bf16.1024\") | .value == null and (.detail | test(\"no cblas_sbgemm.*oneDNN not installed\"))"
else
	run bench --quick --device cpu --only gemm.bf16 --json
	check "host bf16 GEMM on a CPU without bf16: skipped, saying why" jq_true "$HOST | .figures[] | select(.name | startswith(\"gemm.bf16\")) | .value == null and (.detail | test(\"neither AVX512-BF16 nor AMX-BF16\"))"
fi

# --- the host kernels for each vector ISA (run-time dispatch): each set
# this CPU has runs STREAM (validated); xpu's own SGEMM runs where no BLAS
# does (checked against a naive product; test_bench.c checks it on every
# set at shapes that cross its blocks); XPU_BENCH_ISA forces a set ---
run bench --quick --device cpu --only stream.triad --json
check "STREAM names the kernels it picked" jq_true "$HOST | .figures[0].note | test(\"(avx512f|avx2[+]fma|generic) kernels\")"
for isa in avx512f avx2 generic; do
	flag=$isa; [ "$isa" = generic ] && flag=fpu
	if ! grep -qw "$flag" /proc/cpuinfo; then
		skip "the $isa kernels: STREAM validated" "this CPU has no $isa"
		continue
	fi
	XPU_BENCH_ISA=$isa "$XPU" bench --quick --device cpu --only stream --json >"$TMP/out" 2>"$TMP/err"
	check "the $isa kernels: STREAM ran and validated" jq_true "[$HOST | .figures[] | select(.name | startswith(\"stream.\")) | .state == \"ok\" and (.note | test(\"^[0-9]+ MiB per array; $isa[+a-z]* kernels .*validated\"))] | length == 4 and all"
done
XPU_BLAS=builtin "$XPU" bench --quick --device cpu --only gemm.fp32 --json >"$TMP/out" 2>"$TMP/err"
check "XPU_BLAS=builtin: xpu's own SGEMM ran, checked, saying which micro-kernel" jq_true "$HOST | .figures[] | select(.name == \"gemm.fp32.1024\") | .state == \"ok\" and (.note | test(\"XPU_BLAS=builtin: xpu's own SGEMM [(](avx512f|avx2[+]fma|generic) micro-kernel.*checked against a naive product\"))"
OMP_NUM_THREADS=1 "$XPU" bench --quick --device cpu --only stream.triad --json >"$TMP/out" 2>"$TMP/err"
check "OMP_NUM_THREADS=1: STREAM on one thread, validated, as the report says" jq_true "$HOST | (.library | test(\"1 thread[)]\")) and (.figures[0].note | test(\"validated\"))"
XPU_BENCH_ISA=sse9 "$XPU" bench --quick --device cpu --only stream.triad --json >"$TMP/out" 2>"$TMP/err"
check "XPU_BENCH_ISA=sse9: no figure, naming the sets this xpu has" jq_true "$HOST | .figures[0] | .value == null and (.detail | test(\"sse9: no such kernel set.*avx2\"))"

# --- SMBIOS type 17: the parser's expectations (tests/bench/test_smbios.c)
# held to dmidecode, an independent reader, on the same tables ---
SMB=$SRC/tests/bench/smbios
check "tests/bench/smbios: the DSP0134 tables are what fixtures.py writes" python3 "$SMB/fixtures.py" check "$SMB"
# dmidecode -t 17 as "LOCATOR|BANK|MiB|BITS|MT/s" per populated device
dmi_dimms() {
	dmidecode --from-dump "$1" -t 17 2>/dev/null | awk -F': ' '
		function emit() { if (dev && size != "No Module Installed") print loc "|" bank "|" mib "|" width "|" (conf ? conf : speed) }
		/^Handle / { emit(); dev = 0 }
		/^Memory Device$/ { dev = 1; loc = bank = ""; mib = width = speed = conf = 0; size = "" }
		/^\tSize: / { size = $2; split($2, v, " "); mib = v[2] == "GB" ? v[1] * 1024 : v[2] == "TB" ? v[1] * 1048576 : v[1] }
		/^\tData Width: / { width = $2 + 0 }
		/^\tLocator: / { loc = $2 }
		/^\tBank Locator: / { bank = $2 == "Not Specified" ? "" : $2 }
		/^\tSpeed: / { speed = $2 + 0 }
		/^\tConfigured Memory Speed: / { conf = $2 + 0 }
		END { emit() }'
}
if command -v dmidecode >/dev/null; then
	for dmi in "$SMB"/*.DMI; do
		name=$(basename "$dmi" .DMI)
		entry=$SMB/$name.entry
		{ cat "$entry"; head -c $((32 - $(stat -c %s "$entry"))) /dev/zero; cat "$dmi"; } >"$TMP/dump.bin"
		if grep -q '^error ' "$SMB/$name.expect"; then
			check "dmidecode also refuses $name" bash -c "dmidecode --from-dump '$TMP/dump.bin' -t 17 2>&1 | grep -qE 'broken|Wrong DMI|TRUNCATED'"
			continue
		fi
		dmi_dimms "$TMP/dump.bin" >"$TMP/dmidecode.txt"
		sed -n 's/^dimm //p' "$SMB/$name.expect" >"$TMP/expect.txt"
		check "dmidecode reads the DIMMs of $name as its .expect says" cmp -s "$TMP/dmidecode.txt" "$TMP/expect.txt"
	done
else
	skip "dmidecode holds tests/bench/smbios/*.expect" "dmidecode not installed (scripts/packages/bench.list)"
fi

# --- the host's peaks, computed from a machine's files (--sysroot trees):
# DRAM from SMBIOS, compute from cores x clock x FMA units ---
# host_tree DIR VENDOR FAMILY MODEL "MODEL NAME" FLAGS CORES THREADS_PER_CORE MAX_KHZ [ATOM_CPUS]
host_tree() {
	local d=$1 vendor=$2 fam=$3 model=$4 name=$5 flags=$6 cores=$7 smt=$8 khz=$9 atom=${10:-}
	local cpus=$((cores * smt)) c
	mkdir -p "$d/proc" "$d/sys/devices/system/cpu"
	printf 'processor\t: 0\nvendor_id\t: %s\ncpu family\t: %s\nmodel\t\t: %s\nmodel name\t: %s\ncpu MHz\t\t: 1234.000\nflags\t\t: %s\n\n' \
		"$vendor" "$fam" "$model" "$name" "$flags" >"$d/proc/cpuinfo"
	echo "0-$((cpus - 1))" >"$d/sys/devices/system/cpu/online"
	for ((c = 0; c < cpus; c++)); do
		mkdir -p "$d/sys/devices/system/cpu/cpu$c/topology"
		# threads c and c + cores share a core, as Linux numbers them
		if [ "$smt" = 2 ]; then echo "$((c % cores)),$((c % cores + cores))"; else echo "$c"; fi \
			>"$d/sys/devices/system/cpu/cpu$c/topology/core_cpus_list"
		if [ -n "$khz" ]; then
			mkdir -p "$d/sys/devices/system/cpu/cpu$c/cpufreq"
			echo "$khz" >"$d/sys/devices/system/cpu/cpu$c/cpufreq/cpuinfo_max_freq"
		fi
	done
	if [ -n "$atom" ]; then mkdir -p "$d/sys/devices/cpu_atom" && echo "$atom" >"$d/sys/devices/cpu_atom/cpus"; fi
}
peaks_of() { "$XPU" --sysroot "$1" bench --quick --device cpu --only launch.latency --json >"$TMP/out" 2>"$TMP/err"; }
peak_is() { jq -e --arg k "$1" --argjson v "$2" "$HOST | .peaks[\$k] | (. - \$v) | fabs < 1e-6 * \$v" "$TMP/out" >/dev/null; }
how_has() { jq -r --arg k "$1" "$HOST | .peak_how[\$k] // \"\"" "$TMP/out" | grep -q -- "$2"; }
why_has() { jq -r --arg k "$1" "$HOST | .peaks[\$k].detail // \"\"" "$TMP/out" | grep -q -- "$2"; }
# Sapphire Rapids: 4 cores (8 threads), 3.8 GHz, AVX-512 and AMX; a 2-socket
# DDR5 table of 24 channels
T=$TMP/spr && host_tree "$T" GenuineIntel 6 143 "Intel(R) Xeon(R) Platinum 8480+" "fpu avx2 fma avx512f avx512_bf16 amx_tile amx_bf16" 4 2 3800000
mkdir -p "$T/sys/firmware/dmi/tables" && cp "$SMB/dsp0134-genoa-2s-ddr5.DMI" "$T/sys/firmware/dmi/tables/DMI"
peaks_of "$T"
check "host peaks: SMBIOS DIMMs give mem_bw (24 channels of DDR5-4800: 921.6 GB/s)" peak_is mem_bw 921.6
check "... and say how" how_has mem_bw "24 DDR5 DIMMs, 4800 MT/s x 64 bit, 24 channels"
check "host peaks: fp32 = 4 cores (SMT siblings once) x 3.8 GHz x 64 (AVX-512, 2 FMA units)" peak_is fp32 0.9728
check "... naming the cores, the clock's source and the units' source" how_has fp32 "4 cores x 3.80 GHz (cpufreq cpuinfo_max_freq) x 64 FP32 FLOP/cycle (Sapphire/Emerald Rapids, AVX-512: 2 FMA units x 16 fp32 x 2 (Intel 64"
check "host peaks: bf16 from AMX, 1024 FLOP/cycle/core: 15.56 TFLOP/s" peak_is bf16 15.5648
check "... saying AMX" how_has bf16 "AMX"
# a Xeon Silver (one AVX-512 FMA unit) without cpufreq: the model name's clock
T=$TMP/silver && host_tree "$T" GenuineIntel 6 85 "Intel(R) Xeon(R) Silver 4214 CPU @ 2.20GHz" "avx2 fma avx512f" 12 1 ""
peaks_of "$T"
check "host peaks: Xeon Silver has one FMA unit: 12 x 2.2 GHz x 32" peak_is fp32 0.8448
check "... the clock is the model name's (no cpufreq)" how_has fp32 "the model name's base clock"
check "host peaks: no SMBIOS table: mem_bw unknown, saying so" why_has mem_bw "no SMBIOS tables"
# hybrid: 8 P-cores at 5.4 GHz (SMT), 16 E-cores (cpu_atom) at 4.3 GHz
T=$TMP/rpl && host_tree "$T" GenuineIntel 6 183 "13th Gen Intel(R) Core(TM) i9-13900K" "avx2 fma" 24 1 5400000 "8-23"
for c in $(seq 8 23); do echo 4300000 >"$T/sys/devices/system/cpu/cpu$c/cpufreq/cpuinfo_max_freq"; done
peaks_of "$T"
check "host peaks: hybrid: 8 x 5.4 GHz x 32 + 16 x 4.3 GHz x 16" peak_is fp32 2.4832
check "... the clocks' range" how_has fp32 "24 cores x 4.30-5.40 GHz"
# Zen 4 (AVX512-BF16 at twice the fp32 rate) with a VM's SMBIOS table
T=$TMP/zen4 && host_tree "$T" AuthenticAMD 25 17 "AMD EPYC 9654 96-Core Processor" "avx2 fma avx512f avx512_bf16" 2 2 3700000
mkdir -p "$T/sys/firmware/dmi/tables" && cp "$SMB/dsp0134-qemu-vm.DMI" "$T/sys/firmware/dmi/tables/DMI"
peaks_of "$T"
check "host peaks: Zen 4: 2 x 3.7 GHz x 32; bf16 twice that" bash -c "$(declare -f peak_is); HOST='$HOST'; TMP='$TMP'; peak_is fp32 0.2368 && peak_is bf16 0.4736"
check "host peaks: a VM's SMBIOS without speeds: mem_bw unknown, saying why" why_has mem_bw "gives no speed for memory device 'DIMM 0'"
# the table has no row for this CPU: unknown, naming it
T=$TMP/unknown && host_tree "$T" GenuineIntel 6 28 "Intel(R) Atom(TM) CPU N270" "sse2" 1 1 1600000
peaks_of "$T"
check "host peaks: a CPU without a row: fp32 unknown, naming family and model" why_has fp32 "family 0x6 model 0x1c"
# a table only root may read, read by nobody
T=$TMP/spr
if [ "$(id -u)" = 0 ] && command -v setpriv >/dev/null; then
	chmod 0400 "$T/sys/firmware/dmi/tables/DMI"
	chmod -R a+rX "$TMP" && chmod 0400 "$T/sys/firmware/dmi/tables/DMI"
	setpriv --reuid=65534 --regid=65534 --clear-groups "$XPU" --sysroot "$T" bench --quick --device cpu --only launch.latency --json >"$TMP/out" 2>"$TMP/err"
	check "host peaks: the table unreadable (not root): mem_bw 'needs root'" why_has mem_bw "needs root"
else
	skip "host peaks: 'needs root' for a table only root may read" "needs root and setpriv"
fi
# this machine: the peaks the report shows are the ones it computed
run bench --quick --device cpu --only stream.triad,gemm.fp32 --json
check "this machine: fp32 is computed, or unknown with a reason" jq_true "$HOST | (.peaks.fp32 | type == \"number\") or (.peaks.fp32.detail | length > 0)"
check "this machine: mem_bw is computed, or unknown with a reason" jq_true "$HOST | (.peaks.mem_bw | type == \"number\") or (.peaks.mem_bw.detail | length > 0)"
check "this machine: every host figure has its % of peak, or the peak's reason" jq_true "[$HOST | .figures[] | select(.value != null) | (.percent_of_peak | type == \"number\") or (.percent_of_peak.detail | length > 0)] | all"
if [ ! -e /sys/firmware/dmi/tables/DMI ]; then
	check "this machine has no SMBIOS tables: mem_bw says so" jq_true "$HOST | .peaks.mem_bw.detail | test(\"no SMBIOS tables\")"
fi

# --- baselines ---
ONLY="--quick --device cpu --only stream.triad,stream.copy"
run bench $ONLY --save "$TMP/base.json"
check "--save exits 0" rc_is 0
check "--save writes a baseline with the schema" bash -c "jq -e '.schema_version == 1 and .kind == \"xpu-bench\"' '$TMP/base.json' >/dev/null"

# (--compare-noisy: this shared machine may be busy, and a regression is
# called on a noisy figure only when asked)
XPU_BENCH_SCALE=0.1 "$XPU" bench $ONLY --compare "$TMP/base.json" --threshold 50 --compare-noisy >"$TMP/out" 2>"$TMP/err"
echo $? >"$TMP/rc"
check "an injected 10x slowdown exits 3" rc_is 3
check "the slowdown is flagged per figure" bash -c "grep -q 'stream.triad.*REGRESSION' '$TMP/out'"
# a machine made busy (a CPU hog per CPU beside xpu): the report says so,
# the host figures are noisy, and the same slowdown is held back unless asked
hogs=()
for _ in $(seq "$(nproc)"); do (while :; do :; done) & hogs+=($!); done
XPU_BENCH_SCALE=0.1 "$XPU" bench $ONLY --compare "$TMP/base.json" --threshold 50 --json >"$TMP/out" 2>"$TMP/err"
echo $? >"$TMP/rc"
kill "${hogs[@]}" 2>/dev/null; wait "${hogs[@]}" 2>/dev/null
check "busy machine: the host target says so" jq_true "$HOST | .busy | test(\"^machine busy: other processes used [0-9]+% of the CPUs' time\")"
check "busy machine: others' share is measured" jq_true "$HOST | .others_cpu_pct > 10"
check "busy machine: every host figure is noisy, saying why" jq_true "[$HOST | .figures[] | .noisy and (.noise | test(\"machine busy\"))] | all"
check "busy machine: a 10x slowdown is not called a regression (exit 0)" rc_is 0
check "busy machine: ... but listed as slower and noisy, with the way to call it" \
	bash -c "grep -q 'stream.triad.*slower, but noisy: now .*machine busy' '$TMP/err' && grep -q '2 slower but noisy (not called; --compare-noisy calls them)' '$TMP/err'"
run bench --quick --device cpu --only stream.triad
check "the report gives the load average, and each figure its passes' bests and spread" \
	bash -c "grep -q '^load average [0-9.]* on [0-9]* CPUs at the start' '$TMP/out' && grep -q 'stream.triad .*10 reps in 2 passes, bests [0-9.]* / [0-9.]*, spread [0-9]*%)' '$TMP/out'"
run bench --quick --device cpu --only stream.triad --json
check "a CPU figure's best is the best of its two passes, each of 5 reps" jq_true "$HOST | .figures[0] | (.pass_best | length) == 2 and .reps == 10 and .value == (.pass_best | max) and .max == .value"

# a doctored baseline: 5x slower figures than saved -> nothing regressed
jq '(.targets[].figures[] | select(.value != null) | .value) |= . / 5' "$TMP/base.json" >"$TMP/slow-base.json"
run bench $ONLY --compare "$TMP/slow-base.json" --threshold 50
check "faster than the baseline exits 0" rc_is 0
check "faster than the baseline: 0 regressions" out_has "0 regressions"
# and 5x faster figures than saved -> regressed
jq '(.targets[].figures[] | select(.value != null) | .value) |= . * 5' "$TMP/base.json" >"$TMP/fast-base.json"
run bench $ONLY --compare "$TMP/fast-base.json" --threshold 50 --compare-noisy --json
check "slower than a doctored baseline exits 3" rc_is 3
check "--json with --compare: stdout stays one JSON document" jq_is .schema_version 1
check "--json with --compare: the comparison goes to stderr" err_has "REGRESSION"

printf '{"kind": "xpu-bench", "schema_version": 1, "targ' >"$TMP/bad.json"
run bench $ONLY --compare "$TMP/bad.json"
check "malformed baseline exits 1" rc_is 1
check "malformed baseline: one line naming the file" bash -c "grep -q '$TMP/bad.json.*not valid JSON' '$TMP/err'"
check "malformed baseline: refused before measuring" bash -c "! grep -q '^xpu bench: stream' '$TMP/err'"
jq '.schema_version = 7' "$TMP/base.json" >"$TMP/schema.json"
run bench $ONLY --compare "$TMP/schema.json"
check "other-schema baseline exits 1" rc_is 1
check "other-schema baseline: says which schema" err_has "schema_version 7"
jq '.machine.machine_id = "00000000000000000000000000000000" | .machine.hostname = "elsewhere"' "$TMP/base.json" >"$TMP/other.json"
run bench $ONLY --compare "$TMP/other.json"
check "other-machine baseline exits 1" rc_is 1
check "other-machine baseline: says so, naming the host" err_has "another machine (host 'elsewhere'"
run bench $ONLY --compare "$TMP/absent.json"
check "missing baseline exits 1" rc_is 1
check "missing baseline: names the file" err_has "$TMP/absent.json"
run bench $ONLY --save /nonexistent/dir/base.json
check "unwritable --save exits 1" rc_is 1
check "unwritable --save names the file" err_has "/nonexistent/dir/base.json"

# --- issue 15: hostile baselines.  A FIFO hung --compare; a valid 50 MB
# baseline took 10 s and 726 MB; --save wrote FILE.tmp.PID through fopen,
# so a link planted at that name overwrote any file (root's 0600 one here). ---
mkfifo "$TMP/fifo.json"
timeout 10 "$XPU" bench $ONLY --compare "$TMP/fifo.json" >"$TMP/out" 2>"$TMP/err"; echo $? >"$TMP/rc"
check "a FIFO as baseline: exit 1 at once, naming it" bash -c "[ \$(cat '$TMP/rc') = 1 ] && grep -q '$TMP/fifo.json: not a regular file (a FIFO)' '$TMP/err'"
jq '.targets += [range(100000) | {device: "pad", backend: "none", figures: []}]' "$TMP/base.json" >"$TMP/huge.json"
timeout 10 "$XPU" bench $ONLY --compare "$TMP/huge.json" >"$TMP/out" 2>"$TMP/err"; echo $? >"$TMP/rc"
check "a valid baseline over 4 MiB: refused at once, naming the file and the cap" bash -c "[ \$(cat '$TMP/rc') = 1 ] && grep -q '$TMP/huge.json: [0-9]* bytes, more than the 4 MiB' '$TMP/err'"
printf 'keep me\n' >"$TMP/precious" && chmod 600 "$TMP/precious"
ln -s "$TMP/precious" "$TMP/saved.json"
# exec keeps the shell's pid: the name the old code wrote through is known
bash -c 'ln -s "$1/precious" "$1/saved.json.tmp.$$"; exec "$2" bench --quick --device cpu --only stream.copy --save "$1/saved.json"' _ "$TMP" "$XPU" >/dev/null 2>"$TMP/err"
check "--save through planted links: the linked file is untouched" [ "$(cat "$TMP/precious")" = "keep me" ]
check "... and the baseline is a new regular file" bash -c "[ -f '$TMP/saved.json' ] && [ ! -L '$TMP/saved.json' ] && jq -e '.kind == \"xpu-bench\"' '$TMP/saved.json' >/dev/null"
mkdir "$TMP/folder.json"
run bench $ONLY --save "$TMP/folder.json"
check "--save onto a folder: exit 1, saying so" bash -c "[ \$(cat '$TMP/rc') = 1 ] && grep -q '$TMP/folder.json: a folder' '$TMP/err'"

finish
