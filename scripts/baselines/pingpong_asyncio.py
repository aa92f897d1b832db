"""A plain Python ping-pong between two asyncio tasks over two asyncio.Queue, as a yardstick
for concbench's ping-pong py-asyncio: the main coroutine and one task hand a counter back
and forth, each adding 1. Prints the counter (2 x ROUNDS).

    python pingpong_asyncio.py ROUNDS
"""

import asyncio
import sys


async def pong(inbox, outbox):
    while (n := await inbox.get()) is not None:
        await outbox.put(n + 1)


async def main(rounds):
    to_pong, to_ping = asyncio.Queue(), asyncio.Queue()
    other = asyncio.create_task(pong(to_pong, to_ping))
    n = 0
    for _ in range(rounds):
        await to_pong.put(n)
        n = await to_ping.get() + 1
    await to_pong.put(None)
    await other
    print(n)


if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1])))
