"""io-server on the servers Python teams deploy: one plain ASGI application, served by
uvicorn (uvloop and httptools) in one process or one process per server CPU, and by granian
(an HTTP core in Rust). The contract is io-server's (see io_server.py): ``GET /work?id=I``
waits ``delay_us`` without holding a core, then answers ``xs^cpu(I)`` in decimal; the
server says ``{"listening": "127.0.0.1:<port>"}`` once it serves, and after SIGTERM reports
the requests it answered with 200.

The servers start their own worker processes (spawned: each imports this module again), so
the work is passed to them in environment variables, and each worker process reports its
counts at ASGI lifespan shutdown, in a file of its own in a folder the main process made;
the main process adds them up. Routing and refusals are io_server.py's, shared with the
hand-written models. uvicorn, uvloop, httptools and granian are imported by these models
alone (impls/python/requirements.txt pins them).
"""

from __future__ import annotations

import asyncio
import contextlib
import heapq
import itertools
import json
import os
import signal
import socket
import tempfile
import threading
import time
from pathlib import Path
from typing import Any, Awaitable, Callable, Dict, List, MutableMapping, Optional

from concbench_py.io_server import Refusal, Timerfd, announce, raise_open_files_limit, route
from concbench_py.protocol import Args, Outcome, Stopwatch
from concbench_py.xorshift import xs_k

#: The ASGI application as the servers import it.
APP = "concbench_py.io_server_asgi:app"

#: The environment variables that carry the work to every worker process.
ENV_DELAY_US = "CONCBENCH_DELAY_US"
ENV_CPU = "CONCBENCH_CPU"
ENV_ALLOC = "CONCBENCH_ALLOC"
#: The folder where each worker process writes its counts (and says it is ready).
ENV_COUNTS_DIR = "CONCBENCH_COUNTS_DIR"

#: How long the main process waits for every worker to serve.
READY_TIMEOUT_S = 14.0

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]

PLAIN = [(b"content-type", b"text/plain")]


class Counts:
    """One worker process's counts: answers with 200 and the upstream waits it measured.
    The event loop is one thread, so plain integers suffice."""

    def __init__(self) -> None:
        self.answered = 0
        self.waited_ns = 0
        self.waits = 0

    def to_json(self) -> str:
        """What the worker writes at shutdown."""
        return json.dumps(
            {"answered": self.answered, "wait_ns_sum": self.waited_ns, "waits": self.waits}
        )


#: This process's counts.
COUNTS = Counts()


class Work:
    """The work every request asks for, read from the environment once per process."""

    def __init__(self) -> None:
        #: The simulated upstream wait, in seconds.
        self.delay_s = int(os.environ.get(ENV_DELAY_US, "0")) / 1_000_000
        #: xorshift64 steps of the CPU part.
        self.cpu = int(os.environ.get(ENV_CPU, "0"))
        #: Bytes allocated and touched per request.
        self.alloc = int(os.environ.get(ENV_ALLOC, "0"))


_work: Optional[Work] = None


def work() -> Work:
    """This process's :class:`Work`, read at its first request (in the main process, the
    module is imported before the environment is set)."""
    global _work
    if _work is None:
        _work = Work()
    return _work


def touch(size: int) -> Optional[bytearray]:
    """``size`` bytes allocated and written, a byte per page, so that they are resident:
    the per-request allocation that exercises the allocator (``alloc``)."""
    if size <= 0:
        return None
    block = bytearray(size)
    block[::4096] = b"\x01" * len(range(0, size, 4096))
    return block


class PreciseSleeper:
    """Sleeps of sub-millisecond precision on any event loop, uvloop's included: libuv
    counts timers in whole milliseconds, so ``asyncio.sleep(0.0002)`` on uvloop returns on
    the next turn of the loop (conformance measured a p50 of 181 µs against a 200 µs wait)
    and a 1 ms wait takes ~1.15 ms. One timerfd per loop, armed for the earliest deadline
    and watched with ``add_reader``, wakes the sleepers whose time has come: the upstream
    wait is then the same time as in the other servers."""

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self._loop = loop
        self._timer = Timerfd()
        self._due: List[Any] = []
        self._order = itertools.count()
        loop.add_reader(self._timer.fd, self._fire)

    def sleep(self, delay_s: float) -> "asyncio.Future[None]":
        """A future done ``delay_s`` seconds from now."""
        future: asyncio.Future[None] = self._loop.create_future()
        deadline = time.monotonic_ns() + int(delay_s * 1e9)
        heapq.heappush(self._due, (deadline, next(self._order), future))
        if self._due[0][2] is future:
            self._timer.arm(max(deadline - time.monotonic_ns(), 1) / 1e9)
        return future

    def _fire(self) -> None:
        self._timer.clear()
        now = time.monotonic_ns()
        while self._due and self._due[0][0] <= now:
            _, _, future = heapq.heappop(self._due)
            if not future.done():
                future.set_result(None)
        if self._due:
            self._timer.arm(max(self._due[0][0] - now, 1) / 1e9)


