"""worker-pool: the article's Go channel sample. A producer sends j = 1..jobs into a jobs
queue of capacity ``buffer``; ``workers`` workers each turn j into ``r = 2 * xs^spin(j)``
and put r into a results queue of capacity ``buffer``; the main unit collects them all.
The checksum is the sum of the r (mod 2^64), ops = jobs.

Python queues cannot be closed like a Go channel, so the producer ends the jobs with one
``None`` sentinel per worker.
"""

from __future__ import annotations

import asyncio
import multiprocessing
import queue
import threading

from concbench_py.protocol import (
    Args,
    Model,
    Outcome,
    Param,
    Stopwatch,
    Workload,
    check_exit_codes,
    end_processes,
    run_async,
)

from concbench_py.xorshift import U64_MASK, xs_k


def result_of(job: int, spin: int) -> int:
    """What a worker sends for job j: ``2 * xs^spin(j)`` mod 2^64."""
    return (2 * xs_k(job, spin)) & U64_MASK


def produce(jobs, count: int, workers: int) -> None:
    """The producer: puts 1..count, then one stop sentinel per worker. ``jobs`` is a
    ``queue.Queue`` or a ``multiprocessing.Queue``."""
    for job in range(1, count + 1):
        jobs.put(job)
    for _ in range(workers):
        jobs.put(None)


def work(jobs, results, spin: int) -> None:
    """A worker: turns jobs into results until its stop sentinel arrives."""
    while (job := jobs.get()) is not None:
        results.put(result_of(job, spin))


def collect(results, count: int) -> int:
    """The collector: receives ``count`` results and returns their sum mod 2^64."""
    total = 0
    for _ in range(count):
        total = (total + results.get()) & U64_MASK
    return total


def threads(args: Args) -> Outcome:
    """py-threads: a producer thread and ``workers`` worker threads over two
    ``queue.Queue(maxsize=buffer)``; the main thread collects."""
    count, workers, spin = args["jobs"], args["workers"], args["spin"]
    jobs, results = queue.Queue(maxsize=args["buffer"]), queue.Queue(maxsize=args["buffer"])
    clock = Stopwatch()
    units = [threading.Thread(target=produce, args=(jobs, count, workers))]
    units += [threading.Thread(target=work, args=(jobs, results, spin)) for _ in range(workers)]
    for unit in units:
        unit.start()
    outcome = Outcome(collect(results, count), clock.elapsed_ns(), count)
    for unit in units:
        unit.join()
    return outcome


def processes(args: Args) -> Outcome:
    """py-processes: ``workers`` worker processes over two
    ``multiprocessing.Queue(maxsize=buffer)``; the producer is a thread of the main
    process, whose main thread collects."""
    count, workers, spin = args["jobs"], args["workers"], args["spin"]
    jobs = multiprocessing.Queue(maxsize=args["buffer"])
    results = multiprocessing.Queue(maxsize=args["buffer"])
    clock = Stopwatch()
    # Daemonic, so that even an unexpected exit cannot leave one behind.
    pool = [
        multiprocessing.Process(target=work, args=(jobs, results, spin), daemon=True)
        for _ in range(workers)
    ]
    try:
        # The workers start before the producer thread: forking a process that already
        # runs threads is unsafe (and deprecated).
        for process in pool:
            process.start()
        producer = threading.Thread(target=produce, args=(jobs, count, workers), daemon=True)
        producer.start()
        outcome = Outcome(collect(results, count), clock.elapsed_ns(), count)
        producer.join()
        for process in pool:
            process.join()
        check_exit_codes(pool)
    finally:
        end_processes(pool)
    return outcome


async def _asyncio_pool(args: Args, clock: Stopwatch) -> Outcome:
    count, workers, spin = args["jobs"], args["workers"], args["spin"]
    jobs, results = asyncio.Queue(maxsize=args["buffer"]), asyncio.Queue(maxsize=args["buffer"])

    async def produce_async() -> None:
        for job in range(1, count + 1):
            await jobs.put(job)
        for _ in range(workers):
            await jobs.put(None)

    async def work_async() -> None:
        while (job := await jobs.get()) is not None:
            await results.put(result_of(job, spin))

    units = [asyncio.create_task(produce_async())]
    units += [asyncio.create_task(work_async()) for _ in range(workers)]
    total = 0
    for _ in range(count):
        total = (total + await results.get()) & U64_MASK
    outcome = Outcome(total, clock.elapsed_ns(), count)
    await asyncio.gather(*units)
    return outcome


def asyncio_tasks(args: Args) -> Outcome:
    """py-asyncio: a producer task and ``workers`` worker tasks over two
    ``asyncio.Queue(maxsize=buffer)``; the main coroutine collects."""
    return run_async(_asyncio_pool, args)


#: The worker-pool workload and its Python models.
WORKLOAD = Workload(
    name="worker-pool",
    params=(
        Param("jobs", 1, 1_000_000_000),
        Param("workers", 1, 1024),
        Param("buffer", 1, 1_000_000),
        Param("spin", 0, 1_000_000),
    ),
    models=(
        Model("py-threads", threads),
        Model("py-processes", processes),
        Model("py-asyncio", asyncio_tasks),
    ),
)
