"""The plain Python daisy-chain sieve with async generators, as a yardstick for concbench's
py-async-generators: one async generator per prime, each iterating (``async for``) over the
one before; no tasks, no queues. Prints the sum of the first N primes.

Each stage resumes the one before it from inside its own frame, so finding the N-th prime
runs N frames deep: the recursion limit must be above N (Python's default is 1000).

    python sieve_agen.py N
"""

import asyncio
import sys


async def numbers():
    n = 2
    while True:
        yield n
        n += 1


async def sift(prime, source):
    async for n in source:
        if n % prime:
            yield n


async def main(count):
    source = numbers()
    total = 0
    for _ in range(count):
        prime = await anext(source)
        total += prime
        source = sift(prime, source)
    print(total)


if __name__ == "__main__":
    count = int(sys.argv[1])
    sys.setrecursionlimit(max(sys.getrecursionlimit(), count + 1000))
    asyncio.run(main(count))