#: The sleeper of each event loop of this process (one per worker).
_SLEEPERS: Dict[int, PreciseSleeper] = {}


def precise_sleep(delay_s: float) -> "asyncio.Future[None]":
    """Waits ``delay_s`` on the running loop's :class:`PreciseSleeper`."""
    loop = asyncio.get_running_loop()
    sleeper = _SLEEPERS.get(id(loop))
    # An id is reused once its loop is gone: a sleeper of another loop is replaced.
    if sleeper is None or sleeper._loop is not loop:
        sleeper = _SLEEPERS[id(loop)] = PreciseSleeper(loop)
    return sleeper.sleep(delay_s)


async def app(scope: Scope, receive: Receive, send: Send) -> None:
    """The ASGI application: lifespan (ready at startup, counts written at shutdown) and
    ``GET /work?id=I``."""
    if scope["type"] == "lifespan":
        await lifespan(receive, send)
        return
    if scope["type"] != "http":
        return
    try:
        target = scope["path"] + "?" + scope["query_string"].decode("latin-1")
        request_id = route(scope["method"], target)
    except Refusal as refusal:
        await answer(send, refusal.status.value, refusal.status.phrase)
        return
    asked = work()
    # Allocated before the wait and held across it, as the other servers do (`alloc`).
    block = touch(asked.alloc)
    began = time.perf_counter_ns()
    await precise_sleep(asked.delay_s)
    COUNTS.waited_ns += time.perf_counter_ns() - began
    COUNTS.waits += 1
    # The CPU part runs on the event loop, as a plain ASGI handler's code does.
    value = xs_k(request_id, asked.cpu)
    del block
    # Counted before the response goes out: once the client has it, a SIGTERM must find
    # it counted.
    COUNTS.answered += 1
    await answer(send, 200, str(value))


async def answer(send: Send, status: int, body: str) -> None:
    """A whole ``text/plain`` response; the server adds Content-Length's framing."""
    data = body.encode("ascii")
    headers = PLAIN + [(b"content-length", str(len(data)).encode("ascii"))]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": data})


async def lifespan(receive: Receive, send: Send) -> None:
    """Startup: says this worker is ready. Shutdown: writes its counts. Both into the
    folder of ``CONCBENCH_COUNTS_DIR``, when set."""
    folder = os.environ.get(ENV_COUNTS_DIR)
    while True:
        message = await receive()
        if message["type"] == "lifespan.startup":
            if folder:
                Path(folder, f"{os.getpid()}.ready").touch()
            await send({"type": "lifespan.startup.complete"})
        elif message["type"] == "lifespan.shutdown":
            if folder:
                Path(folder, f"{os.getpid()}.counts").write_text(COUNTS.to_json())
            await send({"type": "lifespan.shutdown.complete"})
            return


class Deployment:
    """What the main process of every server does around it: pass the work to the workers,
    say where it listens once every worker is ready, and add up their counts."""

    def __init__(self, args: Args, workers: int) -> None:
        raise_open_files_limit()
        #: Worker processes that must say they are ready (0: the main process serves).
        self.workers = workers
        self._folder = tempfile.TemporaryDirectory(prefix="concbench-asgi-")
        os.environ[ENV_DELAY_US] = str(args["delay_us"])
        os.environ[ENV_CPU] = str(args["cpu"])
        os.environ[ENV_ALLOC] = str(args.get("alloc", 0))
        os.environ[ENV_COUNTS_DIR] = self._folder.name
        self.clock = Stopwatch()

    def announce_when_ready(self, port: int, ready: Callable[[], bool]) -> None:
        """Starts a thread that prints the listening line once every worker has started
        (``ready``) and the port accepts a connection."""

        def watch() -> None:
            deadline = time.monotonic() + READY_TIMEOUT_S
            while time.monotonic() < deadline:
                if ready() and self.ready_files() >= self.workers and accepts(port):
                    self.clock = Stopwatch()
                    announce(("127.0.0.1", port))
                    return
                time.sleep(0.005)
            # No line: the harness reports that the server did not listen, and stops it.

        threading.Thread(target=watch, daemon=True).start()

    def ready_files(self) -> int:
        """Worker processes that have said they are ready."""
        return len(list(Path(self._folder.name).glob("*.ready")))

    def outcome(self) -> Outcome:
        """The result line, from every worker's counts; fails if a worker that started
        wrote none (its answers would be missing)."""
        counts: List[Dict[str, int]] = [
            json.loads(path.read_text()) for path in Path(self._folder.name).glob("*.counts")
        ]
        started = self.ready_files()
        self._folder.cleanup()
        if len(counts) != started:
            raise RuntimeError(f"{started - len(counts)} of {started} workers wrote no counts")
        answered = sum(c["answered"] for c in counts)
        metrics = {
            "wait_ns_sum": sum(c["wait_ns_sum"] for c in counts),
            "waits": sum(c["waits"] for c in counts),
        }
        return Outcome(answered, self.clock.elapsed_ns(), answered, metrics)


