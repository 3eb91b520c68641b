#!/usr/bin/env bash
# Here (with the .NET SDK): publishes qqq-bench self-contained for linux-x64 and gathers what the GPU run
# needs into .device-carry/ (git-ignored): the tool, the reference vectors, small artifacts, a tokenizer.
# Usage: bench/publish-for-gpu.sh [artifact.qqq ...]
set -euo pipefail
cd "$(dirname "$0")/.."
carry=.device-carry
rm -rf $carry /tmp/qqq-bench /tmp/qqq-data && mkdir -p $carry /tmp/qqq-data/vectors
dotnet publish bench/QQQ.Bench -c Release -r linux-x64 --self-contained true -o /tmp/qqq-bench -v quiet
tar -cJf $carry/qqq-bench.tar.xz -C /tmp qqq-bench
# Data in one xz archive (the device carry is limited to 64 MiB with the working tree).
cp ../shared/data/qqq-vectors/*.safetensors /tmp/qqq-data/vectors/
cp ../shared/models/llama-sotu-26m/tokenizer.model /tmp/qqq-data/
for a in "$@"; do cp "$a" /tmp/qqq-data/; done
tar -cJf $carry/data.tar.xz -C /tmp qqq-data
du -sh $carry/*
