"""cpu-parallel: the article's ProcessPoolExecutor sample. Task k (0 <= k < tasks) computes
``s_k = sum(i*i for i < n + k)`` (mod 2^64); the checksum is the sum of the s_k, ops =
tasks. ``workers`` is the pool size; py-seq ignores it.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
from functools import partial
from typing import Callable, Iterable, List

from concbench_py.protocol import (
    Args,
    Model,
    Outcome,
    Param,
    Stopwatch,
    UsageError,
    Workload,
    optional_numpy,
    run_async,
)
from concbench_py.xorshift import U64_MASK

#: Largest slice of a task that py-numpy holds in memory at once (elements), so that a
#: task's memory stays bounded whatever ``n`` is.
NUMPY_CHUNK = 1 << 20


def sum_of_squares(size: int) -> int:
    """One task: the sum of i*i for 0 <= i < size, mod 2^64 (the article's loop)."""
    # Reducing once at the end equals wrapping every addition, since mod 2^64 commutes with
    # + and *; it keeps the article's plain loop as the thing measured.
    return sum(i * i for i in range(size)) & U64_MASK


def numpy_sum_of_squares(np, start: int, stop: int) -> int:
    """The sum of i*i for start <= i < stop, mod 2^64, in uint64 arrays of at most
    ``NUMPY_CHUNK`` elements (NumPy's uint64 arithmetic wraps mod 2^64)."""
    steps = np.arange(min(NUMPY_CHUNK, max(stop - start, 0)), dtype=np.uint64)
    squares = np.empty_like(steps)
    total = 0
    for low in range(start, stop, NUMPY_CHUNK):
        chunk = squares[: min(NUMPY_CHUNK, stop - low)]
        # In place, into one reused buffer: no allocation per chunk.
        np.add(steps[: len(chunk)], np.uint64(low), out=chunk)
        np.multiply(chunk, chunk, out=chunk)
        total += int(chunk.sum(dtype=np.uint64))
    return total & U64_MASK


def _task_sizes(args: Args) -> List[int]:
    return [args["n"] + k for k in range(args["tasks"])]


def _outcome(results: Iterable[int], clock: Stopwatch, args: Args) -> Outcome:
    checksum = sum(results) & U64_MASK
    return Outcome(checksum, clock.elapsed_ns(), args["tasks"])


def _pooled(
    executor: Callable[[], concurrent.futures.Executor],
    task: Callable[[int], int],
    args: Args,
) -> Outcome:
    """Maps ``task`` over the task sizes on the pool that ``executor()`` creates, as the
    article does; the pool is shut down after the answer is known."""
    sizes = _task_sizes(args)
    clock = Stopwatch()
    pool = executor()
    try:
        outcome = _outcome(pool.map(task, sizes), clock, args)
    finally:
        # Teardown, also after an error: cancel what has not started, wait for the rest,
        # so that no worker process outlives the model.
        pool.shutdown(wait=True, cancel_futures=True)
    return outcome


def seq(args: Args) -> Outcome:
    """py-seq: a plain loop over the tasks."""
    sizes = _task_sizes(args)
    clock = Stopwatch()
    return _outcome((sum_of_squares(size) for size in sizes), clock, args)


def threads(args: Args) -> Outcome:
    """py-threads: ``ThreadPoolExecutor(workers)``; the GIL serialises the loops."""
    executor = partial(concurrent.futures.ThreadPoolExecutor, max_workers=args["workers"])
    return _pooled(executor, sum_of_squares, args)


def processes(args: Args) -> Outcome:
    """py-processes: ``ProcessPoolExecutor(max_workers=workers)`` and ``executor.map``,
    the article's sample."""
    executor = partial(concurrent.futures.ProcessPoolExecutor, max_workers=args["workers"])
    return _pooled(executor, sum_of_squares, args)


async def _asyncio_tasks(sizes: List[int], args: Args, clock: Stopwatch) -> Outcome:
    limit = asyncio.Semaphore(args["workers"])

    async def task(size: int) -> int:
        async with limit:
            # Runs on the event loop's one thread: asyncio gives no CPU parallelism.
            return sum_of_squares(size)

    results = await asyncio.gather(*(task(size) for size in sizes))
    return _outcome(results, clock, args)


def asyncio_tasks(args: Args) -> Outcome:
    """py-asyncio: one asyncio task per task, at most ``workers`` at a time
    (``asyncio.Semaphore``), computing on the event loop with no executor."""
    return run_async(_asyncio_tasks, _task_sizes(args), args)


def numpy_threads(args: Args) -> Outcome:
    """py-numpy: each task in NumPy uint64 arithmetic on a ``ThreadPoolExecutor(workers)``:
    NumPy releases the GIL inside its loops, so the threads run in parallel."""
    np = _require_numpy("py-numpy")
    executor = partial(concurrent.futures.ThreadPoolExecutor, max_workers=args["workers"])
    return _pooled(executor, partial(numpy_sum_of_squares, np, 0), args)


def _require_numpy(model: str):
    np = optional_numpy()
    if np is None:
        raise UsageError(f"{model} needs NumPy, which cannot be imported (pip install numpy)")
    return np


def numpy_one_thread(args: Args) -> Outcome:
    """py-numpy-one-thread: each task in NumPy uint64 arithmetic, one after the other on the
    calling thread, with no pool: what vectorisation alone buys over py-seq's loop. The
    arithmetic is element-wise ufuncs and a sum, which NumPy runs on the calling thread (no
    BLAS call, so no BLAS thread pool to pin)."""
    np = _require_numpy("py-numpy-one-thread")
    sizes = _task_sizes(args)
    clock = Stopwatch()
    return _outcome((numpy_sum_of_squares(np, 0, size) for size in sizes), clock, args)


def _numpy_task(size: int) -> int:
    """One task of py-processes-numpy, in a worker process: NumPy is imported there (already
    loaded when the worker was forked from a parent that imported it)."""
    import numpy

    return numpy_sum_of_squares(numpy, 0, size)


def processes_numpy(args: Args) -> Outcome:
    """py-processes-numpy: ``ProcessPoolExecutor(max_workers=workers)`` whose workers run
    each task in NumPy, the way a data pipeline combines multiprocessing with NumPy. The
    pool's start-up and its workers' NumPy import are in the time, as they are in a
    pipeline's."""
    _require_numpy("py-processes-numpy")
    executor = partial(concurrent.futures.ProcessPoolExecutor, max_workers=args["workers"])
    return _pooled(executor, _numpy_task, args)


#: The cpu-parallel workload and its Python models.
WORKLOAD = Workload(
    name="cpu-parallel",
    params=(
        Param("tasks", 1, 1_000_000),
        Param("n", 0, 10_000_000_000),
        Param("workers", 1, 1024),
    ),
    models=(
        Model("py-seq", seq),
        Model("py-threads", threads),
        Model("py-processes", processes),
        Model("py-asyncio", asyncio_tasks),
        Model("py-numpy", numpy_threads),
        Model("py-numpy-one-thread", numpy_one_thread),
        Model("py-processes-numpy", processes_numpy),
    ),
)
