"""prime-sieve: Go's concurrent daisy-chain sieve. A generator feeds 2, 3, 4, ... into a
queue; for each prime the main unit receives from the head of the chain, it starts a
filter unit that drops that prime's multiples and becomes the new head, with its own new
queue. The checksum is the sum of the first ``primes`` primes, ops = primes.

Every queue holds ``buffer`` numbers. A Python queue has no zero capacity (``maxsize=0``
means unbounded), so buffer 0 is a rendezvous built from the queue's own API: one slot,
and a ``put`` that returns only once the consumer has taken the value (``join()``, answered
by the consumer's ``task_done()``), as Go's unbuffered send returns only once received.

py-async-generators has no queues at all: each stage is an async generator that its
consumer resumes directly, so it takes ``buffer`` and ignores it.
"""

from __future__ import annotations

import asyncio
import itertools
import queue
import sys
import threading
from typing import AsyncIterator, List, Union

from concbench_py.protocol import Args, Model, Outcome, Param, Stopwatch, Workload, run_async
from concbench_py.xorshift import U64_MASK


class RendezvousQueue(queue.Queue):
    """buffer 0 for threads: a ``queue.Queue`` of one slot whose ``put`` returns only once
    the value has been taken."""

    def __init__(self) -> None:
        super().__init__(maxsize=1)

    def put(self, item, block: bool = True, timeout=None) -> None:
        super().put(item, block, timeout)
        self.join()

    def get(self, block: bool = True, timeout=None):
        item = super().get(block, timeout)
        self.task_done()
        return item


def thread_queue(buffer: int) -> queue.Queue:
    """A link of the threads' chain: ``queue.Queue(maxsize=buffer)``, or the rendezvous."""
    return queue.Queue(maxsize=buffer) if buffer > 0 else RendezvousQueue()


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
    """py-threads: a ``threading.Thread`` and a ``queue.Queue(maxsize=buffer)`` per prime.

    The generator and filters never end on their own; they are daemon threads, so once the
    answer is known the process exits without waiting for them (a Python queue cannot be
    closed to unwind the chain)."""
    primes, buffer = args["primes"], args["buffer"]
    clock = Stopwatch()
    head = thread_queue(buffer)
    threading.Thread(target=generate, args=(head,), daemon=True).start()
    total = 0
    for _ in range(primes):
        prime = head.get()
        total = (total + prime) & U64_MASK
        out = thread_queue(buffer)
        threading.Thread(target=sift, args=(prime, head, out), daemon=True).start()
        head = out
    return Outcome(total, clock.elapsed_ns(), primes)


class AsyncRendezvousQueue(asyncio.Queue):
    """buffer 0 for tasks: an ``asyncio.Queue`` of one slot whose ``put`` returns only
    once the value has been taken."""

    def __init__(self) -> None:
        super().__init__(maxsize=1)

    async def put(self, item) -> None:
        await super().put(item)
        await self.join()

    async def get(self):
        item = await super().get()
        self.task_done()
        return item


def task_queue(buffer: int) -> asyncio.Queue:
    """A link of the tasks' chain: ``asyncio.Queue(maxsize=buffer)``, or the rendezvous."""
    return asyncio.Queue(maxsize=buffer) if buffer > 0 else AsyncRendezvousQueue()


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


async def _asyncio_sieve(primes: int, buffer: int, clock: Stopwatch) -> Outcome:
    head = task_queue(buffer)
    units = [asyncio.create_task(generate_async(head))]
    total = 0
    for _ in range(primes):
        prime = await head.get()
        total = (total + prime) & U64_MASK
        out = task_queue(buffer)
        units.append(asyncio.create_task(sift_async(prime, head, out)))
        head = out
    outcome = Outcome(total, clock.elapsed_ns(), primes)
    # Teardown: the chain never ends on its own, so stop every task and wait for them.
    for unit in units:
        unit.cancel()
    await asyncio.gather(*units, return_exceptions=True)
    return outcome


def asyncio_tasks(args: Args) -> Outcome:
    """py-asyncio: an asyncio task and an ``asyncio.Queue(maxsize=buffer)`` per prime
    (real tasks, not generators), all cancelled once the answer is known."""
    return run_async(_asyncio_sieve, args["primes"], args["buffer"])


async def numbers() -> AsyncIterator[int]:
    """The first stage of the generators' chain: 2, 3, 4, ..."""
    for candidate in itertools.count(2):
        yield candidate


async def sift_generator(prime: int, source: AsyncIterator[int]) -> AsyncIterator[int]:
    """A filter stage: the numbers of ``source`` that ``prime`` does not divide."""
    async for candidate in source:
        if candidate % prime:
            yield candidate


async def _generator_sieve(primes: int, clock: Stopwatch) -> Outcome:
    source = numbers()
    total = 0
    for _ in range(primes):
        prime = await anext(source)
        total = (total + prime) & U64_MASK
        source = sift_generator(prime, source)
    return Outcome(total, clock.elapsed_ns(), primes)
    # Teardown: asyncio.run closes every generator of the chain (shutdown_asyncgens).


#: Frames that the chain's thread runs beside the chain itself (the event loop's own).
FRAMES_BESIDE_THE_CHAIN = 1000
#: C stack per stage of the chain, with room to spare: CPython 3.11 and 3.13 use under
#: 512 bytes per resumed async generator (a 1 MiB stack holds 2,000 stages, not 3,000).
STACK_PER_STAGE = 2048
#: The C stack of everything else, as much as a main thread gets by default.
BASE_STACK = 8 << 20


def async_generators(args: Args) -> Outcome:
    """py-async-generators: an async generator per prime, each iterating (``async for``)
    over the one before; no tasks and no queues. ``buffer`` is ignored: a stage hands each
    number straight to the consumer that resumed it.

    Finding the n-th prime resumes n generators, each from inside the frame of the one
    after it, so the chain runs ``primes`` frames deep: the recursion limit is raised to
    fit, and the event loop runs on a thread whose C stack fits (a main thread's 8 MiB
    holds some 16,000-24,000 stages; CPython 3.11 crashes beyond, without a
    RecursionError). The clock starts in that thread, just before the event loop is
    created, as for every asyncio model."""
    primes = args["primes"]
    sys.setrecursionlimit(max(sys.getrecursionlimit(), primes + FRAMES_BESIDE_THE_CHAIN))
    done: List[Union[Outcome, BaseException]] = []

    def chain() -> None:
        try:
            done.append(run_async(_generator_sieve, primes))
        except BaseException as error:  # noqa: BLE001 - re-raised in the calling thread
            done.append(error)

    default = threading.stack_size(BASE_STACK + STACK_PER_STAGE * primes)
    try:
        runner = threading.Thread(target=chain)
        runner.start()
    finally:
        threading.stack_size(default)
    runner.join()
    if isinstance(done[0], BaseException):
        raise done[0]
    return done[0]


#: The prime-sieve workload and its Python models.
WORKLOAD = Workload(
    name="prime-sieve",
    params=(Param("primes", 1, 1_000_000), Param("buffer", 0, 10_000)),
    models=(
        Model("py-threads", threads),
        Model("py-asyncio", asyncio_tasks),
        Model("py-async-generators", async_generators),
    ),
)
