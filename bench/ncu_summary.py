#!/usr/bin/env python3
"""Per-kernel GPU time from bench/profile-e2e.sh's ncu.csv (gpu__time_duration per launch).

Usage: python3 bench/ncu_summary.py bench/out/ncu.csv [kernel-substring ...]
Without substrings: total microseconds, launches and mean per (kernel, grid, block), largest first.
With substrings: the per-launch times, in launch order, of the kernels whose name contains one of them.
"""
import collections
import csv
import io
import sys


def launches(path):
    lines = open(path).read().splitlines()
    header = next(i for i, line in enumerate(lines) if line.startswith('"ID"'))  # ncu prints warnings first
    for row in csv.DictReader(io.StringIO("\n".join(lines[header:]))):
        nanoseconds = float(row["Metric Value"].replace(",", ""))
        yield row["Kernel Name"], row["Grid Size"], row["Block Size"], nanoseconds / 1000


def main(path, names):
    rows = list(launches(path))
    if names:
        for name in names:
            print(name, [round(us, 1) for kernel, _, _, us in rows if name in kernel])
        return
    totals = collections.defaultdict(lambda: [0, 0.0])
    for kernel, grid, block, us in rows:
        totals[(kernel, grid, block)][0] += 1
        totals[(kernel, grid, block)][1] += us
    print(f"{len(rows)} launches, {sum(us for *_, us in rows):.0f} us")
    for (kernel, grid, block), (count, us) in sorted(totals.items(), key=lambda item: -item[1][1]):
        print(f"{us:10.1f} us  x{count:<4d} {us / count:9.1f} us/launch  {kernel[:60]}  grid {grid} block {block}")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2:])
