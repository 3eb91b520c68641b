#!/usr/bin/env bash
# Here (with the .NET SDK): publishes the qqq command and qqq-bench self-contained for linux-x64 into one folder (they
# share one .NET runtime, so the archive holds it once) and gathers what the GPU run needs into .device-carry/
# (git-ignored): the tools, the reference vectors, small artifacts, a tokenizer. qqq is published without libtorch's
# natives (-p:QQQWithoutLibTorch=true, see src/QQQ.Cli/QQQ.Cli.csproj): the GPU run uses only the verbs that run
# artifacts on the ILGPU runtime, and the device carry is limited to 64 MiB with the working tree.
# Usage: bench/publish-for-gpu.sh [artifact.qqq ...]
set -euo pipefail
cd "$(dirname "$0")/.."
carry=.device-carry
stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
rm -rf $carry && mkdir -p $carry "$stage/qqq-data/vectors"
dotnet publish src/QQQ.Cli -c Release -r linux-x64 --self-contained true -o "$stage/qqq-bench" -v quiet -p:QQQWithoutLibTorch=true
dotnet publish bench/QQQ.Bench -c Release -r linux-x64 --self-contained true -o "$stage/qqq-bench" -v quiet
tar -cJf $carry/qqq-bench.tar.xz -C "$stage" qqq-bench
cp ../shared/data/qqq-vectors/*.safetensors "$stage/qqq-data/vectors/"
cp ../shared/models/llama-sotu-26m/tokenizer.model "$stage/qqq-data/"
for a in "$@"; do cp "$a" "$stage/qqq-data/"; done
tar -cJf $carry/data.tar.xz -C "$stage" qqq-data
du -sh $carry/*
