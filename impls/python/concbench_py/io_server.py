"""io-server: "API gateways: massive connections" and the layered asyncio + process pool
advice. An HTTP/1.1 keep-alive server on 127.0.0.1 (a port the system picks):
``GET /work?id=I`` waits ``delay_us`` without holding a core (the simulated upstream call),
then answers ``xs^cpu(I)`` in decimal. The server says ``{"listening": "127.0.0.1:<port>"}``,
serves until SIGTERM, then reports the requests it answered with 200 as checksum and ops;
``elapsed_ns`` runs from listening to SIGTERM. The load generator lives in the harness.

Each request holds ``alloc`` bytes it allocated and wrote (0: none) across its upstream
wait. All three models parse, route and answer requests with the same code
(:mod:`concbench_py.http_head`): py-threads reads each head from its connection's blocking
file, the asyncio models from a stream.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import ctypes
import json
import os
import resource
import select
import selectors
import signal
import socket
import sys
import threading
import time
import socketserver
from functools import partial
from http import HTTPStatus
from typing import Any, Awaitable, BinaryIO, Callable, Coroutine, List, Optional, Tuple

from concbench_py.http_head import (
    HEAD_END,
    MAX_HEAD,
    MalformedHead,
    Refusal,
    parse_head,
    response,
    route,
)
from concbench_py.protocol import Args, Model, Outcome, Param, Stopwatch, Workload
from concbench_py.xorshift import xs_k

#: The only address a server binds: the loopback, on a port the system picks.
ADDRESS = ("127.0.0.1", 0)

class Work:
    """What every request of a run shares: the work it asks for and the count of answers."""

    def __init__(self, args: Args) -> None:
        #: The simulated upstream wait, in seconds.
        self.delay_s = args["delay_us"] / 1_000_000
        #: xorshift64 steps of the CPU part.
        self.cpu = args["cpu"]
        #: Bytes each request allocates and writes, held until it is answered.
        self.alloc = args["alloc"]
        self._answered = 0
        # The upstream waits measured so far, their sum in ns and their count: the wait the
        # runtime really gives can differ from the delay, and the harness reports it.
        self._waited_ns = 0
        self._waits = 0
        # py-threads counts from many threads, and += is not atomic across them.
        self._lock = threading.Lock()

    def request_state(self) -> bytearray:
        """A request's own memory: ``alloc`` bytes, each written (a repeated byte, not a
        zeroed block the kernel maps lazily), for the request to hold across its upstream
        wait the way a real handler holds its parsed request and buffers; garbage once it is
        answered. Empty at 0."""
        return bytearray(b"\x01") * self.alloc

    def waited_since(self, began_ns: int) -> None:
        """Counts one upstream wait that began at ``time.perf_counter_ns()`` = ``began_ns``
        and has just ended."""
        waited = time.perf_counter_ns() - began_ns
        with self._lock:
            self._waited_ns += waited
            self._waits += 1

    def answer(self, value: int, close: bool) -> bytes:
        """Counts one request answered with 200 and returns its response. The count comes
        before the response is sent: once the client has its answer, a SIGTERM must find it
        counted."""
        with self._lock:
            self._answered += 1
        return response(HTTPStatus.OK, str(value), close)

    def outcome(self, clock: Stopwatch) -> Outcome:
        """The result line of a server that started ``clock`` when it began listening and
        has just received SIGTERM."""
        with self._lock:
            answered = self._answered
            metrics = {"wait_ns_sum": self._waited_ns, "waits": self._waits}
        return Outcome(answered, clock.elapsed_ns(), answered, metrics)


def raise_open_files_limit() -> None:
    """Raises the soft limit on open files to the hard limit: 10,000 connections need more
    descriptors than the usual soft limit of 1024, and the harness raises none. If the
    kernel refuses, the old limit stays and accept reports what runs out."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft != hard:
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
        except (ValueError, OSError):
            pass  # e.g. an unlimited hard limit, which Linux caps at nr_open


def announce(address: Tuple[Any, ...]) -> None:
    """Says where the server listens, on a line of its own: the harness waits for it."""
    host, port = address[:2]
    print(json.dumps({"listening": f"{host}:{port}"}), flush=True)


# py-threads


class ThreadedServer(socketserver.ThreadingTCPServer):
    """``socketserver.ThreadingTCPServer``: one thread per connection, which serves its
    requests one at a time."""

    # socketserver listens with a backlog of 5, which thousands of clients connecting at
    # once overflow (each overflow costs a client a one-second SYN retry). The kernel caps
    # it at net.core.somaxconn.
    request_queue_size = socket.SOMAXCONN
    # Threads serving idle keep-alive connections must not hold up the exit.
    daemon_threads = True
    allow_reuse_address = True

    def handle_error(self, request, client_address) -> None:
        """Reports a connection's failure on stderr, unless the client broke the connection
        off: that is no error of the server's, and a traceback each would flood stderr."""
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


