#!/usr/bin/env bash
# perf/list-runtimes.sh: does probing the runtimes side by side cost about
# the slowest one?  Times, in one run, `xpu --no-cache list` (every runtime,
# side by side), the same one after another (XPU_DEBUG=serial, the order the
# probes ran in before), and `xpu --no-cache --runtimes=X list` for each
# runtime X, and prints the ratio of all to the slowest single one (goal:
# at most 1.2, issue 12).
#
#   XPU=./build/xpu RUNS=30 OUT_JSON=runtimes.json perf/list-runtimes.sh
#
# XPU       the xpu binary (default ./build/xpu)
# RUNS      timed runs per command, at least 10 (default 30)
# OUT_JSON  also write the results there as JSON
#
# Needs bash and python3 (hyperfine is used when installed, else python3
# times the runs, the commands taking turns so that drift hits them alike).
# Also checks that both give the same `list --json` (the steady values).
# Exits non-zero when xpu fails or the answers differ.
set -u
export LC_ALL=C
XPU=${XPU:-./build/xpu}
RUNS=${RUNS:-30}
OUT_JSON=${OUT_JSON:-}

die() {
	printf 'perf/list-runtimes.sh: %s\n' "$*" >&2
	exit 1
}
case $RUNS in
'' | *[!0-9]*) die "RUNS must be a number, not '$RUNS'" ;;
esac
[ "$RUNS" -ge 10 ] || RUNS=10
command -v python3 >/dev/null 2>&1 || die "python3 is needed"
if [ ! -x "$XPU" ] && ! command -v "$XPU" >/dev/null 2>&1; then
	die "xpu binary '$XPU' not found (build it: meson setup build && ninja -C build; or set XPU)"
fi
tmp=$(mktemp -d "${TMPDIR:-/tmp}/xpu-perf-rt.XXXXXX") || die "cannot create a temporary folder"
trap 'rm -rf "$tmp"' EXIT
export XPU_CACHE_DIR= # --no-cache anyway: no cache of the user's is touched

"$XPU" --no-cache list --json >"$tmp/list.json" 2>"$tmp/err" || {
	sed 's/^/  /' "$tmp/err" >&2
	die "$XPU --no-cache list --json failed"
}
# One run's own account: each probe's time and the wall time of all.
XPU_DEBUG=timing "$XPU" --no-cache list 2>"$tmp/timing" >/dev/null
# The same answers side by side as one after another (compared below).
"$XPU" --no-cache list --json >"$tmp/side.json" 2>/dev/null
XPU_DEBUG=serial "$XPU" --no-cache list --json >"$tmp/serial.json" 2>/dev/null

XPU="$XPU" RUNS="$RUNS" OUT_JSON="$OUT_JSON" TMPD="$tmp" python3 - <<'PY'
import json, os, platform, shlex, shutil, statistics, subprocess, sys, time

xpu, runs, tmp = os.environ["XPU"], int(os.environ["RUNS"]), os.environ["TMPD"]
out_json = os.environ.get("OUT_JSON", "")
listing = json.load(open(os.path.join(tmp, "list.json")))
names = list(listing["runtimes"].keys())

cmds = [("all, side by side", [xpu, "--no-cache", "list"], {}),
        ("all, one after another (XPU_DEBUG=serial)", [xpu, "--no-cache", "list"],
         {"XPU_DEBUG": "serial"})]
for n in names:
    cmds.append((f"only {n} (--runtimes={n})", [xpu, "--no-cache", f"--runtimes={n}", "list"], {}))
cmds.append(("no runtime (--no-runtimes)", [xpu, "--no-cache", "--no-runtimes", "list"], {}))

def run_once(argv, extra):
    env = dict(os.environ, **extra)
    t0 = time.perf_counter()
    rc = subprocess.run(argv, env=env, stdout=subprocess.DEVNULL,
                        stderr=subprocess.DEVNULL).returncode
    return time.perf_counter() - t0, rc

def with_python():
    times = [[] for _ in cmds]
    fails = [0] * len(cmds)
    for _ in range(3):  # warm-up: page cache, ICD files
        for argv, extra in ((c[1], c[2]) for c in cmds):
            run_once(argv, extra)
    for _ in range(runs):  # turns, so that drift hits every command alike
        for i, (_, argv, extra) in enumerate(cmds):
            t, rc = run_once(argv, extra)
            times[i].append(t)
            fails[i] += rc != 0
    return times, fails, f"python3 time.perf_counter, commands taking turns, 3 warm-up rounds"

