#!/usr/bin/env python3
"""The figures of perf/llm-h200.sh, as issue 17's goals compare them.

Usage: llm-h200-report.py OUT_DIR   (reads bench-llm-TYPE.json and
llama-bench-TYPE.json for TYPE in q4_0, f16)"""
import json
import os
import sys

PEAK_GBS = 4810.0  # H200 SXM, the peak table (src/bench/peaks.c)


def load(path):
    try:
        return json.load(open(path))
    except (OSError, ValueError) as e:
        print("  (no %s: %s)" % (os.path.basename(path), e))
        return None


def llama_bench(rows, n_prompt, n_gen):
    for r in rows or []:
        if r.get("n_prompt") == n_prompt and r.get("n_gen") == n_gen:
            return r["avg_ts"], r.get("stddev_ts", 0)
    return None, None


def dev(a, b):
    return 100.0 * (a / b - 1.0)


def per_request(reqs):
    ttft = [dev(q["ttft_ms"], q["server"]["ttft_ms"]) for q in reqs]
    tpot = [dev(q["tpot_ms"], q["server"]["tpot_ms"]) for q in reqs]
    return ttft, tpot


def report(out, t):
    r = load(os.path.join(out, "bench-llm-%s.json" % t))
    lb = load(os.path.join(out, "llama-bench-%s.json" % t))
    print("\n== %s ==" % t)
    if not r:
        return
    lv, rf = r["levels"][0], r["roofline"]
    srv = lv["server"]
    ttft, tpot = per_request(r["requests"])
    print("server: %s, model %s" % (r["server"]["software"], r["server"]["model"]))
    print("device: %s %s (%s)" % (rf["device"], rf["device_name"], rf["device_source"]))
    print("decode c=1: xpu %.1f tok/s (1000/mean TPOT), server %.1f (1000/mean predicted_per_token_ms): %+.2f%% (goal within 3%%)"
          % (lv["stream_tokens_per_s"], srv["decode_tokens_per_s"], dev(lv["stream_tokens_per_s"], srv["decode_tokens_per_s"])))
    print("TTFT per request vs the server's prompt_ms: %+.2f%% .. %+.2f%% (goal within 2%%)" % (min(ttft), max(ttft)))
    print("TPOT per request vs predicted_per_token_ms: %+.2f%% .. %+.2f%% (goal within 2%%)" % (min(tpot), max(tpot)))
    print("prefill (%d prompt tokens): xpu %.0f tok/s (tokens/TTFT), server %.0f (tokens/prompt_ms): %+.2f%% (goal within 5%%)"
          % (lv["prompt_tokens"], lv["prefill_tokens_per_s"], srv["prefill_tokens_per_s"],
             dev(lv["prefill_tokens_per_s"], srv["prefill_tokens_per_s"])))
    tg, tg_sd = llama_bench(lb, 0, 128)
    pp, pp_sd = llama_bench(lb, 512, 0)
    if tg:
        print("llama-bench tg128 %.1f +- %.1f tok/s; the server's decode is %.2fx of it"
              % (tg, tg_sd, srv["decode_tokens_per_s"] / tg))
    if pp:
        print("llama-bench pp512 %.0f +- %.0f tok/s; the server's prefill is %.2fx of it"
              % (pp, pp_sd, srv["prefill_tokens_per_s"] / pp))
    b, bw = rf["bytes_per_token"], rf["bandwidth_gbs"]
    used = b * lv["stream_tokens_per_s"] / 1e9
    print("roofline: %.3f GB per token (weights %.3f GB + KV %.0f B x %d tokens of context)"
          % (b / 1e9, rf["weight_bytes_per_token"] / 1e9, rf["kv_bytes_per_context_token"],
             r["workload"]["prompt_tokens"] + r["workload"]["output_tokens"] / 2))
    print("  by hand: %.3f GB x %.1f tok/s = %.1f GB/s = %.1f%% of %.1f GB/s (%s); xpu says MBU %.1f%%"
          % (b / 1e9, lv["stream_tokens_per_s"], used, 100 * used / bw, bw, rf["bandwidth_source"], lv["mbu_percent"]))
    print("  against the peak table's %.0f GB/s: %.1f%%" % (PEAK_GBS, 100 * used / PEAK_GBS))
    if tg:
        print("  llama-bench tg128: %.1f GB/s = %.1f%% of %.0f GB/s"
              % (b * tg / 1e9, 100 * b * tg / 1e9 / PEAK_GBS, PEAK_GBS))
    print("verdict: %s" % rf["verdict"])


def main():
    out = sys.argv[1]
    for t in ("q4_0", "f16"):
        report(out, t)
    sweep = os.path.join(out, "bench-llm-q4_0-sweep.txt")
    if os.path.exists(sweep):
        print("\n== q4_0, concurrency sweep (curve-q4_0.svg) ==")
        print(open(sweep).read())


if __name__ == "__main__":
    main()
