"""The usual Python thread pool over queue.Queue, as a yardstick for concbench's worker-pool
py-threads: unbounded queues, the main thread puts every job and one None per worker, then
takes every result. A job is 2*xs^spin(j) mod 2^64; prints the sum of the results.

    python workerpool_threads.py JOBS WORKERS SPIN
"""

import queue
import sys
import threading

MASK = (1 << 64) - 1


def xs_k(x, k):
    for _ in range(k):
        x ^= (x << 13) & MASK
        x ^= x >> 7
        x ^= (x << 17) & MASK
    return x


def worker(jobs, results, spin):
    while (j := jobs.get()) is not None:
        results.put((2 * xs_k(j, spin)) & MASK)


def main(count, workers, spin):
    jobs, results = queue.Queue(), queue.Queue()
    threads = [threading.Thread(target=worker, args=(jobs, results, spin)) for _ in range(workers)]
    for t in threads:
        t.start()
    for j in range(1, count + 1):
        jobs.put(j)
    for _ in threads:
        jobs.put(None)
    total = 0
    for _ in range(count):
        total = (total + results.get()) & MASK
    for t in threads:
        t.join()
    print(total)


if __name__ == "__main__":
    main(*map(int, sys.argv[1:4]))
