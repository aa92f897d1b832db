#!/usr/bin/env bash
# The deployed Python servers (py-uvicorn, py-uvicorn-workers, py-granian) as concbench runs
# them, against the same server started by hand and driven by wrk: req/s of both and the
# ratio (goal: ours / by hand within 10%). Same minute, interleaved A B A B, at 10, 100 and
# 1,000 connections; the server on the first CPU, the load generator (concbench's, or wrk)
# on the last, as concbench places them. Installs Debian's wrk if it is missing.
#
#   scripts/bench-python-servers.sh [ROUNDS] [SECONDS]     (default 2 rounds of 2 s)
#
# Work per request: the standard suite's gateway case, delay_us=1000, cpu=0.
set -euo pipefail
cd "$(dirname "$0")/.."
ROUNDS=${1:-2}
SECONDS_EACH=${2:-2}
DELAY_US=1000
CPU=0
if ! command -v wrk >/dev/null; then
  sudo=""; [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq && $sudo apt-get install -y -qq wrk
fi
cargo build -q --release -p concbench
CB=target/release/concbench
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
# A first tiny run prepares the Python environment (the pinned packages) and says which
# interpreter it is.
$CB run --workloads io-server --models py-uvicorn --set io-server.connections=1 \
  --set io-server.cpu=0 --set io-server.duration_ms=0 --runs 1 --warmup 0 --out "$out/prep.json" >/dev/null
PY=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["toolchains"]["python"]["program"])' \
  target/concbench/toolchains.json 2>/dev/null || true)
[ -x "${PY:-}" ] || PY=$(ls -d target/concbench/python/venv-*/bin/python | head -1)
last_cpu=$(($(nproc) - 1))

# By hand: the command a team deploys, with the work in the environment.
by_hand() { # MODEL PORT
  # py-uvicorn-workers runs one worker per server CPU; by hand the server has CPU 0 alone.
  local hand_workers=1
  case $1 in
    py-uvicorn|py-uvicorn-workers)
      echo "$PY -m uvicorn concbench_py.io_server_asgi:app --host 127.0.0.1 --port $2 --loop uvloop --http httptools --workers $hand_workers --no-access-log --log-level warning --backlog 4096" ;;
    py-granian)
      echo "$PY -m granian --interface asgi --loop uvloop --workers 1 --host 127.0.0.1 --port $2 --backlog 4096 --log-level warning concbench_py.io_server_asgi:app" ;;
  esac
}

wrk_once() { # MODEL CONNECTIONS -> req/s
  local port=$((20000 + RANDOM % 20000))
  # shellcheck disable=SC2046
  env PYTHONPATH=impls/python CONCBENCH_DELAY_US=$DELAY_US CONCBENCH_CPU=$CPU \
    taskset -c 0 $(by_hand "$1" "$port") >"$out/hand.log" 2>&1 &
  local pid=$!
  for _ in $(seq 200); do
    (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break
    sleep 0.05
  done
  local rps
  rps=$(taskset -c "$last_cpu" wrk -t1 -c"$2" -d"${SECONDS_EACH}s" --timeout 10s \
    "http://127.0.0.1:$port/work?id=1" | awk '/Requests\/sec/ {print $2}')
  kill -TERM "$pid"; wait "$pid" 2>/dev/null || true
  echo "${rps:-0}"
}

ours_once() { # MODEL CONNECTIONS -> req/s
  $CB run --workloads io-server --models "$1" --set io-server.connections="$2" \
    --set io-server.cpu=$CPU --set io-server.delay_us=$DELAY_US \
    --set io-server.duration_ms=$((SECONDS_EACH * 1000)) --runs 1 --warmup 0 \
    --out "$out/ours.json" >/dev/null 2>&1 || true
  python3 - "$out/ours.json" <<'EOF'
import json, sys
runs = json.load(open(sys.argv[1]))["runs"]
rps = [s["metrics"]["rps"] for r in runs if r["valid"] for s in r["samples"]]
print(rps[0] if rps else 0)
EOF
}

echo "server on CPU 0, generators on CPU $last_cpu; delay_us=$DELAY_US cpu=$CPU; $ROUNDS rounds of ${SECONDS_EACH} s, A (concbench) B (wrk by hand) alternating"
for model in py-uvicorn py-uvicorn-workers py-granian; do
  echo "by hand: $(by_hand "$model" PORT)"
  for c in 10 100 1000; do
    ours=(); hand=()
    for _ in $(seq "$ROUNDS"); do
      ours+=("$(ours_once "$model" "$c")")
      hand+=("$(wrk_once "$model" "$c")")
    done
    python3 - "$model" "$c" "${ours[*]}" "${hand[*]}" <<'EOF'
import statistics, sys
model, c, ours, hand = sys.argv[1], sys.argv[2], [float(x) for x in sys.argv[3].split()], [float(x) for x in sys.argv[4].split()]
o, h = statistics.median(ours), statistics.median(hand)
print(f"{model:<19} connections {c:>5}: concbench {o:>8.0f} req/s · wrk by hand {h:>8.0f} req/s · "
      f"ratio {o / h if h else float('nan'):.2f} (concbench {ours}, wrk {hand})")
EOF
  done
done
