"""mixed-service: the layered asyncio + process pool advice, on every CPU. No load
generator: requests arrive inside the process on a timer, ``rate`` a second (request i at
(i - 1) / rate s after the schedule starts), each waits ``delay_us`` without holding a core
(the simulated upstream call), then computes ``xs^cpu(i)``. The checksum is the sum of the
answers (mod 2^64), ops = ``requests``.

Open loop: an arrival never waits for an earlier answer, and a request's latency runs from
its intended arrival, so a model that falls behind shows its queue in the latency instead
of slowing the arrivals down (no coordinated omission). Metrics: ``rps`` (answers per second
of the schedule: from its start to the last answer), and the latency percentiles
``p50_us``, ``p90_us``, ``p99_us``, ``p999_us``, ``max_us`` (nearest rank).
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import time
from typing import Awaitable, Callable, Dict, List

from concbench_py.io_server import run_precise, start_workers
from concbench_py.protocol import Args, Model, Outcome, Param, Stopwatch, Workload
from concbench_py.xorshift import U64_MASK, xs_k

#: How a model computes request i's CPU part: ``xs^cpu(i)``.
CpuPart = Callable[[int], Awaitable[int]]


def intended_ns(start_ns: int, i: int, rate: int) -> int:
    """When request ``i`` (from 1) arrives, on ``time.perf_counter_ns()``'s clock, in a
    schedule that started at ``start_ns``."""
    return start_ns + (i - 1) * 1_000_000_000 // rate


def percentile_us(sorted_ns: List[int], permille: int) -> int:
    """The nearest-rank quantile of ``sorted_ns`` (ascending, not empty) at ``permille``
    / 1000, in whole µs: the value of rank ceil(permille × n / 1000)."""
    rank = max(1, -(-permille * len(sorted_ns) // 1000))
    return sorted_ns[rank - 1] // 1000


def service_metrics(latencies_ns: List[int], requests: int, schedule_ns: int) -> Dict[str, int]:
    """The workload's metrics from every request's latency and the schedule's length (from
    its start to the last answer)."""
    latencies_ns.sort()
    return {
        "rps": requests * 1_000_000_000 // max(1, schedule_ns),
        "p50_us": percentile_us(latencies_ns, 500),
        "p90_us": percentile_us(latencies_ns, 900),
        "p99_us": percentile_us(latencies_ns, 990),
        "p999_us": percentile_us(latencies_ns, 999),
        "max_us": latencies_ns[-1] // 1000,
    }


async def serve(args: Args, cpu_part: CpuPart, clock: Stopwatch) -> Outcome:
    """Runs the schedule: a task per request, started at its arrival time."""
    rate, requests = args["rate"], args["requests"]
    delay_s = args["delay_us"] / 1_000_000
    latencies: List[int] = []
    total = 0

    async def request(i: int, due_ns: int) -> None:
        nonlocal total
        await asyncio.sleep(delay_s)
        value = await cpu_part(i)
        latencies.append(time.perf_counter_ns() - due_ns)
        total = (total + value) & U64_MASK

    tasks = []
    start_ns = time.perf_counter_ns()
    for i in range(1, requests + 1):
        due_ns = intended_ns(start_ns, i, rate)
        ahead_ns = due_ns - time.perf_counter_ns()
        if ahead_ns > 0:
            await asyncio.sleep(ahead_ns / 1_000_000_000)
        # A loop that is behind starts every request already due at once: they have arrived.
        tasks.append(asyncio.create_task(request(i, due_ns)))
    await asyncio.gather(*tasks)
    schedule_ns = time.perf_counter_ns() - start_ns
    elapsed_ns = clock.elapsed_ns()
    return Outcome(total, elapsed_ns, requests, service_metrics(latencies, requests, schedule_ns))


def asyncio_tasks(args: Args) -> Outcome:
    """py-asyncio: a task per request, ``asyncio.sleep`` for the wait (on io-server's
    ``PreciseSelector``), the CPU part on the event loop. ``workers`` is ignored."""
    clock = Stopwatch()
    cpu = args["cpu"]

    async def on_the_loop(i: int) -> int:
        # Blocks the event loop's one thread: arrivals and waits that are due wait meanwhile.
        return xs_k(i, cpu)

    return run_precise(serve(args, on_the_loop, clock))


def asyncio_processes(args: Args) -> Outcome:
    """py-asyncio-processes: py-asyncio with the CPU part sent through
    ``loop.run_in_executor`` to a ``ProcessPoolExecutor(max_workers=workers)``: asyncio for
    the I/O, a process pool for the CPU part."""
    clock = Stopwatch()
    cpu = args["cpu"]
    pool = concurrent.futures.ProcessPoolExecutor(max_workers=args["workers"])
    try:
        # Started before the schedule, as a service starts its pool before taking traffic;
        # the start is in elapsed_ns, not in the latencies.
        start_workers(pool, args["workers"])

        async def in_the_pool(i: int) -> int:
            return await asyncio.get_running_loop().run_in_executor(pool, xs_k, i, cpu)

        return run_precise(serve(args, in_the_pool, clock))
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


#: The mixed-service workload and its Python models.
WORKLOAD = Workload(
    name="mixed-service",
    params=(
        Param("rate", 1, 100_000),
        Param("requests", 1, 100_000),
        Param("delay_us", 0, 10_000_000),
        Param("cpu", 0, 100_000_000),
        Param("workers", 1, 1024),
    ),
    models=(
        Model("py-asyncio", asyncio_tasks),
        Model("py-asyncio-processes", asyncio_processes),
    ),
)
