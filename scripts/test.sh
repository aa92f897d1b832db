#!/usr/bin/env bash
# Every test of concbench, in every language, from a fresh clone: lints, the harness's
# unit, CLI and cross-language conformance tests, the Rust implementations' tests,
# `go test -race`, pytest, the Java conformance test (skipped, with a warning, without a
# JDK >= 21) and node --test. It builds what it needs first (the Rust and Go programs, the
# Python environment with NumPy), exactly as `concbench run` does.
set -euo pipefail
cd "$(dirname "$0")/.."

step() { printf '\n== %s\n' "$*"; }

step "lint: cargo fmt, gofmt"
cargo fmt --all -- --check
unformatted=$(gofmt -l impls/go)
if [ -n "$unformatted" ]; then echo "gofmt would change: $unformatted"; exit 1; fi

step "build: the harness, then the implementations and the Python environment (concbench list)"
cargo build --release -p concbench
mkdir -p target/concbench
target/release/concbench list --format json > target/concbench/toolchains.json
python_bin=$(python3 -c 'import json,sys; t=json.load(open(sys.argv[1]))["toolchains"]
for lang, v in t.items():
    if not v["available"]: sys.exit("%s is unavailable: %s (%s)" % (lang, v["reason"], v["hint"]))
if not t["python"]["numpy"]: sys.exit("NumPy is missing from the Python environment")
print(t["python"]["program"])' target/concbench/toolchains.json)

step "lint: cargo clippy -D warnings"
cargo clippy --workspace --all-targets --quiet -- -D warnings

step "lint: cargo doc -D warnings (broken intra-doc links)"
RUSTDOCFLAGS="-D warnings" cargo doc --workspace --no-deps --quiet

step "Rust: harness (unit, CLI, conformance, the HTML report in Chromium) and the Rust implementations"
# tests/html_report.rs opens the HTML report in headless Chromium: Debian's package.
command -v chromium >/dev/null || (apt-get update && apt-get install -y chromium)
cargo test --workspace --release

step "Go: go vet and go test -race"
# The race detector is the one check that catches a missing lock in go-mutex or a
# goroutine that outlives its pool (go-racy races on purpose and runs only in a binary built
# without it). It needs cgo and a C compiler; without them the tests still run, unraced.
cc=$(cd impls/go && go env CC)
if [ "$(cd impls/go && go env CGO_ENABLED)" = 1 ] && command -v "${cc%% *}" >/dev/null; then
  (cd impls/go && go vet ./... && go test -race ./...)
else
  echo "warning: no C compiler for cgo ($cc): go test runs without -race; install gcc to race-check"
  (cd impls/go && go vet ./... && go test ./...)
fi

step "Python: pytest (in the environment concbench runs)"
"$python_bin" -m pip install --quiet --disable-pip-version-check pytest
(cd impls/python && "$python_bin" -m pytest -q)

step "Java: build, then the conformance test (every workload and model, bad input, io-server)"
if jdk=$(impls/java/find-jdk.sh 2>/dev/null); then
  impls/java/build.sh --tests target/concbench/java-test
  "$jdk/bin/java" -cp target/concbench/java-test/concbench-java.jar:target/concbench/java-test/test-classes \
    concbench.ConformanceTest suite/test-vectors.json
else
  echo "warning: the Java tests are skipped: $(impls/java/find-jdk.sh 2>&1 >/dev/null || true)"
fi

step "Node: node --test (Node.js 20 or newer, no packages)"
# Debian 12's own nodejs is 18, which concbench-node refuses: install 20 or newer first.
node_major=$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)
if [ "$node_major" -lt 20 ]; then echo "Node.js 20 or newer is needed (found: $(node --version 2>&1))"; exit 1; fi
(cd impls/node && node --test test/*.test.js)
