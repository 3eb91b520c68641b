#!/usr/bin/env bash
# On the GPU machine, after bench/publish-for-gpu.sh: per-kernel GPU time of a short end-to-end run under Nsight
# Compute (one metric, gpu__time_duration), plus the same run without the profiler for the host-side view.
# Usage: bench/profile-e2e.sh <qqq synth --shape> <per-channel|per-group> [prefill 512] [decode 8]
# e.g. a 2-layer LLaMA-2-7B-wide model: hidden=4096,intermediate=11008,layers=2,heads=32,vocab=32000,context=4096
# Then: python3 bench/ncu_summary.py ${OUT:-bench/out}/ncu.csv (time per kernel; add a name to list its launches).
set -uo pipefail
out=${OUT:-bench/out}; mkdir -p "$out"
[ -x /tmp/qqq-bench/qqq ] || tar -xJf .device-carry/qqq-bench.tar.xz -C /tmp
[ -f /tmp/qqq-data/tokenizer.model ] || tar -xJf .device-carry/data.tar.xz -C /tmp
export PATH=$PATH:/usr/local/cuda/bin
qqq=/tmp/qqq-bench/qqq shape=$1 granularity=$2 prefill=${3:-512} decode=${4:-8}
artifact=/tmp/profile.qqq
$qqq synth --shape "$shape" --granularity "$granularity" --tokenizer /tmp/qqq-data/tokenizer.model --out $artifact > "$out/profile-synth.log" 2>&1 || exit 1
bench=($qqq bench --model $artifact --device cuda --prefill "$prefill" --decode "$decode" --json)
"${bench[@]}" 2> "$out/profile-bench.log" | tee "$out/profile-bench.json"
ncu --clock-control none --metrics gpu__time_duration.sum --csv --print-units base "${bench[@]}" > "$out/ncu.csv" 2> "$out/ncu.err"
echo "ncu exit $?"; wc -l "$out/ncu.csv"
rm -f $artifact
