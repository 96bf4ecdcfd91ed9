#!/bin/bash
# xpu topo end to end: the recorded sysfs trees (tests/fixtures), and the
# 2-GPU H200 tree with the stand-in NVML answering as that machine does
# (tests/doctor/standin_nvml.c: NVLinks to NVSwitches, P2P OK, affinity
# 0-31 / node 0), held cell by cell against what `nvidia-smi topo -m` and
# `topo -p2p r` printed there (h200x2-nvidia-smi/, from run12), by the same
# script that compares them live (perf/topo-vs-nvidia-smi.py).  Then the
# other NVLink layouts, AMD without KFD (the xGMI hive alone), the exporter's
# link counters, and bad input.
#   topology.sh XPU SOURCE_DIR STANDIN_DIR
set -u
XPU=$1 SRC=$2 STANDIN=$3
. "$SRC/tests/lib.sh"
T=$(mktemp -d /tmp/xpu-topo-XXXXXX)
EXP=
trap '[ -n "$EXP" ] && kill "$EXP" 2>/dev/null; rm -rf "$T"' EXIT
F=$SRC/tests/fixtures
REC=$SRC/tests/topology/h200x2-nvidia-smi
nv() { env LD_LIBRARY_PATH="$STANDIN" XPU_STANDIN_DEVICES=2 "$@"; }
jq_() { python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); exec("print(" + sys.argv[2] + ")")' "$@"; }

# 1. the H200 pair as nvidia-smi printed it (no discovery cache: the
# stand-ins' variables are no part of its fingerprint)
export XPU_CACHE_DIR=
nv "$XPU" --sysroot "$F/h200x2" --runtimes=cuda,nvml topo --json >"$T/topo.json" 2>"$T/err"
check "topo --json exits 0 with the stand-in NVML" test $? = 0
python3 "$SRC/perf/topo-vs-nvidia-smi.py" --xpu-json "$T/topo.json" --smi "$REC/topo-m.txt" \
	--smi-p2p "$REC/topo-p2p-r.txt" --smi-bus "$REC/bus.csv" >"$T/cmp.txt"
check "every cell equals the H200's nvidia-smi topo -m and -p2p r (12 cells)" \
	grep -q '^12 cells compared, 0 differ' "$T/cmp.txt"
check "NV18 through NVSwitches, from NVML" test "$(jq_ "$T/topo.json" 'd["topology"]["links"][0]["source"]')" = nvml
check "the PCIe path under the NVLinks is NVML's host bridge" \
	test "$(jq_ "$T/topo.json" 'd["topology"]["links"][0]["pcie"]["value"]')" = phb
check "NVML gives no NVLink speed on the H200 (field 90): the bandwidth says so" \
	grep -q 'NVML gives no NVLink speed (field 90)' "$T/topo.json"
nv XPU_STANDIN_NVLINK_SPEED=26562 "$XPU" --sysroot "$F/h200x2" --runtimes=cuda,nvml topo --json >"$T/speed.json"
check "where NVML gives the speed: 18 links x 26.562 GB/s" \
	test "$(jq_ "$T/speed.json" 'round(d["topology"]["links"][0]["bandwidth_gbs"]["value"],1)')" = 478.1
# without NVML the same cells are known only as far as sysfs goes, and say why
"$XPU" --sysroot "$F/h200x2" topo >"$T/plain.txt"
check "without runtimes: PHB, marked unknown" grep -q '^GPU0   X       PHB\* ' "$T/plain.txt"
check "without runtimes: the note says why" \
	grep -q 'GPU0-GPU1 link: n/a (not probed: nvml not probed (a sysroot replays files only))' "$T/plain.txt"
python3 "$SRC/perf/topo-vs-nvidia-smi.py" --xpu-json <("$XPU" --sysroot "$F/h200x2" topo --json) \
	--smi "$REC/topo-m.txt" --smi-p2p "$REC/topo-p2p-r.txt" --smi-bus "$REC/bus.csv" >"$T/cmp2.txt"
check "the comparison fails when xpu does not know the NVLinks (it can fail)" test $? = 1
nv XPU_STANDIN_NVML_INIT=18 "$XPU" --sysroot "$F/h200x2" --runtimes=cuda,nvml topo >"$T/mismatch.txt"
check "NVML failing: its error is the reason" grep -q 'nvmlInit_v2: error 18' "$T/mismatch.txt"

# 2. other NVLink layouts, through the same stand-in
nv XPU_STANDIN_NVLINK=ring XPU_STANDIN_DEVICES=4 "$XPU" --sysroot "$F/h200x2" --runtimes=cuda,nvml topo --json >"$T/ring.json"
check "a ring of 4: NV9 to each neighbour, PHB across" \
	test "$(jq_ "$T/ring.json" '" ".join(d["topology"]["matrix"][0])')" = "X NV9 PHB NV9"
nv XPU_STANDIN_NVLINK=none "$XPU" --sysroot "$F/h200x2" --runtimes=cuda,nvml topo --json >"$T/none.json"
check "no NVLink: NVML's PCIe path, known" \
	test "$(jq_ "$T/none.json" 'd["topology"]["matrix"][0][1] + " " + d["topology"]["links"][0]["kind"]["state"]')" = "PHB ok"