def accepts(port: int) -> bool:
    """Whether a connection to the port is accepted (it is closed at once, unused)."""
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1):
            return True
    except OSError:
        return False


def listening_socket() -> socket.socket:
    """A socket listening on 127.0.0.1, on a port the system picks, for uvicorn."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    sock.listen(socket.SOMAXCONN)
    sock.set_inheritable(True)
    return sock


def server_cpus(workers: int) -> int:
    """One worker per CPU the server may run on, at most ``workers``."""
    return max(1, min(workers, len(os.sched_getaffinity(0))))


def uvicorn_config(workers: int) -> Any:
    """uvicorn's configuration as deployed: uvloop, httptools, lifespan on, no access log."""
    import uvicorn

    return uvicorn.Config(
        APP,
        loop="uvloop",
        http="httptools",
        lifespan="on",
        access_log=False,
        log_level="error",
        backlog=socket.SOMAXCONN,
        workers=workers,
    )


def uvicorn_one(args: Args) -> Outcome:
    """py-uvicorn: ``uvicorn --loop uvloop --http httptools`` with one worker, serving in
    this process. ``workers`` is ignored."""
    import uvicorn

    deployment = Deployment(args, workers=1)
    server = uvicorn.Server(uvicorn_config(workers=1))
    sock = listening_socket()
    # uvicorn's own handler sets should_exit too, but once shut down it raises the signal
    # again, which would end this process before it reports. On should_exit uvicorn stops
    # accepting, finishes the requests in flight, closes idle keep-alive connections and
    # runs lifespan shutdown.
    server.capture_signals = contextlib.nullcontext  # type: ignore[method-assign]
    signal.signal(signal.SIGTERM, lambda signum, frame: setattr(server, "should_exit", True))
    deployment.announce_when_ready(sock.getsockname()[1], lambda: server.started)
    server.run(sockets=[sock])
    sock.close()
    return deployment.outcome()


def uvicorn_workers(args: Args) -> Outcome:
    """py-uvicorn-workers: ``uvicorn --workers N``, N = the CPUs the server may run on (at
    most ``workers``): uvicorn's supervisor spawns N processes that accept on one socket."""
    from uvicorn.supervisors import Multiprocess

    workers = server_cpus(args["workers"])
    deployment = Deployment(args, workers=workers)
    config = uvicorn_config(workers=workers)
    sock = listening_socket()
    deployment.announce_when_ready(sock.getsockname()[1], lambda: True)
    # The supervisor ends each worker with SIGTERM on its own SIGTERM, then joins them.
    Multiprocess(config, sockets=[sock]).run()
    sock.close()
    return deployment.outcome()


def free_port() -> int:
    """A port free now on 127.0.0.1. granian's workers bind the address themselves (with
    SO_REUSEPORT), so port 0 would give each its own port."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def granian_one(args: Args) -> Outcome:
    """py-granian: ``granian --interface asgi --loop uvloop --workers 1``: this process
    supervises one worker process, whose Rust runtime (one thread) does the HTTP and whose
    event loop runs the application. ``workers`` is ignored."""
    from granian.constants import Interfaces, Loops
    from granian.log import LogLevels
    from granian.server import Server

    deployment = Deployment(args, workers=1)
    port = free_port()
    server = Server(
        APP,
        address="127.0.0.1",
        port=port,
        interface=Interfaces.ASGI,
        workers=1,
        loop=Loops.uvloop,
        backlog=socket.SOMAXCONN,
        log_level=LogLevels.error,
    )
    deployment.announce_when_ready(port, lambda: True)
    # granian handles SIGTERM: it stops its workers, which run lifespan shutdown.
    server.serve()
    return deployment.outcome()
