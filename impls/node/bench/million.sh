#!/usr/bin/env bash
# Peak memory of spawn-idle's node-async against the public method (scripts/baselines/
# million_tasks.js: N promises on 10-second timers, Promise.all), alternating in the same
# minute, each measured from outside by /usr/bin/time -v (maximum resident set size, as the
# harness's wait4 does). A benchmark, not a test.
#
#   bash impls/node/bench/million.sh [ROUNDS] N...      e.g. bash impls/node/bench/million.sh 3 100000 1000000
set -euo pipefail
cd "$(dirname "$0")/../../.."
rounds=${1:-3}; shift
peak_kb() { /usr/bin/time -v "$@" 2>&1 >/dev/null | awk -F': ' '/Maximum resident set size/ {print $2}'; }
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
for n in "$@"; do
  ours=(); theirs=()
  for ((r = 0; r < rounds; r++)); do
    if ((r % 2 == 0)); then
      ours+=("$(peak_kb node impls/node/main.js spawn-idle node-async --units="$n")")
      theirs+=("$(peak_kb node scripts/baselines/million_tasks.js "$n")")
    else
      theirs+=("$(peak_kb node scripts/baselines/million_tasks.js "$n")")
      ours+=("$(peak_kb node impls/node/main.js spawn-idle node-async --units="$n")")
    fi
  done
  o=$(printf '%s\n' "${ours[@]}" | median); t=$(printf '%s\n' "${theirs[@]}" | median)
  echo "N=$n node-async peak ${o} kB (runs: ${ours[*]}); million_tasks.js peak ${t} kB (runs: ${theirs[*]}); ratio $(awk -v a="$o" -v b="$t" 'BEGIN {printf "%.2f", a / b}')"
done
