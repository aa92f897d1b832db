"""prime-sieve: Go's concurrent daisy-chain sieve. A generator feeds 2, 3, 4, ... into a
queue; for each prime the main unit receives from the head of the chain, it starts a
filter unit that drops that prime's multiples and becomes the new head, with its own new
queue. The checksum is the sum of the first ``primes`` primes, ops = primes.

Every queue holds one number (``maxsize=1``), the closest a Python queue comes to Go's
unbuffered channel: the generator cannot run ahead of the chain.
"""

from __future__ import annotations

import asyncio
import itertools
import queue
import threading

from concbench_py.protocol import Args, Model, Outcome, Param, Stopwatch, Workload, run_async
from concbench_py.xorshift import U64_MASK


def generate(out: queue.Queue) -> None:
    """The generator thread: 2, 3, 4, ... for as long as the chain takes them."""
    for candidate in itertools.count(2):
        out.put(candidate)


def sift(prime: int, source: queue.Queue, out: queue.Queue) -> None:
    """A filter thread: passes on the numbers from ``source`` that ``prime`` does not
    divide."""
    while True:
        candidate = source.get()
        if candidate % prime:
            out.put(candidate)


def threads(args: Args) -> Outcome:
    """py-threads: a ``threading.Thread`` and a ``queue.Queue`` per prime.

    The generator and filters never end on their own; they are daemon threads, so once the
    answer is known the process exits without waiting for them (a Python queue cannot be
    closed to unwind the chain)."""
    primes = args["primes"]
    clock = Stopwatch()
    head: queue.Queue = queue.Queue(maxsize=1)
    threading.Thread(target=generate, args=(head,), daemon=True).start()
    total = 0
    for _ in range(primes):
        prime = head.get()
        total = (total + prime) & U64_MASK
        out: queue.Queue = queue.Queue(maxsize=1)
        threading.Thread(target=sift, args=(prime, head, out), daemon=True).start()
        head = out
    return Outcome(total, clock.elapsed_ns(), primes)


async def generate_async(out: asyncio.Queue) -> None:
    """The generator task: 2, 3, 4, ... until cancelled."""
    for candidate in itertools.count(2):
        await out.put(candidate)


async def sift_async(prime: int, source: asyncio.Queue, out: asyncio.Queue) -> None:
    """A filter task: passes on the numbers from ``source`` that ``prime`` does not
    divide, until cancelled."""
    while True:
        candidate = await source.get()
        if candidate % prime:
            await out.put(candidate)


async def _asyncio_sieve(primes: int, clock: Stopwatch) -> Outcome:
    head: asyncio.Queue = asyncio.Queue(maxsize=1)
    units = [asyncio.create_task(generate_async(head))]
    total = 0
    for _ in range(primes):
        prime = await head.get()
        total = (total + prime) & U64_MASK
        out: asyncio.Queue = asyncio.Queue(maxsize=1)
        units.append(asyncio.create_task(sift_async(prime, head, out)))
        head = out
    outcome = Outcome(total, clock.elapsed_ns(), primes)
    # Teardown: the chain never ends on its own, so stop every task and wait for them.
    for unit in units:
        unit.cancel()
    await asyncio.gather(*units, return_exceptions=True)
    return outcome


def asyncio_tasks(args: Args) -> Outcome:
    """py-asyncio: an asyncio task and an ``asyncio.Queue`` per prime (real tasks, not
    generators), all cancelled once the answer is known."""
    return run_async(_asyncio_sieve, args["primes"])


#: The prime-sieve workload and its Python models.
WORKLOAD = Workload(
    name="prime-sieve",
    params=(Param("primes", 1, 1_000_000),),
    models=(
        Model("py-threads", threads),
        Model("py-asyncio", asyncio_tasks),
    ),
)
