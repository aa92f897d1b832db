"""Every model of every workload but the servers (test_io_server.py), run as the harness
runs it, against checksums computed independently: suite/test-vectors.json, and a tiny size
for each model. Plus spawn-idle's metrics, the process models under every start method, and
no child process left behind."""

from __future__ import annotations

import os
import subprocess
import sys
from typing import Dict

import pytest

from concbench_py import WORKLOADS
from support import (
    TREE,
    environment,
    flags,
    load_test_vectors,
    ref_checksum,
    ref_ops,
    run_program,
    run_python,
    session_left_behind,
    under_start_method,
)

#: A tiny size for every workload, small enough for all its models.
TINY: Dict[str, Dict[str, int]] = {
    "cpu-parallel": {"tasks": 3, "n": 1000, "workers": 2},
    "worker-pool": {"jobs": 50, "workers": 3, "buffer": 2, "spin": 3},
    "shared-counter": {"units": 3, "increments": 200},
    "spawn-idle": {"units": 20},
    "ping-pong": {"rounds": 50},
    "prime-sieve": {"primes": 30, "buffer": 1},
    "mixed-service": {"rate": 5000, "requests": 40, "delay_us": 300, "cpu": 200, "workers": 2},
}

#: The model that checks the test vectors of each workload: the quickest of its models,
#: since the vectors are sized for compiled code. Every model is checked by test_tiny.
VECTOR_MODEL = {
    "cpu-parallel": "py-processes",
    "worker-pool": "py-asyncio",
    "shared-counter": "py-threads-lock",
    "spawn-idle": "py-asyncio",
    "ping-pong": "py-asyncio",
    "prime-sieve": "py-asyncio",
    "mixed-service": "py-asyncio",
}

#: Parameters that the vectors leave out because they cannot change a checksum.
FREE_PARAMS = {"workers": 2, "buffer": 100}
#: ... and their values for one workload: a sieve whose every queue holds 100 numbers lets
#: the generator run far ahead of the chain (test_prime_sieve_every_buffer covers that).
FREE_PARAMS_OF = {"prime-sieve": {"buffer": 1}}

#: Vectors too slow for a 60-second test run in pure Python (about 8 million hand-offs);
#: CONCBENCH_SLOW_TESTS=1 runs them too.
SLOW_VECTORS = {("prime-sieve", 4000)}

RACY = {("shared-counter", "py-threads-racy")}
#: py-numpy is tested in test_numpy.py, where NumPy may be missing.
NEEDS_NUMPY = {
    ("cpu-parallel", m) for m in ("py-numpy", "py-numpy-one-thread", "py-processes-numpy")
}
#: Servers run until SIGTERM: test_io_server.py tests them.
SERVERS = {"io-server"}
PROCESS_MODELS = [
    ("cpu-parallel", "py-processes"),
    ("worker-pool", "py-processes"),
    ("shared-counter", "py-processes-value"),
    ("ping-pong", "py-processes"),
    ("mixed-service", "py-asyncio-processes"),
]


def vector_id(case: dict) -> str:
    return case["workload"] + " " + " ".join(f"{k}={v}" for k, v in case["params"].items())


@pytest.mark.parametrize("case", load_test_vectors()["cases"], ids=vector_id)
def test_vector(case):
    workload = case["workload"]
    if workload == "safety-kernels":
        pytest.skip("safety-kernels has no Python model: it measures Rust against C")
    size = next(iter(case["params"].values())) if len(case["params"]) == 1 else None
    if (workload, size) in SLOW_VECTORS and not os.environ.get("CONCBENCH_SLOW_TESTS"):
        pytest.skip("takes minutes in pure Python; set CONCBENCH_SLOW_TESTS=1")
    spec = next(w for w in WORKLOADS if w.name == workload)
    free = {**FREE_PARAMS, **FREE_PARAMS_OF.get(workload, {})}
    params = {p.name: case["params"].get(p.name, free.get(p.name)) for p in spec.params}
    result = run_program(workload, VECTOR_MODEL[workload], *flags(params)).result()
    assert result["checksum"] == case["checksum"]
    assert result["ops"] == ref_ops(workload, params)


@pytest.mark.parametrize(
    "workload, model",
    [
        (w.name, m.id)
        for w in WORKLOADS
        if w.name not in SERVERS
        for m in w.models
        if (w.name, m.id) not in NEEDS_NUMPY
    ],
)
def test_tiny(workload, model):
    params = TINY[workload]
    result = run_program(workload, model, *flags(params)).result()
    assert result["ops"] == ref_ops(workload, params)
    if (workload, model) in RACY:
        # Lost updates are the finding, not a failure; the count can only fall short.
        assert 0 < int(result["checksum"]) <= ref_checksum(workload, params)
    else:
        assert int(result["checksum"]) == ref_checksum(workload, params)
    if workload == "spawn-idle":
        assert set(result["metrics"]) == {"rss_kb", "spawn_ns"}
    if workload == "mixed-service":
        assert set(result["metrics"]) == {"rps", "p50_us", "p90_us", "p99_us", "p999_us", "max_us"}


