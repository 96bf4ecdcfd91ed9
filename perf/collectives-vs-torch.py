#!/usr/bin/env python3
"""perf/collectives-vs-torch.py: xpu bench's multi-GPU figures side by side
with PyTorch in the same run, as ratios (xpu / torch; 1 is as fast).

    perf/collectives-vs-torch.py --xpu build-rel/xpu [--out DIR] [--traffic 12]
    perf/collectives-vs-torch.py --backend gloo --gpus 2    # here, no GPU:
                                   # torch's side of all-reduce only, on CPUs

1. `xpu bench --only p2p,allreduce,allgather,reducescatter,broadcast --json`.
2. torch.distributed with the NCCL backend, one process per GPU (as
   torchrun would start them), the same collectives, float32, the same
   sizes, timed as xpu and nccl-tests time them: 5 warm-ups, a batch of
   operations sized to ~50 ms between barriers and a device synchronise,
   10 repetitions, the slowest rank's time; busbw = algbw x 2(n-1)/n
   (all-reduce), x (n-1)/n (all-gather, reduce-scatter), x 1 (broadcast).
3. A peer copy in PyTorch: 1 GiB from cuda:i to cuda:j (b.copy_(a)),
   events on the source's stream, bytes counted once; each direction.
4. --traffic SECONDS: `xpu exporter --interval 1s` serving while a torch
   all-reduce of 1 GiB runs that long; xpu_link_bytes_total before and after
   and xpu_link_throughput_bytes_per_second each second, against the bytes
   the all-reduce moved: K operations x 1 GiB x 2(n-1)/n sent by each GPU.
Goals (issue 14): all-reduce busbw at 1 GiB >= 0.98 x torch; p2p copy >=
0.98 x torch; the exporter's NVLink bytes within 5% of the all-reduce's.
The machine's NCCL variables (NCCL_NVLS_ENABLE=0 and the others) are left
as they are.  Prints a table and writes DIR/collectives-vs-torch.json."""
import argparse
import json
import os
import re
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request

SIZES = [(8, "8B"), (64, "64B"), (512, "512B"), (4 << 10, "4KiB"), (32 << 10, "32KiB"),
         (256 << 10, "256KiB"), (2 << 20, "2MiB"), (16 << 20, "16MiB"), (128 << 20, "128MiB"),
         (1 << 30, "1GiB")]
COLLECTIVES = ["allreduce", "allgather", "reducescatter", "broadcast"]
REPS, WARM, TARGET_S = 10, 5, 0.05


def busbw_factor(kind, n):
    return {"allreduce": 2.0 * (n - 1) / n, "allgather": (n - 1) / n,
            "reducescatter": (n - 1) / n}.get(kind, 1.0)


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


# --- torch side: one process per GPU ---

def torch_op(dist, torch, kind, n, size, dev):
    count = size // 4
    per = count // n if kind in ("allgather", "reducescatter") else count
    if per == 0:
        return None
    if kind == "allreduce":
        x = torch.ones(count, dtype=torch.float32, device=dev)
        return lambda: dist.all_reduce(x)
    if kind == "broadcast":
        x = torch.ones(count, dtype=torch.float32, device=dev)
        return lambda: dist.broadcast(x, 0)
    if kind == "allgather":
        x = torch.ones(per, dtype=torch.float32, device=dev)
        out = torch.empty(per * n, dtype=torch.float32, device=dev)
        return lambda: dist.all_gather_into_tensor(out, x)
    x = torch.ones(per * n, dtype=torch.float32, device=dev)
    out = torch.empty(per, dtype=torch.float32, device=dev)
    return lambda: dist.reduce_scatter_tensor(out, x)


def timed(dist, torch, op, iters, dev):
    """Seconds for iters operations, the slowest rank's."""
    dist.barrier()
    if dev.type == "cuda":
        torch.cuda.synchronize(dev)
    t0 = time.perf_counter()
    for _ in range(iters):
        op()
    if dev.type == "cuda":
        torch.cuda.synchronize(dev)
    t = torch.tensor([time.perf_counter() - t0], dtype=torch.float64, device=dev)
    dist.all_reduce(t, op=dist.ReduceOp.MAX)
    return float(t.item())