# 3. AMD without the KFD topology: the xGMI hive alone, and why the rest is unknown
cp -a "$F/amd-mi300x-xgmi" "$T/amd" && rm -rf "$T/amd/sys/class/kfd"
"$XPU" --sysroot "$T/amd" topo --json >"$T/amd.json"
check "no KFD: one xGMI hive still shows as XGMI" \
	test "$(jq_ "$T/amd.json" 'd["topology"]["matrix"][0][1]')" = XGMI
check "no KFD: the reason names the missing folder" \
	grep -q 'links unknown without /sys/class/kfd/kfd/topology/nodes' "$T/amd.json"
rm -rf "$T/amd/sys/devices/pci0000:00/0000:00:01.0/0000:05:00.0/xgmi_hive_info"
"$XPU" --sysroot "$T/amd" topo --json >"$T/amd2.json"
check "no KFD, no hive: unknown, because amdgpu's KFD is not loaded" \
	grep -q "amdgpu's KFD not loaded" "$T/amd2.json"

# 4. list --json carries the topology; topo's bad input
"$XPU" --sysroot "$F/pcie-switch-5gpu" list --json >"$T/list.json"
check "list --json has the topology matrix" \
	test "$(jq_ "$T/list.json" '" ".join(d["topology"]["matrix"][0])')" = "X PIX PXB NODE SYS"
"$XPU" topo extra >/dev/null 2>"$T/bad.err"
check "topo with an argument: exit 2" test $? = 2
check "topo with an argument: says what to do" grep -q "topo takes no argument ('extra')" "$T/bad.err"
"$XPU" topo --help >"$T/help.txt"
check "topo --help names every letter" grep -q 'PIX one PCIe switch, PXB several switches' "$T/help.txt"
"$XPU" --sysroot "$F/no-drm" topo >"$T/nogpu.txt"
check "no GPU: says so, exit 0" grep -q '^no GPU' "$T/nogpu.txt"

# 5. the link counters in the exporter, from the stand-in's (1 GB/s each way)
# (env directly, not the nv function: `nv ... &` would background a subshell,
# and killing $! would leave the exporter running after the test)
env LD_LIBRARY_PATH="$STANDIN" XPU_STANDIN_DEVICES=2 "$XPU" --sysroot "$F/h200x2" --runtimes=cuda,nvml \
	exporter --listen 127.0.0.1:0 --interval 200ms 2>"$T/exp.err" >/dev/null &
EXP=$!
for _ in $(seq 100); do grep -q 'metrics' "$T/exp.err" && break; sleep 0.1; done
PORT=$(sed -n 's#.*127.0.0.1:\([0-9]*\)/metrics.*#\1#p' "$T/exp.err" | head -1)
sleep 1
python3 -c 'import sys,urllib.request; sys.stdout.write(urllib.request.urlopen(sys.argv[1], timeout=5).read().decode())' \
	"http://127.0.0.1:$PORT/metrics" >"$T/metrics.txt" 2>&1
kill "$EXP" 2>/dev/null; wait "$EXP" 2>/dev/null; EXP=
check "exporter: NVLink bytes sent, as a counter" \
	grep -q '^xpu_link_bytes_total{device="0".*link="nvlink",direction="tx"} [1-9]' "$T/metrics.txt"
rate=$(sed -n 's/^xpu_link_throughput_bytes_per_second{device="0".*link="nvlink",direction="rx"} //p' "$T/metrics.txt")
check "exporter: NVLink received per second, 1e9 within 5% (the stand-in's rate)" \
	python3 -c "import sys; sys.exit(0 if abs(float('${rate:-0}') / 1e9 - 1) < 0.05 else 1)"
check "exporter: PCIe, its own counter" \
	grep -q '^xpu_link_throughput_bytes_per_second{device="1".*link="pcie",direction="tx"} ' "$T/metrics.txt"
check "exporter: the CPU has no link series" \
	test "$(grep -c '^xpu_link_bytes_total{device="2"' "$T/metrics.txt")" = 0

# 6. the collectives' target: NCCL's absence, one GPU
nv XPU_NCCL=/nonexistent/libnccl.so.2 "$XPU" --sysroot "$F/h200x2" --runtimes=cuda,nvml bench --quick \
	--only allreduce --json >"$T/bench.json" 2>/dev/null
nccl() { jq_ "$T/bench.json" 'next(t for t in d["targets"] if t["backend"] == "nccl")'"$1"; }
check "bench: the GPUs' collectives target" test "$(nccl '["device"]')" = "gpus:0,1"
check "bench: NCCL missing is runtime_missing" test "$(nccl '["reason"]')" = runtime_missing
check "bench: and names where it looked" \
	test "$(nccl '["detail"]')" = "NCCL not found at XPU_NCCL=/nonexistent/libnccl.so.2 (give libnccl.so.2 or its folder)"
env LD_LIBRARY_PATH="$STANDIN" "$XPU" --sysroot "$F/h200" --runtimes=cuda,nvml bench --quick \
	--only allreduce --json >"$T/bench1.json" 2>/dev/null
check "bench: one GPU has nothing to talk to, and says so" \
	grep -q 'collectives need 2 or more GPUs; this machine has 1 usable CUDA device"' "$T/bench1.json"
env LD_LIBRARY_PATH="$STANDIN" "$XPU" --sysroot "$F/h200" --runtimes=cuda,nvml bench --quick \
	--only gemm --json >"$T/bench2.json" 2>/dev/null
check "bench: no collectives target unless asked for, with one GPU" \
	test "$(grep -c '"backend": "nccl"' "$T/bench2.json")" = 0
finish