@pytest.mark.parametrize("model", ["py-asyncio", "py-asyncio-processes"])
def test_mixed_service_latency_counts_the_queue(model):
    # Open loop: latency runs from each request's intended arrival. 20 requests at
    # 10,000/s all arrive within 2 ms; after a 1 ms wait each needs 20,000 xorshift steps
    # (>= 2 ms in CPython) on one worker, so the last answer waited for the CPU parts
    # queued before it.
    params = {"rate": 10_000, "requests": 20, "delay_us": 1_000, "cpu": 20_000, "workers": 1}
    m = run_program("mixed-service", model, *flags(params)).result()["metrics"]
    assert m["p50_us"] >= 1_000, m
    assert m["p50_us"] <= m["p90_us"] <= m["p99_us"] <= m["p999_us"] <= m["max_us"], m
    assert m["max_us"] >= 30_000, m
    assert m["rps"] < 1_000, m


def test_zero_increments_and_one_unit_work():
    for model in ["py-threads-lock", "py-threads-racy", "py-processes-value", "py-asyncio"]:
        assert run_program("shared-counter", model, "--units=1", "--increments=0").result()["checksum"] == "0"


def test_cpu_parallel_n_0_and_pool_larger_than_tasks():
    for model in ["py-seq", "py-threads", "py-processes", "py-asyncio"]:
        result = run_program("cpu-parallel", model, "--tasks=3", "--n=0", "--workers=5").result()
        assert result["checksum"] == "1"  # s_0 = s_1 = 0, s_2 = 0*0 + 1*1


def test_worker_pool_more_workers_than_jobs_and_buffer_1():
    for model in ["py-threads", "py-processes", "py-asyncio"]:
        params = {"jobs": 3, "workers": 8, "buffer": 1, "spin": 2}
        result = run_program("worker-pool", model, *flags(params)).result()
        assert int(result["checksum"]) == ref_checksum("worker-pool", params)


# Few threads: waking many threads blocked on one Event is slow under the GIL.
@pytest.mark.parametrize("model, units", [("py-threads", 500), ("py-asyncio", 20_000)])
def test_spawn_idle_memory_grows_with_units(model, units):
    baseline = run_program("spawn-idle", model, "--units=0").result()
    assert baseline["checksum"] == "0" and baseline["ops"] == 0
    assert baseline["metrics"]["rss_kb"] > 0
    many = run_program("spawn-idle", model, f"--units={units}").result()
    assert many["checksum"] == str(units)
    # Every thread or task costs memory; half a kB each is well below what either needs.
    assert many["metrics"]["rss_kb"] - baseline["metrics"]["rss_kb"] > units // 2
    assert 0 < many["metrics"]["spawn_ns"] <= many["elapsed_ns"]


@pytest.mark.parametrize("start_method", ["spawn", "forkserver"])
@pytest.mark.parametrize("workload, model", PROCESS_MODELS)
def test_process_models_under_every_start_method(start_method, workload, model):
    params = TINY[workload]
    result = run_python([*under_start_method(start_method), workload, model, *flags(params)]).result()
    assert int(result["checksum"]) == ref_checksum(workload, params)


SIEVE_MODELS = [m.id for w in WORKLOADS if w.name == "prime-sieve" for m in w.models]


# 0 is the rendezvous (a queue of one slot whose put waits for the value to be taken), 1
# the smallest buffer, 7 lets every stage run ahead of the next; py-async-generators
# ignores the buffer.
@pytest.mark.parametrize("buffer", [0, 1, 7])
@pytest.mark.parametrize("model", SIEVE_MODELS)
def test_prime_sieve_every_buffer(model, buffer):
    params = {"primes": 60, "buffer": buffer}
    result = run_program("prime-sieve", model, *flags(params)).result()
    assert int(result["checksum"]) == ref_checksum("prime-sieve", params)
    assert result["ops"] == 60


@pytest.mark.parametrize("bad", ["10001", "-1", "x", ""])
@pytest.mark.parametrize("model", SIEVE_MODELS)
def test_prime_sieve_refuses_bad_buffers(model, bad):
    line = run_program("prime-sieve", model, "--primes=3", f"--buffer={bad}").assert_usage_error()
    assert "--buffer=" in line


@pytest.mark.skipif(
    sys.version_info[:2] == (3, 12),
    reason="CPython 3.12's C recursion limit is fixed: the chain stops near 750 primes",
)
def test_async_generators_run_deeper_than_the_default_recursion_limit():
    # Python's default limit is 1,000 frames; the 1,100th prime is resumed 1,100 deep.
    assert sys.getrecursionlimit() <= 1000
    params = {"primes": 1100, "buffer": 0}
    result = run_program("prime-sieve", "py-async-generators", *flags(params)).result()
    assert int(result["checksum"]) == ref_checksum("prime-sieve", params)


@pytest.mark.parametrize("workload, model", PROCESS_MODELS + [("prime-sieve", "py-threads")])
def test_no_process_is_left_behind(workload, model):
    # The program leads a session of its own, so that its children, even orphaned, can
    # be found.
    program = subprocess.Popen(
        [sys.executable, "-m", "concbench_py", workload, model, *flags(TINY[workload])],
        cwd=TREE,
        env=environment(),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )
    program.communicate(timeout=120)
    assert program.returncode == 0
    assert session_left_behind(program.pid) == set()
