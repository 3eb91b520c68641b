#!/usr/bin/env bash
# On the GPU machine, from the repository root, after bench/publish-for-gpu.sh has filled .device-carry/: synthetic
# LLaMA-2-7B artifacts (random weights, real shapes; qqq synth), per-channel and per-group 128, each timed by qqq bench
# (load, prefill 2048 tokens, decode 128; method in the README). One JSON object per artifact in ${OUT:-bench/out}/e2e.jsonl,
# progress in e2e.log. Each artifact (3.9 GB) is written to /tmp and deleted after its run.
set -uo pipefail
out=${OUT:-bench/out}; mkdir -p "$out"
[ -x /tmp/qqq-bench/qqq ] || tar -xJf .device-carry/qqq-bench.tar.xz -C /tmp
[ -f /tmp/qqq-data/tokenizer.model ] || tar -xJf .device-carry/data.tar.xz -C /tmp
qqq=/tmp/qqq-bench/qqq
for granularity in per-channel per-group; do
  artifact=/tmp/llama2-7b-$granularity.qqq
  $qqq synth --shape llama2-7b --granularity $granularity --group-size 128 --tokenizer /tmp/qqq-data/tokenizer.model \
    --out $artifact >> "$out/e2e.log" 2>&1 && \
    $qqq bench --model $artifact --device cuda --prefill 2048 --decode 128 --json 2>> "$out/e2e.log" | tee -a "$out/e2e.jsonl"
  rm -f $artifact
done
