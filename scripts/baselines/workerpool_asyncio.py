"""The asyncio.Queue worker pool of Python's documentation (docs.python.org, asyncio-queue
"Examples"), as a yardstick for concbench's worker-pool py-asyncio: every job is put into
an unbounded queue first, the workers take jobs and call task_done(), the main coroutine
awaits queue.join() and then cancels the workers. A job is 2*xs^spin(j) mod 2^64, added
to a shared total; prints the total.

    python workerpool_asyncio.py JOBS WORKERS SPIN
"""

import asyncio
import sys

MASK = (1 << 64) - 1


def xs_k(x, k):
    for _ in range(k):
        x ^= (x << 13) & MASK
        x ^= x >> 7
        x ^= (x << 17) & MASK
    return x


async def main(count, workers, spin):
    queue = asyncio.Queue()
    total = 0

    async def worker():
        nonlocal total
        while True:
            j = await queue.get()
            total = (total + 2 * xs_k(j, spin)) & MASK
            queue.task_done()

    for j in range(1, count + 1):
        queue.put_nowait(j)
    tasks = [asyncio.create_task(worker()) for _ in range(workers)]
    await queue.join()
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
    print(total)


if __name__ == "__main__":
    asyncio.run(main(*map(int, sys.argv[1:4])))
