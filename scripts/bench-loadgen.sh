#!/usr/bin/env bash
# Our load generator against wrk on the same server (rust-tokio, no delay, no CPU work) at
# 10, 100 and 1,000 connections: prints both req/s and the ratio. Installs Debian's wrk if
# it is missing (needs root or sudo).
set -euo pipefail
cd "$(dirname "$0")/.."
if ! command -v wrk >/dev/null; then
  sudo=""; [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq && $sudo apt-get install -y -qq wrk
fi
exec cargo bench -q -p concbench --bench loadgen_vs_wrk