def worker(rank, n, port, backend, kinds, sizes, out_path, traffic_s):
    import torch
    import torch.distributed as dist
    dev = torch.device(f"cuda:{rank}") if backend == "nccl" else torch.device("cpu")
    if dev.type == "cuda":
        torch.cuda.set_device(dev)
    dist.init_process_group(backend, init_method=f"tcp://127.0.0.1:{port}", rank=rank, world_size=n)
    results = {}
    for kind in kinds:
        for size, name in sizes:
            op = torch_op(dist, torch, kind, n, size, dev)
            if op is None:
                continue
            timed(dist, torch, op, WARM, dev)
            t1 = timed(dist, torch, op, 1, dev)
            iters = max(1, min(2000, int(TARGET_S / t1))) if t1 > 0 else 1
            rates = []
            for _ in range(REPS):
                t = timed(dist, torch, op, iters, dev)
                rates.append(size * iters / t / 1e9 * busbw_factor(kind, n))
            rates.sort()
            results[f"{kind}.{name}"] = {"best": rates[-1], "median": rates[len(rates) // 2],
                                         "iters": iters}
            del op
    if traffic_s:
        op = torch_op(dist, torch, "allreduce", n, 1 << 30, dev)
        timed(dist, torch, op, 3, dev)
        dist.barrier()
        torch.cuda.synchronize(dev)
        t0 = time.time()
        k = 0
        while True:
            for _ in range(10):
                op()
            k += 10
            torch.cuda.synchronize(dev)
            done = torch.tensor([1 if time.time() - t0 >= traffic_s else 0], device=dev)
            dist.all_reduce(done, op=dist.ReduceOp.MAX)
            if done.item():
                break
        t1 = time.time()
        results["traffic"] = {"ops": k, "start": t0, "end": t1, "bytes": 1 << 30}
    if rank == 0:
        with open(out_path, "w") as f:
            json.dump(results, f)
    dist.destroy_process_group()


def torch_collectives(n, backend, kinds, sizes, traffic_s):
    import torch.multiprocessing as mp
    with tempfile.NamedTemporaryFile(suffix=".json", delete=False) as f:
        path = f.name
    mp.spawn(worker, args=(n, free_port(), backend, kinds, sizes, path, traffic_s), nprocs=n,
             join=True)
    with open(path) as f:
        out = json.load(f)
    os.unlink(path)
    return out


def torch_p2p(n, size=1 << 30):
    import torch
    out = {}
    for i in range(n):
        for j in range(n):
            if i == j:
                continue
            a = torch.ones(size // 4, dtype=torch.float32, device=f"cuda:{i}")
            b = torch.empty(size // 4, dtype=torch.float32, device=f"cuda:{j}")
            s = torch.cuda.current_stream(i)
            for _ in range(3):
                b.copy_(a, non_blocking=True)
            torch.cuda.synchronize(i)
            rates = []
            for _ in range(REPS):
                e0 = torch.cuda.Event(enable_timing=True)
                e1 = torch.cuda.Event(enable_timing=True)
                with torch.cuda.device(i):
                    e0.record(s)
                    for _ in range(10):
                        b.copy_(a, non_blocking=True)
                    e1.record(s)
                e1.synchronize()
                rates.append(size * 10 / (e0.elapsed_time(e1) * 1e-3) / 1e9)
            rates.sort()
            out[f"{i}-{j}"] = {"best": rates[-1], "median": rates[len(rates) // 2]}
            del a, b
            torch.cuda.empty_cache()
    return out


# --- xpu side ---

def xpu_bench(xpu, level):
    cmd = [xpu, "bench", "--only", "p2p,allreduce,allgather,reducescatter,broadcast", "--json"]
    if level == "quick":
        cmd.insert(2, "--quick")
    p = subprocess.run(cmd, capture_output=True, text=True, timeout=900)
    if p.returncode not in (0, 3):
        print(f"xpu bench failed ({p.returncode}): {p.stderr.strip()[-400:]}", file=sys.stderr)
    return json.loads(p.stdout) if p.stdout.strip() else {"targets": []}


def figures(report):
    out = {}
    for t in report.get("targets", []):
        for f in t.get("figures", []):
            key = f["name"] if t["backend"] != "cuda" else f"{t['device']}:{f['name']}"
            out[key] = f
        if t.get("state") != "ok":
            out[f"target {t['backend']} {t['device']}"] = {"state": t.get("state"),
                                                          "detail": t.get("detail")}
    return out


# --- the exporter during an all-reduce ---

def scrape(url):
    return urllib.request.urlopen(url, timeout=5).read().decode()


def link_series(text, metric):
    """{(device, link, direction): value} of one metric family."""
    out = {}
    for line in text.splitlines():
        if not line.startswith(metric + "{"):
            continue
        labels = dict(re.findall(r'(\w+)="([^"]*)"', line))
        out[(labels["device"], labels["link"], labels["direction"])] = float(line.rsplit(" ", 1)[1])
    return out


def start_exporter(xpu):
    err = tempfile.NamedTemporaryFile(suffix=".err", delete=False)
    p = subprocess.Popen([xpu, "exporter", "--listen", "127.0.0.1:0", "--interval", "1s"],
                         stdout=subprocess.DEVNULL, stderr=err)
    for _ in range(100):
        text = open(err.name).read()
        m = re.search(r"127\.0\.0\.1:(\d+)/metrics", text)
        if m:
            return p, f"http://127.0.0.1:{m.group(1)}/metrics"
        if p.poll() is not None:
            break
        time.sleep(0.1)
    p.kill()
    raise RuntimeError(f"xpu exporter did not start: {open(err.name).read().strip()}")


def traffic_check(xpu, n, seconds):
    exp, url = start_exporter(xpu)
    samples = []
    stop = threading.Event()

    def poll():
        while not stop.is_set():
            try:
                samples.append((time.time(), link_series(scrape(url),
                                                         "xpu_link_throughput_bytes_per_second")))
            except OSError:
                pass
            stop.wait(1.0)

    time.sleep(2.5)  # two samples: the rates exist
    before = link_series(scrape(url), "xpu_link_bytes_total")
    th = threading.Thread(target=poll)
    th.start()
    res = torch_collectives(n, "nccl", [], [], seconds)["traffic"]
    stop.set()
    th.join()
    time.sleep(1.5)  # the sample after the last operation
    after = link_series(scrape(url), "xpu_link_bytes_total")
    exp.terminate()
    exp.wait(timeout=10)
    moved = res["ops"] * res["bytes"] * busbw_factor("allreduce", n)  # sent by each GPU
    dur = res["end"] - res["start"]
    rows = []
    for key in sorted(after):
        dev, link, direction = key
        if link != "nvlink" or key not in before:
            continue
        delta = after[key] - before[key]
        # the gauge's samples wholly inside the run, averaged, times its duration
        inside = [s[key] for t, s in samples if res["start"] + 1.5 <= t <= res["end"] and key in s]
        gauge = sum(inside) / len(inside) * dur if inside else None
        rows.append({"device": dev, "direction": direction, "counter_delta": delta,
                     "gauge_bytes": gauge, "moved": moved,
                     "counter_ratio": delta / moved if moved else None,
                     "gauge_ratio": gauge / moved if gauge and moved else None})
    return {"ops": res["ops"], "seconds": dur, "bytes_per_gpu": moved, "rows": rows}


def ratio(a, b):
    return a / b if a and b else None


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--xpu", default="build/xpu")
    ap.add_argument("--out", default=".")
    ap.add_argument("--level", default="normal", choices=["quick", "normal"])
    ap.add_argument("--backend", default="nccl", choices=["nccl", "gloo"])
    ap.add_argument("--gpus", type=int, default=0, help="processes (default: every CUDA GPU)")
    ap.add_argument("--traffic", type=float, default=0, help="seconds of all-reduce for the exporter check")
    a = ap.parse_args()
    import torch
    n = a.gpus or (torch.cuda.device_count() if a.backend == "nccl" else 2)
    print(f"machine: {socket.gethostname()}, torch {torch.__version__}, {n} "
          f"{'GPUs: ' + torch.cuda.get_device_name(0) if a.backend == 'nccl' and n else 'CPU processes'}; "
          f"NCCL_NVLS_ENABLE={os.environ.get('NCCL_NVLS_ENABLE')}")
    if a.backend == "nccl" and n < 2:
        print("needs 2 or more CUDA GPUs (or --backend gloo here)")
        return 2
    result = {"n": n, "backend": a.backend}
    kinds = COLLECTIVES if a.backend == "nccl" else ["allreduce"]
    sizes = SIZES if a.level == "normal" else [s for s in SIZES if s[1] in ("8B", "256KiB", "16MiB", "128MiB")]
    report = xpu_bench(a.xpu, a.level) if a.backend == "nccl" else {"targets": []}
    result_targets = report.get("targets", [])
    xf = figures(report)
    tf = torch_collectives(n, a.backend, kinds, sizes, 0)
    result.update(xpu=xf, torch=tf)
    print(f"\n{'figure':<22} {'xpu busbw':>10} {'torch busbw':>12} {'ratio':>6}   (GB/s, best of {REPS}; medians in the JSON)")
    for key in sorted(tf, key=lambda k: (k.split('.')[0], dict((v, i) for i, (_, v) in enumerate(SIZES)).get(k.split('.')[1], 99))):
        x = xf.get(key, {})
        xb = x.get("value") if x.get("state") == "ok" else None
        r = ratio(xb, tf[key]["best"])
        print(f"{key:<22} {xb if xb is None else round(xb, 2)!s:>10} {tf[key]['best']:>12.2f} "
              f"{'-' if r is None else f'{r:.3f}':>6}")
    if a.backend == "nccl":
        tp = torch_p2p(n)
        result["torch_p2p"] = tp
        print(f"\n{'p2p copy':<22} {'xpu GB/s':>10} {'torch GB/s':>12} {'ratio':>6}")
        cuda = [t for t in result_targets if t["backend"] == "cuda"]
        for pair, v in tp.items():
            i, j = (int(x) for x in pair.split("-"))
            xb = None
            if i < len(cuda) and j < len(cuda):
                peer = cuda[j]["device"]
                idx = _index_of(peer, cuda)
                f = next((f for f in cuda[i].get("figures", []) if f["name"] == f"p2p.memcpy.{idx}"), None)
                xb = f.get("value") if f and f.get("state") == "ok" else None
            r = ratio(xb, v["best"])
            print(f"cuda:{i} -> cuda:{j:<13} {xb if xb is None else round(xb, 1)!s:>10} {v['best']:>12.1f} "
                  f"{'-' if r is None else f'{r:.3f}':>6}")
    if a.traffic and a.backend == "nccl":
        tr = traffic_check(a.xpu, n, a.traffic)
        result["traffic"] = tr
        print(f"\nexporter during {tr['ops']} all-reduces of 1 GiB in {tr['seconds']:.1f} s "
              f"({tr['bytes_per_gpu'] / 1e9:.1f} GB sent by each GPU, 2(n-1)/n of each):")
        for r in tr["rows"]:
            gauge = "n/a" if r["gauge_bytes"] is None else "%.2f GB (x%.3f)" % (
                r["gauge_bytes"] / 1e9, r["gauge_ratio"])
            print("  device %s nvlink %s: counter %.2f GB (x%.3f), gauge x duration %s" % (
                r["device"], r["direction"], r["counter_delta"] / 1e9, r["counter_ratio"], gauge))
    os.makedirs(a.out, exist_ok=True)
    with open(os.path.join(a.out, "collectives-vs-torch.json"), "w") as f:
        json.dump(result, f, indent=1)
    return 0


def _index_of(device_id, cuda_targets):
    """xpu's index of a device: the shape of its p2p figures, as `xpu list`
    numbers it; read from the figures that name it."""
    for t in cuda_targets:
        for f in t.get("figures", []):
            if f["name"].startswith("p2p.memcpy.") and device_id in f.get("note", ""):
                return f["name"].rsplit(".", 1)[1]
    return "?"


if __name__ == "__main__":
    sys.exit(main())
