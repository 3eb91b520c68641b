"""Turns the JSON lines of qqq-bench gemm and cublas_baseline.py (one run) into the RESULTS.md GEMM table."""
import json
import sys

rows = [json.loads(line) for path in sys.argv[1:] for line in open(path) if line.startswith("{")]
get = {}
for r in rows:
    key = (r["kernel"], r.get("granularity", ""), r["n"], r["k"], r["m"])
    get[key] = r["us"]
print("| N x K | M | fp16 cuBLAS us | int8 cuBLAS us | W4A8 per-channel us | W4A8 g128 us | pc vs fp16 | g128 vs fp16 | pc vs int8 |")
print("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
for n, k in sorted({(r["n"], r["k"]) for r in rows}):
    for m in sorted({r["m"] for r in rows if r["n"] == n and r["k"] == k}):
        f16 = get.get(("fp16_cublas", "", n, k, m))
        i8 = get.get(("int8_cublas", "", n, k, m))
        pc = get.get(("w4a8", "per-channel", n, k, m))
        g = get.get(("w4a8", "g128", n, k, m))
        ratio = lambda a, b: f"{a / b:.2f}x" if a and b else "-"
        fmt = lambda v: f"{v:.1f}" if v else "-"
        print(f"| {n} x {k} | {m} | {fmt(f16)} | {fmt(i8)}{'*' if m <= 16 else ''} | {fmt(pc)} | {fmt(g)} | {ratio(f16, pc)} | {ratio(f16, g)} | {ratio(i8, pc)} |")
print()
print("Ratios are speedups (baseline time / W4A8 time; > 1 means W4A8 is faster). (*) int8 cuBLAS timed with M padded to 32.")
