"""spawn-idle: "2 KB stacks, tens of thousands of goroutines". Spawn ``units`` units that
each block until released; once all are alive, read the resident memory (metric
``rss_kb``); release them and join. ``spawn_ns`` is the time from the first spawn until all
are alive. The checksum is the number of units that finished, ops = units.
"""

from __future__ import annotations

import asyncio
import threading

from concbench_py.protocol import Args, Model, Outcome, Param, Stopwatch, Workload, run_async


def rss_kb() -> int:
    """Resident memory of this process in kB (VmRSS of /proc/self/status)."""
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise RuntimeError("/proc/self/status has no VmRSS line")


def _outcome(units: int, finished: int, spawn_ns: int, rss: int, clock: Stopwatch) -> Outcome:
    return Outcome(finished, clock.elapsed_ns(), units, {"rss_kb": rss, "spawn_ns": spawn_ns})


class RollCall:
    """Counts the threads that have started, so that the main thread knows when all are
    alive; only the last arrival wakes it."""

    def __init__(self, units: int) -> None:
        self._units = units
        self._alive = 0
        self._all_alive = threading.Condition()

    def arrive(self) -> None:
        """Records one more thread alive."""
        with self._all_alive:
            self._alive += 1
            if self._alive == self._units:
                self._all_alive.notify()

    def wait(self) -> None:
        """Blocks until every thread has arrived."""
        with self._all_alive:
            self._all_alive.wait_for(lambda: self._alive >= self._units)


def idle_thread(roll: RollCall, release: threading.Event) -> None:
    """One unit of py-threads: says it is alive, then blocks until released."""
    roll.arrive()
    release.wait()


def threads(args: Args) -> Outcome:
    """py-threads: a ``threading.Thread`` per unit (default stack size: its memory is what
    is measured), each blocked on one ``threading.Event``."""
    units = args["units"]
    roll, release = RollCall(units), threading.Event()
    clock = Stopwatch()
    alive = []
    for _ in range(units):
        thread = threading.Thread(target=idle_thread, args=(roll, release))
        thread.start()
        alive.append(thread)
    roll.wait()
    spawn_ns = clock.elapsed_ns()
    rss = rss_kb()
    release.set()
    finished = 0
    for thread in alive:
        thread.join()
        finished += 1
    return _outcome(units, finished, spawn_ns, rss, clock)


async def _asyncio_idle(units: int, clock: Stopwatch) -> Outcome:
    alive = 0
    all_alive, release = asyncio.Event(), asyncio.Event()

    async def idle_task() -> None:
        nonlocal alive
        alive += 1  # one thread runs every task: no lock needed
        if alive == units:
            all_alive.set()
        await release.wait()

    tasks = [asyncio.create_task(idle_task()) for _ in range(units)]
    # The tasks only start once the main coroutine awaits.
    while alive < units:
        await all_alive.wait()
    spawn_ns = clock.elapsed_ns()
    rss = rss_kb()
    release.set()
    finished = 0
    for task in tasks:
        await task
        finished += 1
    return _outcome(units, finished, spawn_ns, rss, clock)


def asyncio_tasks(args: Args) -> Outcome:
    """py-asyncio: ``asyncio.create_task`` per unit, each awaiting one ``asyncio.Event``."""
    return run_async(_asyncio_idle, args["units"])


#: The spawn-idle workload and its Python models.
WORKLOAD = Workload(
    name="spawn-idle",
    params=(Param("units", 0, 10_000_000),),
    models=(
        Model("py-threads", threads),
        Model("py-asyncio", asyncio_tasks),
    ),
)