def read_head_from(rfile: BinaryIO) -> Optional[bytes]:
    """Reads one request head (up to and with its blank line) from a blocking file; None
    when the client closed the connection between requests. Raises :class:`MalformedHead`
    for a head cut off or longer than ``MAX_HEAD``, as the asyncio models' stream does."""
    data = b""
    while True:
        line = rfile.readline(MAX_HEAD + 1 - len(data))
        if not line:
            if data:
                raise MalformedHead()
            return None
        data += line
        if data.endswith(HEAD_END):
            return data
        if len(data) > MAX_HEAD or not line.endswith(b"\n"):
            raise MalformedHead()


class WorkHandler(socketserver.StreamRequestHandler):
    """py-threads' connection handler: reads each request head with :func:`read_head_from`,
    parses it with :func:`parse_head` (the asyncio models' parser), sleeps its connection's
    thread for the delay, then computes on it."""

    def __init__(self, *args: Any, work: Work, **kwargs: Any) -> None:
        #: What every request shares.
        self.work = work
        # socketserver serves the whole connection inside __init__.
        super().__init__(*args, **kwargs)

    def setup(self) -> None:
        """Each response goes out whole in one write; Nagle has nothing to gather."""
        super().setup()
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def handle(self) -> None:
        """Serves the connection's requests until the client closes or asks to close."""
        work = self.work
        try:
            while (data := read_head_from(self.rfile)) is not None:
                head = parse_head(data)
                try:
                    request_id = route(head.method, head.target)
                except Refusal as refusal:
                    self.wfile.write(refusal.response(head.close))
                else:
                    state = work.request_state()
                    began = time.perf_counter_ns()
                    time.sleep(work.delay_s)
                    work.waited_since(began)
                    del state
                    self.wfile.write(work.answer(xs_k(request_id, work.cpu), head.close))
                if head.close:
                    return
        except MalformedHead as refusal:
            self.wfile.write(refusal.response(close=True))


def threads(args: Args) -> Outcome:
    """py-threads: ``socketserver.ThreadingTCPServer``, a thread per connection, each
    parsing its requests with the asyncio models' parser and sleeping with ``time.sleep``
    for the delay. ``workers`` is ignored: there is no pool."""
    raise_open_files_limit()
    work = Work(args)
    outcome: List[Outcome] = []
    with ThreadedServer(ADDRESS, partial(WorkHandler, work=work)) as server:
        clock = Stopwatch()
        # serve_forever looks for shutdown() every poll_interval (0.5 s by default): at 0.05 s
        # a SIGTERM stops the server within 50 ms instead of taking up to half a second of
        # every sample's wall time.
        serving = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})

        def on_sigterm(signum: int, frame: Any) -> None:
            # Runs in the main thread, which only joins the serving thread: shutdown() waits
            # for serve_forever() to return, so the serving thread must not call it.
            outcome.append(work.outcome(clock))
            server.shutdown()

        serving.start()
        # Installed before the server says it listens, so that no SIGTERM can come first;
        # and once the serving thread has started, so that the handler, which waits for
        # that thread, cannot interrupt its start.
        signal.signal(signal.SIGTERM, on_sigterm)
        announce(server.server_address)
        serving.join()
    # Leaving the block closed the listening socket. Connection threads are daemons: the
    # process's exit ends them, idle keep-alive ones included.
    return outcome[0]


# The asyncio models' timer


class _Timespec(ctypes.Structure):
    """``struct timespec``."""

    _fields_ = [("tv_sec", ctypes.c_long), ("tv_nsec", ctypes.c_long)]


class _Itimerspec(ctypes.Structure):
    """``struct itimerspec``."""

    _fields_ = [("it_interval", _Timespec), ("it_value", _Timespec)]