def with_hyperfine():
    hf = ["hyperfine", "--warmup", "3", "--runs", str(runs), "--ignore-failure",
          "--style", "basic", "--export-json", os.path.join(tmp, "hf.json")]
    helptext = subprocess.run(["hyperfine", "--help"], capture_output=True, text=True).stdout
    if "--shell=none" in helptext:  # no shell between hyperfine and xpu
        hf.append("-N")
    for name, argv, extra in cmds:
        pre = " ".join(f"{k}={shlex.quote(v)}" for k, v in extra.items())
        hf += [f"--command-name={name}", (f"env {pre} " if pre else "") + shlex.join(argv)]
    done = subprocess.run(hf, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    if done.returncode:
        sys.exit(f"perf/list-runtimes.sh: hyperfine failed:\n{done.stderr}")
    res = json.load(open(os.path.join(tmp, "hf.json")))["results"]
    times = [r["times"] for r in res]
    fails = [sum(1 for c in r.get("exit_codes", []) if c) for r in res]
    ver = subprocess.run(["hyperfine", "--version"], capture_output=True, text=True).stdout.strip()
    return times, fails, f"{ver}, 3 warm-up runs"

times, fails, tool = with_hyperfine() if shutil.which("hyperfine") else with_python()
med = [statistics.median(t) * 1e3 for t in times]
low = [min(t) * 1e3 for t in times]

gpus = [d.get("name", {}).get("value") or "(unnamed)" for d in listing["devices"]
        if d.get("vendor") != "cpu"]
print(f"xpu runtimes perf: {runs} runs per command ({tool})")
print(f"xpu:    {xpu}")
print(f"kernel: {platform.release()}   cpus: {os.cpu_count()}")
print(f"gpus:   {', '.join(gpus) if gpus else 'none reported by xpu'}")
print()
print(f"{'command':<46} {'median ms':>10} {'min ms':>10}")
for (name, _, _), m, l, f in zip(cmds, med, low, fails):
    note = f"  ({f} of {runs} runs failed)" if f else ""
    print(f"{name:<46} {m:>10.2f} {l:>10.2f}{note}")

single = {name: m for (name, _, _), m in zip(cmds, med) if name.startswith("only ")}
slowest = max(single, key=single.get)
ratio = med[0] / single[slowest]
serial_ratio = med[1] / med[0]
print()
print(f"slowest single runtime: {slowest} ({single[slowest]:.2f} ms)")
print(f"all side by side / slowest single = {ratio:.2f} (goal <= 1.2: {'met' if ratio <= 1.2 else 'not met'})")
print(f"one after another / side by side = {serial_ratio:.2f}")
print()
print("one run's own account (XPU_DEBUG=timing, side by side):")
for line in open(os.path.join(tmp, "timing")):
    what = line.split("xpu: timing: ", 1)[-1].rstrip()
    if what.split()[0] in names or what.startswith("runtimes (wall)"):
        print(f"  {what}")

# What does not change from one read to the next: the runtimes' answers and
# each device's identity, backends and fixed values (not clocks, power,
# temperatures, memory in use).
steady = ("id", "index", "vendor", "kind", "name", "uuid", "driver", "driver_version",
          "family", "memory_kind", "memory_total_bytes", "compute_units",
          "compute_unit_name", "compute_capability", "card_node", "render_node", "backends")
def steady_view(path):
    j = json.load(open(path))
    return (j["runtimes"], [{k: d.get(k) for k in steady} for d in j["devices"]])
same = steady_view(os.path.join(tmp, "side.json")) == steady_view(os.path.join(tmp, "serial.json"))
print()
print(f"same answers side by side as one after another (list --json, steady values): "
      f"{'yes' if same else 'NO'}")

if out_json:
    json.dump({"runs": runs, "tool": tool, "xpu": xpu, "kernel": platform.release(),
               "cpus": os.cpu_count(), "gpus": gpus,
               "results": [{"name": c[0], "command": shlex.join(c[1]), "env": c[2],
                            "median_ms": round(m, 3), "min_ms": round(l, 3), "failed_runs": f}
                           for c, m, l, f in zip(cmds, med, low, fails)],
               "slowest_single": slowest, "ratio_all_to_slowest": round(ratio, 3),
               "goal_met": ratio <= 1.2, "ratio_serial_to_all": round(serial_ratio, 3),
               "same_answers_as_serial": same},
              open(out_json, "w"), indent=2)
    print(f"\nwrote {out_json}")
sys.exit(1 if any(fails) or not same else 0)
PY
