#!/bin/bash
# H200 run for the telemetry capability: exporter values against nvidia-smi
# in the same run, under a torch matmul load, plus xpu top --once --json.
set -u
C=$PWD/.carry-telemetry
O=${OUT:-/tmp/out}
mkdir -p "$O"
export XPU_PCI_IDS=$C/pci.ids
xpu() { LD_LIBRARY_PATH=$C/lib "$C/xpu" "$@"; }
{ nvidia-smi; nvidia-smi -q -d PERFORMANCE; } >"$O/nvidia-smi.txt" 2>&1
xpu list -v >"$O/list.txt" 2>&1
xpu --sysroot / top --once --json >/dev/null 2>&1 # warm
LD_LIBRARY_PATH=$C/lib "$C/xpu" exporter --listen 127.0.0.1:0 --interval 1s --processes 2>"$O/exporter.err" &
EXP=$!
for _ in $(seq 100); do grep -q serving "$O/exporter.err" && break; sleep 0.1; done
PORT=$(sed -n 's#.*127.0.0.1:\([0-9]*\)/metrics#\1#p' "$O/exporter.err")
echo "port=$PORT" >"$O/run.log"
fetch() { python3 -c 'import sys,urllib.request; sys.stdout.write(urllib.request.urlopen(sys.argv[1], timeout=5).read().decode())' "$1"; }
query="timestamp,memory.used,memory.total,power.draw,temperature.gpu,clocks.sm,utilization.gpu,utilization.memory,clocks.mem,power.limit,clocks.max.sm,clocks_event_reasons.active"
# idle pair first
fetch "http://127.0.0.1:$PORT/metrics" >"$O/metrics-idle.txt"
nvidia-smi --query-gpu=$query --format=csv,noheader,nounits >"$O/smi-idle.csv" 2>&1
python3 - >"$O/load.log" 2>&1 <<'PY' &
import time, torch
a = torch.randn(8192, 8192, device="cuda")
buf = torch.empty(6 * 1024**3, dtype=torch.uint8, device="cuda")  # 6 GiB held
t = time.time()
n = 0
while time.time() - t < 45:
    b = a @ a
    n += 1
    if n % 50 == 0:
        torch.cuda.synchronize()
torch.cuda.synchronize()
print("matmuls", n)
PY
LOAD=$!
echo "load pid $LOAD" >>"$O/run.log"
sleep 12
for i in 1 2 3 4 5 6; do
	fetch "http://127.0.0.1:$PORT/metrics" >"$O/metrics-$i.txt"
	nvidia-smi --query-gpu=$query --format=csv,noheader,nounits >"$O/smi-$i.csv" 2>&1
	nvidia-smi --query-compute-apps=pid,process_name,used_memory --format=csv,noheader,nounits >"$O/apps-$i.csv" 2>&1
	sleep 2.5
done
xpu top --once --json --interval 1s >"$O/top.json" 2>"$O/top.err"
xpu top --once --interval 1s >"$O/top.txt" 2>&1
wait $LOAD
fetch "http://127.0.0.1:$PORT/healthz" >"$O/healthz.txt"
kill -TERM $EXP; wait $EXP; echo "exporter exit $?" >>"$O/run.log"
python3 - "$O" >"$O/compare.txt" 2>&1 <<'PY'
import re, sys, glob, os
O = sys.argv[1]
def metrics(path):
    m = {}
    for line in open(path):
        if line.startswith("#") or not line.strip():
            continue
        name_labels, val = line.rsplit(" ", 1)
        name = name_labels.split("{")[0]
        labels = dict(re.findall(r'(\w+)="([^"]*)"', name_labels))
        if labels.get("vendor") == "nvidia" or name.startswith("xpu_process"):
            m.setdefault(name, []).append((labels, float(val)))
    return m
def one(m, name, **want):
    for labels, v in m.get(name, []):
        if all(labels.get(k) == w for k, w in want.items()):
            return v
    return None
rows = []
for tag in ["idle"] + [str(i) for i in range(1, 7)]:
    mp, sp = f"{O}/metrics-{tag}.txt", f"{O}/smi-{tag}.csv"
    if not (os.path.exists(mp) and os.path.exists(sp)):
        continue
    m = metrics(mp)
    s = [x.strip() for x in open(sp).read().strip().split(",")]
    if len(s) < 12:
        print(f"pair {tag}: nvidia-smi gave {s}")
        continue
    smi = dict(mem_used=float(s[1]), mem_total=float(s[2]), power=float(s[3]), temp=float(s[4]),
               sm=float(s[5]), util=float(s[6]), mutil=float(s[7]), memclk=float(s[8]), plimit=float(s[9]))
    MiB = 1024 * 1024
    x = dict(mem_used=(one(m, "xpu_memory_used_bytes") or 0) / MiB,
             mem_total=(one(m, "xpu_memory_total_bytes") or 0) / MiB,
             power=one(m, "xpu_power_watts"), temp=one(m, "xpu_temperature_celsius", sensor="gpu"),
             sm=(one(m, "xpu_clock_hz", clock="graphics") or 0) / 1e6,
             util=(one(m, "xpu_utilization_ratio") or 0) * 100,
             mutil=(one(m, "xpu_memory_utilization_ratio") or 0) * 100,
             memclk=(one(m, "xpu_clock_hz", clock="memory") or 0) / 1e6,
             plimit=one(m, "xpu_power_limit_watts"))
    print(f"pair {tag}: smi_time={s[0]} throttle={s[11]}")
    for k in smi:
        print(f"  {k:10s} nvidia-smi={smi[k]:>10.1f}  xpu={x[k] if x[k] is not None else float('nan'):>10.1f}")
    thr = [l["reason"] for l, v in m.get("xpu_throttle_reason", [])]
    print(f"  throttle   xpu={thr}")
    procs = [(l.get("pid"), l.get("command"), l.get("region"), v) for l, v in m.get("xpu_process_memory_bytes", [])]
    print(f"  processes  xpu={procs}")
    ap = f"{O}/apps-{tag}.csv"
    if os.path.exists(ap):
        print(f"  processes  nvidia-smi={open(ap).read().strip()}")
PY
cat "$O/compare.txt"