class Timerfd:
    """A Linux timerfd on CLOCK_MONOTONIC, non-blocking: ``os.timerfd_*`` where Python has
    them (3.13+), libc's through ctypes before."""

    def __init__(self) -> None:
        if hasattr(os, "timerfd_create"):
            self._libc = None
            #: The descriptor.
            self.fd = os.timerfd_create(
                time.CLOCK_MONOTONIC, flags=os.TFD_NONBLOCK | os.TFD_CLOEXEC
            )
            return
        self._libc = ctypes.CDLL(None, use_errno=True)
        # TFD_NONBLOCK and TFD_CLOEXEC are O_NONBLOCK and O_CLOEXEC.
        self.fd = self._libc.timerfd_create(time.CLOCK_MONOTONIC, os.O_NONBLOCK | os.O_CLOEXEC)
        if self.fd < 0:
            errno = ctypes.get_errno()
            raise OSError(errno, f"timerfd_create: {os.strerror(errno)}")

    def arm(self, after_s: float) -> None:
        """Fires once, ``after_s`` seconds from now (at least 1 ns: zero would disarm)."""
        ns = max(1, int(after_s * 1e9))
        if self._libc is None:
            os.timerfd_settime_ns(self.fd, initial=ns)
            return
        value = _Itimerspec(_Timespec(0, 0), _Timespec(ns // 1_000_000_000, ns % 1_000_000_000))
        if self._libc.timerfd_settime(self.fd, 0, ctypes.byref(value), None) != 0:
            errno = ctypes.get_errno()
            raise OSError(errno, f"timerfd_settime: {os.strerror(errno)}")

    def clear(self) -> None:
        """Takes a firing that is pending, if any."""
        try:
            os.read(self.fd, 8)
        except BlockingIOError:
            pass

    def close(self) -> None:
        """Closes the descriptor."""
        os.close(self.fd)


class PreciseSelector(selectors.EpollSelector):
    """epoll whose timeouts are exact to the microsecond, for the asyncio models' upstream
    wait.

    ``selectors.EpollSelector`` rounds each timeout up to a whole millisecond (epoll_wait's
    unit), and the event loop's timeout is the time to its nearest timer: a sleep whose
    deadline is 0.3 ms away waited 1 ms more, and with many connections ``asyncio.sleep``'s
    1 ms took 1.2-1.7 ms at the median where ``time.sleep`` took 1.09 ms. Here a timerfd in
    the same epoll set ends the wait instead, to the nanosecond: one more system call per
    wait that has a timeout, none while the loop is busy."""

    def __init__(self) -> None:
        super().__init__()
        self._timer = Timerfd()
        # Registered with epoll directly, not as a selector key: it is never reported.
        self._selector.register(self._timer.fd, select.EPOLLIN)

    def select(self, timeout: Optional[float] = None) -> List[Tuple[selectors.SelectorKey, int]]:
        """EpollSelector.select, with the timeout kept by the timerfd."""
        if timeout is not None and timeout > 0:
            self._timer.arm(timeout)
            timeout = None
        elif timeout is not None:
            timeout = 0
        # One slot more than the registered keys, for the timerfd.
        max_events = len(self.get_map()) + 1
        ready = []
        try:
            events = self._selector.poll(-1 if timeout is None else 0, max_events)
        except InterruptedError:
            return ready
        for fd, event in events:
            if fd == self._timer.fd:
                self._timer.clear()
                continue
            key = self._key_from_fd(fd)
            if key:
                mask = (selectors.EVENT_WRITE if event & ~select.EPOLLIN else 0) | (
                    selectors.EVENT_READ if event & ~select.EPOLLOUT else 0
                )
                ready.append((key, mask & key.events))
        return ready

    def close(self) -> None:
        """Closes the timerfd and the epoll object."""
        self._timer.close()
        super().close()


def precise_loop() -> asyncio.AbstractEventLoop:
    """A selector event loop on a :class:`PreciseSelector`."""
    return asyncio.SelectorEventLoop(PreciseSelector())


def run_precise(main: Coroutine[Any, Any, Outcome]) -> Outcome:
    """``asyncio.run(main)`` on a :func:`precise_loop`."""
    if hasattr(asyncio, "Runner"):  # 3.11+
        with asyncio.Runner(loop_factory=precise_loop) as runner:
            return runner.run(main)

    class PrecisePolicy(asyncio.DefaultEventLoopPolicy):  # 3.10
        def new_event_loop(self) -> asyncio.AbstractEventLoop:
            return precise_loop()

    asyncio.set_event_loop_policy(PrecisePolicy())
    return asyncio.run(main)


# py-asyncio and py-asyncio-processes

#: How an asyncio model computes a request's CPU part: ``xs^cpu(id)``.
CpuPart = Callable[[int], Awaitable[int]]


async def read_head(reader: asyncio.StreamReader) -> Optional[Head]:
    """Reads one request head; None when the client closed the connection between
    requests."""
    try:
        data = await reader.readuntil(HEAD_END)
    except asyncio.IncompleteReadError as cut:
        if not cut.partial:
            return None
        raise MalformedHead() from None
    except asyncio.LimitOverrunError:
        # No blank line within MAX_HEAD (the stream's limit).
        raise MalformedHead() from None
    return parse_head(data)


async def serve_connection(
    work: Work, cpu_part: CpuPart, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
) -> None:
    """One connection's task: reads a request, answers it, and so on until the client
    closes or asks to close, or the connection fails."""
    try:
        while (head := await read_head(reader)) is not None:
            try:
                request_id = route(head.method, head.target)
            except Refusal as refusal:
                writer.write(refusal.response(head.close))
            else:
                state = work.request_state()
                began = time.perf_counter_ns()
                await asyncio.sleep(work.delay_s)
                work.waited_since(began)
                del state
                writer.write(work.answer(await cpu_part(request_id), head.close))
            await writer.drain()
            if head.close:
                break
    except MalformedHead as refusal:
        writer.write(refusal.response(close=True))
    except ConnectionError:
        pass  # the client broke the connection off: nothing is left to answer
    except asyncio.CancelledError:
        # The server is stopping: asyncio.run cancels every connection's task. Ending
        # quietly, since Python 3.11's streams report a cancelled connection task on
        # stderr as an error (3.12 no longer does).
        pass
    finally:
        writer.close()


async def serve(work: Work, cpu_part: CpuPart) -> Outcome:
    """Serves every connection in a task of its own (``asyncio.start_server``) until
    SIGTERM; returns the result line. Run it on a :func:`precise_loop`."""
    sigterm = asyncio.Event()
    # Installed before the server says it listens, so that no SIGTERM can come first.
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, sigterm.set)
    server = await asyncio.start_server(
        partial(serve_connection, work, cpu_part),
        *ADDRESS,
        # asyncio's default backlog of 100 overflows when thousands of clients connect at once.
        backlog=socket.SOMAXCONN,
        limit=MAX_HEAD,
    )
    clock = Stopwatch()
    announce(server.sockets[0].getsockname())
    await sigterm.wait()
    outcome = work.outcome(clock)
    # Stop accepting. Open connections, idle keep-alive ones included, are not waited for:
    # asyncio.run cancels their tasks.
    server.close()
    return outcome


def asyncio_tasks(args: Args) -> Outcome:
    """py-asyncio: asyncio streams, a task per connection, ``asyncio.sleep`` for the delay
    (on a :class:`PreciseSelector`), and the CPU part on the event loop. ``workers`` is ignored: there is no pool."""
    raise_open_files_limit()
    work = Work(args)

    async def on_the_loop(request_id: int) -> int:
        # Blocks the event loop's one thread: every other connection waits meanwhile.
        return xs_k(request_id, work.cpu)

    return run_precise(serve(work, on_the_loop))


def start_workers(pool: concurrent.futures.ProcessPoolExecutor, workers: int) -> None:
    """Starts the pool's workers now, before the server listens: the harness's idle memory
    then includes them, and no worker is forked later with copies of open connections (a
    socket that a forked child still holds does not close when the server closes it)."""
    # Under fork, the first submit starts every worker; under spawn and forkserver, each
    # submit that finds no idle worker starts one.
    for started in [pool.submit(xs_k, 0, 0) for _ in range(workers)]:
        started.result()


def asyncio_processes(args: Args) -> Outcome:
    """py-asyncio-processes: py-asyncio's server, with the CPU part sent through
    ``loop.run_in_executor`` to a ``ProcessPoolExecutor(max_workers=workers)``."""
    raise_open_files_limit()
    work = Work(args)
    pool = concurrent.futures.ProcessPoolExecutor(max_workers=args["workers"])
    try:
        start_workers(pool, args["workers"])

        async def in_the_pool(request_id: int) -> int:
            loop = asyncio.get_running_loop()
            return await loop.run_in_executor(pool, xs_k, request_id, work.cpu)

        return run_precise(serve(work, in_the_pool))
    finally:
        # Queued CPU parts are dropped, not waited for; the workers are joined, so that none
        # outlives the server.
        pool.shutdown(wait=True, cancel_futures=True)


def deployed(name: str) -> Callable[[Args], Outcome]:
    """The model ``name`` of io_server_asgi.py, imported when it runs: the ASGI servers'
    packages are needed by those models alone."""

    def run(args: Args) -> Outcome:
        from concbench_py import io_server_asgi

        return getattr(io_server_asgi, name)(args)

    return run


#: The modules the uvicorn models import.
UVICORN = ("uvicorn", "uvloop", "httptools")

#: The io-server workload and its Python models. ``connections``, ``requests`` and
#: ``rate`` are the harness's load parameters, never the server's.
WORKLOAD = Workload(
    name="io-server",
    params=(
        Param("delay_us", 0, 10_000_000),
        Param("cpu", 0, 100_000_000),
        Param("workers", 1, 1024),
        Param("alloc", 0, 100_000_000),
    ),
    models=(
        Model("py-threads", threads),
        Model("py-asyncio", asyncio_tasks),
        Model("py-asyncio-processes", asyncio_processes),
        Model("py-uvicorn", deployed("uvicorn_one"), requires=UVICORN),
        Model("py-uvicorn-workers", deployed("uvicorn_workers"), requires=UVICORN),
        Model("py-granian", deployed("granian_one"), requires=("granian", "uvloop")),
    ),
)
