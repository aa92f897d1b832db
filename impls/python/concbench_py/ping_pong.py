"""ping-pong: "a context switch costs about 100 ns". Two units pass a counter back and
forth, each adding 1 on receipt; after ``rounds`` round trips the counter (the checksum) is
2 x rounds, and ops = 2 x rounds hand-offs.

The counter never needs a u64 mask: it cannot exceed 2 x 10^9. Ping ends the exchange
with a ``None`` sentinel, since Python queues and pipes cannot be closed like a channel.
"""

from __future__ import annotations

import asyncio
import multiprocessing
import queue
import threading
from typing import Any, Callable, List

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



def ping(rounds: int, send: Callable[[Any], None], receive: Callable[[], int]) -> int:
    """The ping unit: serves ``rounds`` times, then tells pong to stop; returns the
    counter."""
    counter = 0
    for _ in range(rounds):
        send(counter)
        counter = receive() + 1
    send(None)
    return counter


def pong(receive: Callable[[], Any], send: Callable[[int], None]) -> None:
    """The pong unit: answers every counter with counter + 1 until ping's sentinel."""
    while (counter := receive()) is not None:
        send(counter + 1)


def pong_over_pipe(connection) -> None:
    """The pong process: pong on its end of the pipe."""
    pong(connection.recv, connection.send)


def threads(args: Args) -> Outcome:
    """py-threads: two ``threading.Thread`` and a ``queue.Queue`` each way."""
    rounds = args["rounds"]
    to_pong, to_ping = queue.Queue(), queue.Queue()
    counter: List[int] = []  # ping's result
    clock = Stopwatch()
    pong_thread = threading.Thread(target=pong, args=(to_pong.get, to_ping.put))
    ping_thread = threading.Thread(
        target=lambda: counter.append(ping(rounds, to_pong.put, to_ping.get))
    )
    pong_thread.start()
    ping_thread.start()
    ping_thread.join()
    outcome = Outcome(counter[0], clock.elapsed_ns(), 2 * rounds)
    pong_thread.join()  # ping's sentinel has ended it
    return outcome


def processes(args: Args) -> Outcome:
    """py-processes: the main process plays ping and a child process pong, over one
    duplex ``multiprocessing.Pipe``."""
    rounds = args["rounds"]
    ping_end, pong_end = multiprocessing.Pipe()
    clock = Stopwatch()
    # Daemonic, so that even an unexpected exit cannot leave it behind.
    child = multiprocessing.Process(target=pong_over_pipe, args=(pong_end,), daemon=True)
    try:
        child.start()
        # Only the child holds pong's end now, so its death shows here as EOFError
        # instead of a receive that waits forever.
        pong_end.close()
        outcome = Outcome(ping(rounds, ping_end.send, ping_end.recv), clock.elapsed_ns(), 2 * rounds)
        child.join()
        check_exit_codes([child])
    finally:
        end_processes([child])
    return outcome


async def _asyncio_ping_pong(rounds: int, clock: Stopwatch) -> Outcome:
    to_pong, to_ping = asyncio.Queue(), asyncio.Queue()

    async def pong_task() -> None:
        while (counter := await to_pong.get()) is not None:
            await to_ping.put(counter + 1)

    async def ping_task() -> int:
        counter = 0
        for _ in range(rounds):
            await to_pong.put(counter)
            counter = await to_ping.get() + 1
        await to_pong.put(None)
        return counter

    pong_unit = asyncio.create_task(pong_task())
    counter = await asyncio.create_task(ping_task())
    outcome = Outcome(counter, clock.elapsed_ns(), 2 * rounds)
    await pong_unit
    return outcome


def asyncio_tasks(args: Args) -> Outcome:
    """py-asyncio: two asyncio tasks and an ``asyncio.Queue`` each way."""
    return run_async(_asyncio_ping_pong, args["rounds"])


#: The ping-pong workload and its Python models.
WORKLOAD = Workload(
    name="ping-pong",
    params=(Param("rounds", 1, 1_000_000_000),),
    models=(
        Model("py-threads", threads),
        Model("py-processes", processes),
        Model("py-asyncio", asyncio_tasks),
    ),
)
