#!/usr/bin/env bash
# On a GPU machine (no .NET needed), from the repository root, after bench/publish-for-gpu.sh has filled
# .device-carry/: checks the kernels on CUDA, times the W4A8 GEMM and cuBLAS in the same run, runs the
# artifacts end to end (qqq generate) and times synthetic LLaMA-2-7B ones (bench/gpu-e2e.sh; E2E=0 skips it;
# GEMM=0 skips the GEMM timings).
# Writes logs and the RESULTS table under ${OUT:-bench/out}.
set -uo pipefail
out=${OUT:-bench/out}; mkdir -p "$out"
tar -xJf .device-carry/qqq-bench.tar.xz -C /tmp
tar -xJf .device-carry/data.tar.xz -C /tmp
carry=/tmp/qqq-data
bench=/tmp/qqq-bench/qqq-bench
qqq=/tmp/qqq-bench/qqq
export QQQ_DEVICE=cuda QQQ_DUMP_PTX=$out/ptx
nvidia-smi --query-gpu=name,clocks.sm,power.draw,temperature.gpu --format=csv,noheader | tee "$out/gpu.txt"

echo "== selftest"; $bench selftest --vectors $carry/vectors 2>&1 | tee "$out/selftest.log" | grep -E "FAIL|device|layers|selftest:"
echo "== ptxas"; bash bench/ptxas-check.sh "$out/ptx" sm_90 > "$out/ptxas.log" 2>&1; grep -iE "stack|spill|local" "$out/ptxas.log" | sort | uniq -c | head -20
echo "== generate"
for a in $carry/*.qqq; do echo "-- $a"; $qqq generate --model "$a" --greedy --max-tokens 60 2>&1 | tee -a "$out/generate.log"; done
if [ "${GEMM:-1}" = 1 ]; then
  echo "== gemm"
  $bench gemm > "$out/w4a8.jsonl" 2> "$out/w4a8.err"; tail -3 "$out/w4a8.err"
  python3 bench/cublas_baseline.py > "$out/cublas.jsonl" 2> "$out/cublas.err"; tail -3 "$out/cublas.err"
  python3 bench/results_table.py "$out/w4a8.jsonl" "$out/cublas.jsonl" | tee "$out/gemm-table.md"
fi
if [ "${E2E:-1}" = 1 ]; then
  echo "== e2e"; bash bench/gpu-e2e.sh
fi
