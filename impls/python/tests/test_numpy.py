"""py-numpy, the one model that needs NumPy: skipped where NumPy cannot be imported."""

from __future__ import annotations

import pytest

from concbench_py.cpu_parallel import NUMPY_CHUNK, numpy_sum_of_squares
from support import (
    flags,
    load_test_vectors,
    ref_checksum,
    run_program,
    run_python,
    under_start_method,
)

np = pytest.importorskip("numpy")

#: The cpu-parallel models that compute in NumPy: in a thread pool, on one thread, and in
#: a process pool.
NUMPY_MODELS = ["py-numpy", "py-numpy-one-thread", "py-processes-numpy"]


def ref_sum_of_squares(start: int, stop: int) -> int:
    # Closed form: sum(i*i for i < m) = (m-1) m (2m-1) / 6.
    below = lambda m: (m - 1) * m * (2 * m - 1) // 6 if m > 0 else 0  # noqa: E731
    return (below(stop) - below(start)) % 2**64


@pytest.mark.parametrize(
    "case",
    [c for c in load_test_vectors()["cases"] if c["workload"] == "cpu-parallel"],
    ids=lambda c: f"tasks={c['params']['tasks']} n={c['params']['n']}",
)
@pytest.mark.parametrize("model", NUMPY_MODELS)
def test_the_numpy_models_match_the_vectors(case, model):
    params = {**case["params"], "workers": 2}
    result = run_program("cpu-parallel", model, *flags(params)).result()
    assert result["checksum"] == case["checksum"]
    assert result["ops"] == params["tasks"]


@pytest.mark.parametrize(
    "params",
    [
        {"tasks": 3, "n": 1000, "workers": 2},
        # Tasks that end just before, at and after a chunk boundary.
        {"tasks": 3, "n": NUMPY_CHUNK - 1, "workers": 3},
        {"tasks": 2, "n": 0, "workers": 1},
    ],
    ids=str,
)
@pytest.mark.parametrize("model", NUMPY_MODELS)
def test_the_numpy_models_at_small_sizes(params, model):
    result = run_program("cpu-parallel", model, *flags(params)).result()
    assert int(result["checksum"]) == ref_checksum("cpu-parallel", params)


@pytest.mark.parametrize(
    "start, stop",
    [
        (0, 0),
        (0, 5),
        (7, NUMPY_CHUNK + 9),
        # i*i itself wraps past 2^32, where a task of the full range would take too long.
        (2**32 - 100, 2**32 + 100),
        (2**40, 2**40 + 2 * NUMPY_CHUNK + 1),
    ],
)
def test_numpy_sum_of_squares_wraps_like_u64(start, stop):
    assert numpy_sum_of_squares(np, start, stop) == ref_sum_of_squares(start, stop)


@pytest.mark.parametrize("start_method", ["spawn", "forkserver"])
def test_py_processes_numpy_under_every_start_method(start_method):
    # Spawned workers did not inherit the parent's NumPy: each task imports it itself.
    params = {"tasks": 3, "n": 1000, "workers": 2}
    args = [*under_start_method(start_method), "cpu-parallel", "py-processes-numpy", *flags(params)]
    result = run_python(args).result()
    assert int(result["checksum"]) == ref_checksum("cpu-parallel", params)
