#!/usr/bin/env bash
# prime-sieve against the plain public programs it is measured by, whole-process wall time,
# run alternately in the same minute (scripts/baselines/abtime.py): go-channels at buffer 1
# and 0 against the Go tour's sieve with channels of capacity 1 and 0, and
# py-async-generators against the plain async-generator chain. Prints each side's median,
# min and max, the ratio of the medians, and checks that both print the same sum. With
# --asyncio, py-asyncio (tasks and queues, ~7 s a run at 1,000 primes) joins the Python A/B.
#
#   scripts/bench-sieve.sh [--asyncio] [PRIMES [ROUNDS]]     (defaults: 1000 primes, 9 rounds)
#
# Not part of any test run: a speed target is checked by figures printed here, not by a
# timed test. It builds what it needs: the harness (cargo build --release -p concbench),
# the implementations (concbench list) and the plain Go sieve (go build).
set -euo pipefail
cd "$(dirname "$0")/.."

asyncio=0
if [ "${1:-}" = "--asyncio" ]; then asyncio=1; shift; fi
primes=${1:-1000}
rounds=${2:-9}

[ -x target/release/concbench ] || cargo build --release -p concbench
mkdir -p target/baselines
target/release/concbench list --format json > target/baselines/toolchains.json
read -r go_program python_program < <(python3 -c 'import json, sys
t = json.load(open(sys.argv[1]))["toolchains"]
for lang in ("go", "python"):
    if not t[lang]["available"]:
        sys.exit("%s is unavailable: %s" % (lang, t[lang]["reason"]))
print(t["go"]["program"], t["python"]["program"])' target/baselines/toolchains.json)
go build -o target/baselines/sieve scripts/baselines/sieve.go

ours_py="env PYTHONPATH=$PWD/impls/python $python_program -m concbench_py prime-sieve"
abtime() { "$python_program" scripts/baselines/abtime.py --rounds "$rounds" "$@"; }

echo "== Go, $primes primes: go-channels against the Go tour's sieve ($(go version | cut -d' ' -f3), $(nproc) CPUs)"
for buffer in 1 0; do
  abtime "plain-sieve.go-capacity-$buffer=target/baselines/sieve $primes $buffer" \
         "go-channels-buffer-$buffer=$go_program prime-sieve go-channels --primes=$primes --buffer=$buffer"
done

echo "== Python, $primes primes: py-async-generators against the plain async-generator chain ($("$python_program" -V))"
python_pairs=("plain-sieve_agen.py=$python_program scripts/baselines/sieve_agen.py $primes"
              "py-async-generators=$ours_py py-async-generators --primes=$primes --buffer=0")
if [ "$asyncio" = 1 ]; then
  python_pairs+=("py-asyncio-buffer-1=$ours_py py-asyncio --primes=$primes --buffer=1")
fi
abtime "${python_pairs[@]}"
echo "(targets: go-channels at buffer 1 and py-async-generators within 1.30x of the plain program)"
