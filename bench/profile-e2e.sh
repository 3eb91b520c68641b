#!/usr/bin/env bash
# On the GPU machine: per-kernel GPU time of a short end-to-end run under Nsight Compute (one metric,
# gpu__time_duration), plus the same run without the profiler for the host-side view.
# Usage: bench/profile-e2e.sh <shape> <pc|g128> [prefill] [decode]
set -uo pipefail
out=${OUT:-bench/out}; mkdir -p "$out"
[ -x /tmp/qqq-bench/qqq-bench ] || tar -xJf .device-carry/qqq-bench.tar.xz -C /tmp
[ -d /tmp/qqq-data ] || tar -xJf .device-carry/data.tar.xz -C /tmp
export QQQ_DEVICE=cuda
shape=$1 g=$2 prefill=${3:-512} decode=${4:-8}
/tmp/qqq-bench/qqq-bench e2e "$shape" "$g" /tmp/qqq-data/tokenizer.model "$prefill" "$decode" 2>&1 | tee "$out/e2e-$shape-$g.log"
ncu --clock-control none --metrics gpu__time_duration.sum --csv --print-units base \
  /tmp/qqq-bench/qqq-bench e2e "$shape" "$g" /tmp/qqq-data/tokenizer.model "$prefill" "$decode" > "$out/ncu-$shape-$g.csv" 2> "$out/ncu-$shape-$g.err"
echo "ncu exit $?"; wc -l "$out/ncu-$shape-$g.csv"; tail -3 "$out/ncu-$shape-$g.err"
