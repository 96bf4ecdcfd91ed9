#!/bin/bash
# perf/multi-gpu.sh: issue 14's goals on a machine with 2 or more NVIDIA GPUs,
# in one run, every figure beside the reference tool's:
#   1. `xpu topo` against `nvidia-smi topo -m` and `topo -p2p r`, every cell
#      (perf/topo-vs-nvidia-smi.py);
#   2. xpu bench's p2p and collectives against PyTorch (NCCL backend, one
#      process per GPU) and a PyTorch peer copy; the exporter's NVLink bytes
#      during a PyTorch all-reduce against the bytes it moved
#      (perf/collectives-vs-torch.py --traffic 12);
#   3. what the topology costs `xpu list --json` (XPU_DEBUG=timing).
# The machine's NCCL variables (NCCL_NVLS_ENABLE=0 ...) are kept.
#
#   XPU=build-rel/xpu PY=/opt/torch/.venv/bin/python3 OUT=/tmp/out perf/multi-gpu.sh
# Writes OUT/run.log and the raw outputs beside it.
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
XPU=${XPU:-$HERE/../build/xpu}
OUT=${OUT:-/tmp/xpu-multi-gpu}
PY=${PY:-python3}
mkdir -p "$OUT"
exec > >(tee "$OUT/run.log") 2>&1
echo "== machine"
date -u; uname -r; nproc
nvidia-smi -L; nvidia-smi --query-gpu=driver_version --format=csv,noheader | head -1
env | grep '^NCCL_' | sort
"$PY" -c 'import torch; print("torch", torch.__version__, "cuda", torch.version.cuda, "nccl", torch.cuda.nccl.version())'

echo "== 1. topology"
nvidia-smi topo -m >"$OUT/topo-m.txt" 2>&1
nvidia-smi topo -p2p r >"$OUT/topo-p2p-r.txt" 2>&1
nvidia-smi --query-gpu=index,pci.bus_id --format=csv,noheader >"$OUT/bus.csv"
nvidia-smi nvlink -R >"$OUT/nvlink-remote.txt" 2>&1
cat "$OUT/topo-m.txt"
head -5 "$OUT/nvlink-remote.txt"
"$XPU" topo -v
"$XPU" topo --json >"$OUT/topo.json"
"$PY" "$HERE/topo-vs-nvidia-smi.py" --xpu-json "$OUT/topo.json" --smi "$OUT/topo-m.txt" \
	--smi-p2p "$OUT/topo-p2p-r.txt" --smi-bus "$OUT/bus.csv"

echo "== 3. what the topology costs a listing"
for i in 1 2 3; do XPU_DEBUG=timing "$XPU" list --json 2>&1 >/dev/null | grep -E 'topology|nvml \(live'; done
"$PY" - "$XPU" <<'PY'
import subprocess, sys, time
x = sys.argv[1]
def t(args, n=15):
    best = []
    for _ in range(n):
        t0 = time.perf_counter(); subprocess.run([x] + args, capture_output=True); best.append(time.perf_counter() - t0)
    best.sort(); return best[len(best) // 2] * 1e3
subprocess.run([x, "list"], capture_output=True)
for args in (["list"], ["list", "--json"], ["topo"], ["topo", "--json"]):
    print(f"median ms  xpu {' '.join(args):<14} {t(args):7.2f}")
t0 = time.perf_counter(); subprocess.run(["nvidia-smi", "topo", "-m"], capture_output=True)
print(f"once   ms  nvidia-smi topo -m {1e3 * (time.perf_counter() - t0):7.2f}")
PY

# the per-GPU threads give what one after the other gives (XPU_DEBUG=serial)
"$XPU" topo --json >"$OUT/topo-threads.json"
XPU_DEBUG=serial "$XPU" topo --json >"$OUT/topo-serial.json" 2>/dev/null
if cmp -s "$OUT/topo-threads.json" "$OUT/topo-serial.json"; then
	echo "topology side by side = one after the other: yes"
else
	echo "topology side by side = one after the other: NO"
	diff "$OUT/topo-serial.json" "$OUT/topo-threads.json" | head -20
fi

echo "== 2. bench against torch, exporter during an all-reduce"
"$XPU" top --once --json --interval 1s >"$OUT/top.json" 2>&1
"$PY" "$HERE/collectives-vs-torch.py" --xpu "$XPU" --out "$OUT" --traffic 12
echo "== done"
