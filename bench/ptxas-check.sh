#!/usr/bin/env bash
# Assembles every .ptx in a folder with ptxas for sm_90 and prints, per kernel, the lines that matter for the
# CudaAsm local-memory trap: registers, stack frame, spill stores/loads. Any non-zero stack frame or spill
# means the PTX post-processing missed something (or the kernel really spills) - look at the SASS (LDL/STL).
#
# Make the PTX on the GPU machine with the kernels' own dump:  QQQ_DUMP_PTX=/tmp/qqq-ptx <program that loads the GEMM>
# then:                                                        bench/ptxas-check.sh /tmp/qqq-ptx
set -uo pipefail
dir="${1:?usage: $0 <folder with .ptx files> [ptxas arch, default sm_90]}"
arch="${2:-sm_90}"
command -v ptxas >/dev/null || { echo "ptxas not found on PATH (it ships with the CUDA toolkit)" >&2; exit 2; }
shopt -s nullglob
files=("$dir"/*.ptx)
[ ${#files[@]} -gt 0 ] || { echo "no .ptx files in $dir" >&2; exit 2; }

status=0
for ptx in "${files[@]}"; do
  echo "== $(basename "$ptx")"
  if ! report=$(ptxas -v -arch="$arch" -o /dev/null "$ptx" 2>&1); then
    echo "$report"
    status=1
    continue
  fi
  echo "$report" | grep -E "Compiling entry|registers|stack frame|spill" | sed 's/^ptxas info *: */  /'
  if echo "$report" | grep -qE "[1-9][0-9]* bytes stack frame|[1-9][0-9]* bytes spill"; then
    echo "  ^ local memory in use"
    status=1
  fi
done
exit $status
