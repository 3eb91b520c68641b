#!/usr/bin/env bash
# Runs the whole test suite (Release, CPU accelerator) and ends with one line "N passed, N failed".
# Extra arguments go to `dotnet test`, e.g. ./test.sh --filter "Category=ReferenceVectors".
set -uo pipefail
cd "$(dirname "$0")"
results=$(mktemp -d)
trap 'rm -rf "$results"' EXIT

# Build everything first, then test without building and one test assembly at a time (-m:1): no test may start
# while another project (the sample's build, a referenced tool) is still writing outputs it uses, and the long
# checks (whole-text perplexities, real builds) must not share the two CI cores with each other.
if dotnet build QQQ.sln -c Release; then
  dotnet test QQQ.sln -c Release --no-build -m:1 --logger trx --results-directory "$results" "$@"
  status=$?
else
  status=$?
fi

passed=0; failed=0; skipped=0
for trx in "$results"/*.trx; do
  [ -f "$trx" ] || continue
  counters=$(grep -o '<Counters [^>]*>' "$trx")
  get() { echo "$counters" | grep -o " $1=\"[0-9]*\"" | grep -o '[0-9]*'; }
  passed=$((passed + $(get passed)))
  failed=$((failed + $(get failed) + $(get error) + $(get timeout) + $(get aborted)))
  skipped=$((skipped + $(get notExecuted)))
done
if [ "$status" -ne 0 ] && [ "$failed" -eq 0 ]; then failed=1; echo "dotnet test failed before reporting results (build or runner error)"; fi
echo "$passed passed, $failed failed, $skipped skipped"
exit "$status"
