"""shared-counter: the article's Rust ``Arc<Mutex>`` sample. ``units`` concurrent units each
add 1 to one shared counter ``increments`` times. The checksum is the final counter
(units x increments when nothing is lost), ops = units x increments.

The counter never needs a u64 mask: it cannot exceed the suite's maximum
units x increments = 10^14.
"""

from __future__ import annotations

import asyncio
import multiprocessing
import threading
from typing import Callable

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



class Counter:
    """The shared state of the thread and task models: one plain integer attribute."""

    def __init__(self) -> None:
        self.value = 0


def add_locked(counter: Counter, lock: threading.Lock, increments: int) -> None:
    """One unit of py-threads-lock: each increment under the lock."""
    for _ in range(increments):
        with lock:
            counter.value += 1


def add_racy(counter: Counter, increments: int) -> None:
    """One unit of py-threads-racy: a plain read-modify-write with no lock. Whether updates
    are lost depends on where the interpreter switches threads (and on the GIL)."""
    for _ in range(increments):
        counter.value += 1


def add_to_value(value, increments: int) -> None:
    """One unit of py-processes-value: each increment under the Value's own lock."""
    for _ in range(increments):
        with value.get_lock():
            value.value += 1


def _threads(args: Args, unit: Callable[..., None], *shared) -> Outcome:
    """Runs ``units`` threads of ``unit(*shared, increments)`` on one Counter."""
    counter = Counter()
    clock = Stopwatch()
    units = [
        threading.Thread(target=unit, args=(counter, *shared, args["increments"]))
        for _ in range(args["units"])
    ]
    for thread in units:
        thread.start()
    for thread in units:
        thread.join()
    return Outcome(counter.value, clock.elapsed_ns(), args["units"] * args["increments"])


def threads_lock(args: Args) -> Outcome:
    """py-threads-lock: ``threading.Thread`` units and one ``threading.Lock``."""
    return _threads(args, add_locked, threading.Lock())


def threads_racy(args: Args) -> Outcome:
    """py-threads-racy: ``threading.Thread`` units doing ``counter += 1`` unsynchronised;
    reports the real (possibly short) count."""
    return _threads(args, add_racy)


def processes_value(args: Args) -> Outcome:
    """py-processes-value: ``multiprocessing.Process`` units on one
    ``multiprocessing.Value('Q')`` (a u64 in shared memory) and its ``get_lock()``."""
    value = multiprocessing.Value("Q", 0)
    clock = Stopwatch()
    # Daemonic, so that even an unexpected exit cannot leave one behind.
    units = [
        multiprocessing.Process(target=add_to_value, args=(value, args["increments"]), daemon=True)
        for _ in range(args["units"])
    ]
    try:
        for process in units:
            process.start()
        for process in units:
            process.join()
        check_exit_codes(units)
        outcome = Outcome(value.value, clock.elapsed_ns(), args["units"] * args["increments"])
    finally:
        end_processes(units)
    return outcome


async def _asyncio_counter(args: Args, clock: Stopwatch) -> Outcome:
    counter, lock = Counter(), asyncio.Lock()

    async def add() -> None:
        for _ in range(args["increments"]):
            async with lock:
                counter.value += 1

    await asyncio.gather(*(add() for _ in range(args["units"])))
    return Outcome(counter.value, clock.elapsed_ns(), args["units"] * args["increments"])


def asyncio_tasks(args: Args) -> Outcome:
    """py-asyncio: asyncio tasks and one ``asyncio.Lock``. The event loop runs one task at
    a time and an uncontended lock never suspends, so each task runs its increments in one
    go."""
    return run_async(_asyncio_counter, args)


#: The shared-counter workload and its Python models.
WORKLOAD = Workload(
    name="shared-counter",
    params=(
        Param("units", 1, 100_000),
        Param("increments", 0, 1_000_000_000),
    ),
    models=(
        Model("py-threads-lock", threads_lock),
        Model("py-threads-racy", threads_racy),
        Model("py-processes-value", processes_value),
        Model("py-asyncio", asyncio_tasks),
    ),
)
