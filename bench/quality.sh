#!/usr/bin/env bash
# Regenerates docs/QUALITY.md: perplexity of FP32, W4A8 RTN, W4A8 GPTQ-only, QQQ per-channel and QQQ per-group 128
# for llama-sotu-26m, its outlier-injected variant and stories260K, with quantization time and peak memory.
#
#   bench/quality.sh                  # everything (hours on 2 cores; resumable: finished steps are kept)
#   WIKI_WINDOWS=128 bench/quality.sh # score WikiText-2 on its first N windows (default 128; "all" for 649)
#
# Needs only the .NET SDK (and coreutils, grep, sed, awk). Intermediate artifacts and per-step JSON results go to
# artifacts/quality/ (git-ignored); a step whose result file exists is not run again, so an interrupted run
# continues where it stopped. Delete that folder for a clean run.
set -euo pipefail
cd "$(dirname "$0")/.."

SHARED=../shared
WORK=artifacts/quality
WIKI_WINDOWS=${WIKI_WINDOWS:-128}
mkdir -p "$WORK"

# Run from a private copy of the build, so that rebuilding the repository meanwhile cannot change a running step.
dotnet build src/QQQ.Cli -c Release -v quiet -nologo >/dev/null
rm -rf "$WORK/bin"
cp -r src/QQQ.Cli/bin/Release/net10.0 "$WORK/bin"
QQQ=(dotnet "$WORK/bin/qqq.dll")

log() { echo "[$(date +%H:%M:%S)] $*" >&2; }

# quantize NAME MODEL CALIBRATION ARGS...: writes $WORK/NAME.qqq and $WORK/NAME.quantize.json (time, peak memory).
quantize() {
  local name=$1 model=$2 calibration=$3; shift 3
  if [ -s "$WORK/$name.quantize.json" ]; then return; fi
  log "quantize $name"
  "${QQQ[@]}" quantize --model "$model" --calibration "$calibration" --out "$WORK/$name.qqq" --json "$@" \
    > "$WORK/$name.quantize.tmp" 2> "$WORK/$name.quantize.log"
  mv "$WORK/$name.quantize.tmp" "$WORK/$name.quantize.json"
}

# evaluate NAME MODEL TEXT WINDOWS ARGS...: writes $WORK/NAME.TEXT.eval.json (perplexity).
evaluate() {
  local name=$1 model=$2 text=$3 windows=$4; shift 4
  local out="$WORK/$name.$(basename "$text" | sed 's/\..*//').eval.json"
  if [ -s "$out" ]; then return; fi
  local limit=()
  if [ "$windows" != all ]; then limit=(--max-windows "$windows"); fi
  log "eval $name on $(basename "$text") (${windows} windows)"
  "${QQQ[@]}" eval --model "$model" --text "$text" --json "${limit[@]}" "$@" > "$out.tmp" 2> "$out.log"
  mv "$out.tmp" "$out"
}

SOTU=$SHARED/models/llama-sotu-26m
OUTLIERS=$WORK/llama-sotu-26m-outliers
STORIES=$SHARED/models/stories260K-hf
TRAIN=$SHARED/data/text/sotu-train.txt
HOLDOUT=$SHARED/data/text/sotu-holdout.txt
WIKI=$SHARED/data/text/wikitext2-test.raw
TINY=$SHARED/data/text/tinystories-head.txt

# quantize_all KEY MODEL CALIBRATION PER_GROUP: the four quantized configurations (QQQ g128 only when PER_GROUP=yes).
quantize_all() {
  local key=$1 model=$2 calibration=$3 per_group=$4
  quantize "$key-gptq" "$model" "$calibration" --smooth none --weights gptq
  quantize "$key-qqq-pc" "$model" "$calibration"
  quantize "$key-rtn" "$model" "$calibration" --smooth none --weights rtn
  if [ "$per_group" = yes ]; then quantize "$key-qqq-g128" "$model" "$calibration" --granularity per-group --group-size 128; fi
}

# evaluate_all KEY MODEL TEXT WINDOWS: FP32 and every quantized configuration that exists on one text.
evaluate_all() {
  local key=$1 model=$2 text=$3 windows=$4
  evaluate "$key-fp32" "$model" "$text" "$windows"
  for variant in gptq qqq-pc rtn qqq-g128; do
    if [ -f "$WORK/$key-$variant.qqq" ]; then evaluate "$key-$variant" "$WORK/$key-$variant.qqq" "$text" "$windows" --engine simulate; fi
  done
}

if [ ! -s "$OUTLIERS/model.safetensors" ]; then
  log "inject outliers into llama-sotu-26m"
  "${QQQ[@]}" dev inject-outliers --model "$SOTU" --out "$OUTLIERS" --seed 0 2> "$WORK/inject-outliers.log"
fi

# Most telling results first, so that a partial run already answers the main questions.
quantize_all sotu "$SOTU" "$TRAIN" yes
evaluate_all sotu "$SOTU" "$HOLDOUT" all
quantize_all outliers "$OUTLIERS" "$TRAIN" yes
evaluate_all outliers "$OUTLIERS" "$HOLDOUT" all
quantize_all stories "$STORIES" "$TINY" no
evaluate_all stories "$STORIES" "$TINY" all
evaluate_all sotu "$SOTU" "$WIKI" "$WIKI_WINDOWS"
evaluate_all outliers "$OUTLIERS" "$WIKI" "$WIKI_WINDOWS"

log "writing docs/QUALITY.md"
mkdir -p docs
bench/quality-report.sh "$WORK" "$WIKI_WINDOWS" > docs/QUALITY.md.tmp
mv docs/QUALITY.md.tmp docs/QUALITY.md
log "done"
