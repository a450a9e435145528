#!/usr/bin/env bash
# The counters and CRDTs on the part-4 command line, through the local cluster runner:
#   -w W --node-count 3 --rate 100 --time-limit 20 --nemesis partition
# for g-counter (strict and frugal), pn-counter and g-set. Prints each run's summary; results
# (history, node logs, results.json) land under store/. Build first: ./mvnw -B -q -o package -DskipTests
#   bench/counters/run.sh            every profile once
#   bench/counters/run.sh 3          every profile three times
set -euo pipefail
root="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/../.." && pwd)"
cd "$root"
repeats="${1:-1}"
runs=("g-counter g-counter" "g-counter g-counter,frugal" "pn-counter pn-counter" "g-set g-set")
for ((i = 1; i <= repeats; i++)); do
  for run in "${runs[@]}"; do
    read -r workload profiles <<<"$run"
    echo "== $profiles (run $i)"
    bin/glomers cluster -w "$workload" --bin bin/glomers --node-count 3 --rate 100 --time-limit 20 \
      --nemesis partition -- "$profiles" 2>&1 | sed -n '/ on [0-9]* node/,$p'
  done
done
