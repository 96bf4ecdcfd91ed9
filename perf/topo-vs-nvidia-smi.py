#!/usr/bin/env python3
"""perf/topo-vs-nvidia-smi.py: does `xpu topo` say what `nvidia-smi topo -m`
says, cell by cell?  Not a timing: an equality check run on a machine with
NVIDIA GPUs (the H200 runs), or here against recorded outputs.

    perf/topo-vs-nvidia-smi.py --xpu build/xpu            # this machine
    perf/topo-vs-nvidia-smi.py --xpu-json topo.json --smi topo-m.txt \
        --smi-p2p topo-p2p.txt --smi-bus bus.csv            # recorded

Pairs are matched by PCI address (nvidia-smi's GPU index -> its bus id from
`nvidia-smi --query-gpu=index,pci.bus_id`; xpu's device -> pci_address), so
the two tools' numbering may differ.  Compared: every pair's letter (X, NV#,
PIX, PXB, PHB, NODE, SYS), the CPU Affinity, NUMA Affinity and GPU NUMA ID
columns, and the P2P read matrix (`nvidia-smi topo -p2p r`).  Exit 0 when all
are equal, 1 when any differs, 2 when a tool could not run."""
import argparse
import json
import re
import subprocess
import sys

ANSI = re.compile(r"\x1b\[[0-9;]*m")


def run(cmd):
    try:
        return subprocess.run(cmd, capture_output=True, text=True, timeout=60, check=True).stdout
    except (OSError, subprocess.SubprocessError) as e:
        print(f"could not run {' '.join(cmd)}: {e}", file=sys.stderr)
        sys.exit(2)


def norm_bus(bus):
    """00000000:06:00.0 -> 0000:06:00.0"""
    bus = bus.strip().lower()
    dom, rest = bus.split(":", 1)
    return f"{int(dom, 16):04x}:{rest}"


def parse_matrix(text):
    """nvidia-smi's matrix: {gpu_index: {column: cell}}, columns as headed."""
    lines = [ANSI.sub("", line).rstrip() for line in text.splitlines()]
    header = None
    rows = {}
    for line in lines:
        if header is None and "GPU0" in line:
            header = [h.strip() for h in re.split(r"\t+", line.strip()) if h.strip()]
            continue
        if header is not None:
            m = re.match(r"^\s*GPU(\d+)\s", line)
            if not m:
                if rows:
                    break
                continue
            # tabs separate the cells (nvidia-smi doubles some): no cell is empty
            cells = [c.strip() for c in re.split(r"\t+", line.strip())][1:]
            row = {}
            for k, h in enumerate(header):
                row[h] = cells[k] if k < len(cells) else ""
            rows[int(m.group(1))] = row
    return rows


def xpu_cells(topo):
    devs = topo["devices"]
    by_bus = {}
    for i, d in enumerate(devs):
        bus = d["id"][4:] if d["id"].startswith("pci:") else d["id"]
        by_bus[bus] = (i, d)
    return devs, by_bus


def value(v):
    return v["value"] if v.get("state") == "ok" else None


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--xpu", default="build/xpu")
    ap.add_argument("--xpu-json", help="xpu topo --json output instead of running xpu")
    ap.add_argument("--smi", help="nvidia-smi topo -m output instead of running it")
    ap.add_argument("--smi-p2p", help="nvidia-smi topo -p2p r output")
    ap.add_argument("--smi-bus", help="nvidia-smi --query-gpu=index,pci.bus_id --format=csv,noheader")
    a = ap.parse_args()

    topo = json.load(open(a.xpu_json)) if a.xpu_json else json.loads(run([a.xpu, "topo", "--json"]))
    topo = topo["topology"]
    smi = open(a.smi).read() if a.smi else run(["nvidia-smi", "topo", "-m"])
    p2p = open(a.smi_p2p).read() if a.smi_p2p else run(["nvidia-smi", "topo", "-p2p", "r"])
    bus_csv = open(a.smi_bus).read() if a.smi_bus else run(
        ["nvidia-smi", "--query-gpu=index,pci.bus_id", "--format=csv,noheader"])
    bus_of = {}
    for line in bus_csv.strip().splitlines():
        idx, bus = [x.strip() for x in line.split(",")]
        bus_of[int(idx)] = norm_bus(bus)

    m = parse_matrix(smi)
    pm = parse_matrix(p2p)
    devs, by_bus = xpu_cells(topo)
    diffs = 0
    checked = 0
    print(f"{'pair or GPU':<14} {'column':<14} {'nvidia-smi':<12} {'xpu':<12} same")
    for gi, row in sorted(m.items()):
        if bus_of.get(gi) not in by_bus:
            print(f"GPU{gi}: {bus_of.get(gi)} not in xpu topo")
            diffs += 1
            continue
        xi, xd = by_bus[bus_of[gi]]
        for gj in sorted(m):
            col = f"GPU{gj}"
            xj = by_bus.get(bus_of.get(gj), (None,))[0]
            got = topo["matrix"][xi][xj] if xj is not None else "(absent)"
            want = row.get(col, "")
            same = got == want
            diffs += not same
            checked += 1
            print(f"GPU{gi}-GPU{gj:<8} {'link':<14} {want:<12} {got:<12} {'yes' if same else 'NO'}")
            if gi != gj and pm:
                pw = pm.get(gi, {}).get(col, "")
                link = next((l for l in topo["links"] if l["from"] == xd["index"]
                             and xj is not None and l["to"] == devs[xj]["index"]), None)
                pg = value(link["p2p"]) if link else None
                same = (pg or "U") == pw
                diffs += not same
                checked += 1
                print(f"GPU{gi}-GPU{gj:<8} {'p2p read':<14} {pw:<12} {str(pg):<12} {'yes' if same else 'NO'}")
        for col, key in (("CPU Affinity", "cpu_affinity"), ("NUMA Affinity", "numa_affinity"),
                         ("GPU NUMA ID", "gpu_numa_id")):
            want = row.get(col, "")
            got = value(xd[key])
            got = "N/A" if got is None else str(got)
            same = got == want
            diffs += not same
            checked += 1
            print(f"GPU{gi:<11} {col:<14} {want:<12} {got:<12} {'yes' if same else 'NO'}")
    print(f"\n{checked} cells compared, {diffs} differ: "
          f"{'xpu topo equals nvidia-smi topo' if diffs == 0 else 'NOT equal'}")
    return 0 if diffs == 0 and checked else 1


if __name__ == "__main__":
    sys.exit(main())
