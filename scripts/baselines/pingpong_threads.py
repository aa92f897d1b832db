"""A plain Python ping-pong between two threads over two queue.Queue, as a yardstick for
concbench's ping-pong py-threads: the main thread and one other hand a counter back and
forth, each adding 1. Prints the counter (2 x ROUNDS).

    python pingpong_threads.py ROUNDS
"""

import queue
import sys
import threading


def pong(inbox, outbox):
    while (n := inbox.get()) is not None:
        outbox.put(n + 1)


def main(rounds):
    to_pong, to_ping = queue.Queue(), queue.Queue()
    other = threading.Thread(target=pong, args=(to_pong, to_ping))
    other.start()
    n = 0
    for _ in range(rounds):
        to_pong.put(n)
        n = to_ping.get() + 1
    to_pong.put(None)
    other.join()
    print(n)


if __name__ == "__main__":
    main(int(sys.argv[1]))
