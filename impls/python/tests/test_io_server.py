"""io-server: every server model started as the harness starts it, spoken to over raw TCP
sockets (keep-alive requests on several connections, refusals, Connection: close), then
stopped with SIGTERM; plus its request parsing and routing, and its protocol errors."""

from __future__ import annotations

import asyncio
import io
import json
import select
import signal
import socket
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from http import HTTPStatus
from typing import Any, Dict, Iterable, Iterator, List, Optional, Tuple

import pytest

from concbench_py.http_head import Head, MalformedHead, Refusal, parse_head, response, route
from concbench_py.io_server import Work, read_head_from, run_precise
from support import (
    PROGRAM,
    TREE,
    environment,
    flags,
    python_models,
    ref_xs_k,
    run_program,
    session_left_behind,
    under_start_method,
    workload_tomls,
)

TOML = workload_tomls()["io-server"]
MODELS = python_models(TOML)
U64_MAX = 2**64 - 1

#: Seconds a server may take to say it listens, and to answer one request.
START_TIMEOUT_S = 15
REQUEST_TIMEOUT_S = 10
#: Seconds a server may take to exit after SIGTERM (the contract says about one).
STOP_WITHIN_S = 1.5


class Client:
    """One keep-alive connection that sends a request and reads its whole response."""

    def __init__(self, port: int) -> None:
        self.socket = socket.create_connection(("127.0.0.1", port), timeout=REQUEST_TIMEOUT_S)
        self.stream = self.socket.makefile("rb")

    def send(self, target: str, headers: Iterable[str] = ()) -> None:
        """Sends ``GET <target> HTTP/1.1`` with a Host header and ``headers``."""
        lines = [f"GET {target} HTTP/1.1", "Host: 127.0.0.1", *headers]
        self.socket.sendall("".join(f"{line}\r\n" for line in [*lines, ""]).encode("ascii"))

    def receive(self) -> Tuple[int, Dict[str, str], str]:
        """The next response: status code, headers (lower-case names) and body."""
        status_line = self.stream.readline().decode("ascii")
        assert status_line.startswith("HTTP/1.1 "), status_line
        headers = {}
        while (line := self.stream.readline().decode("ascii")) != "\r\n":
            assert line.endswith("\r\n"), line
            name, _, value = line.partition(":")
            headers[name.lower()] = value.strip()
        body = self.stream.read(int(headers["content-length"])).decode("ascii")
        return int(status_line.split()[1]), headers, body

    def get(self, target: str, headers: Iterable[str] = ()) -> Tuple[int, Dict[str, str], str]:
        """One request and its response."""
        self.send(target, headers)
        return self.receive()

    def closed_by_server(self) -> bool:
        """Whether the server has closed the connection (and sent nothing more)."""
        return self.stream.read() == b""

    def close(self) -> None:
        """Closes the connection from the client's side."""
        self.stream.close()
        self.socket.close()


class Server:
    """A server model running as the harness runs it, in a session of its own so that its
    children, even orphaned, can be found."""

    def __init__(
        self,
        model: str,
        delay_us: int,
        cpu: int,
        workers: int = 2,
        start_method: Optional[str] = None,
    ) -> None:
        params = {"delay_us": delay_us, "cpu": cpu, "workers": workers, "alloc": 4096}
        program = under_start_method(start_method) if start_method else ["-m", PROGRAM]
        self.process = subprocess.Popen(
            [sys.executable, *program, "io-server", model, *flags(params)],
            cwd=TREE,
            env=environment(),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            start_new_session=True,
        )
        ready, _, _ = select.select([self.process.stdout], [], [], START_TIMEOUT_S)
        assert ready, "no listening line"
        self.listening = self.process.stdout.readline()
        host, port = json.loads(self.listening)["listening"].split(":")
        assert host == "127.0.0.1"
        self.port = int(port)

    def connect(self) -> Client:
        """A new keep-alive connection to the server."""
        return Client(self.port)

    def stop(self) -> Tuple[dict, float]:
        """Sends SIGTERM; returns the final line and the seconds the server took to exit.
        Checks that it exited 0, quietly, and left no process behind."""
        sent = time.monotonic()
        self.process.send_signal(signal.SIGTERM)
        stdout, stderr = self.process.communicate(timeout=30)
        took = time.monotonic() - sent
        assert self.process.returncode == 0, stderr
        assert stderr == ""
        assert session_left_behind(self.process.pid) == set()
        lines = stdout.splitlines()
        assert len(lines) == 1, stdout
        return json.loads(lines[0]), took

    def kill(self) -> None:
        """Ends a server that a failed test left running, with any children."""
        if self.process.poll() is None:
            self.process.kill()
            self.process.communicate()


@pytest.fixture
def start() -> Iterator:
    """Starts servers: ``start(model, delay_us=.., cpu=..)``; kills what a test leaves."""
    servers: List[Server] = []

    def started(model: str, **params: Any) -> Server:
        servers.append(Server(model, **params))
        return servers[-1]

    yield started
    for server in servers:
        server.kill()


@pytest.mark.parametrize("model", MODELS)
def test_answers_keep_alive_requests_counts_them_and_stops_on_sigterm(start, model):
    cpu = 1000
    server = start(model, delay_us=1000, cpu=cpu)
    clients = [server.connect() for _ in range(3)]
    ids = iter([0, 1, 2, 7, 42, 12345, 2**32, 2**63, U64_MAX])
    answered = 0
    # Several requests on each connection, the connections taking turns.
    for _ in range(3):
        for client in clients:
            request_id = next(ids)
            status, headers, body = client.get(f"/work?id={request_id}")
            assert (status, body) == (200, str(ref_xs_k(request_id, cpu)))
            assert headers["content-type"] == "text/plain"
            answered += 1

    # Refused requests are answered, not counted, and keep the connection.
    client = clients[0]
    for target, refused in [
        ("/", 404),
        ("/nope?id=1", 404),
        ("/work/?id=1", 404),
        ("/work", 400),
        ("/work?id=", 400),
        ("/work?id=abc", 400),
        ("/work?id=-1", 400),
        ("/work?id=+1", 400),
        ("/work?id=18446744073709551616", 400),
    ]:
        status, _, _ = client.get(target)
        assert status == refused, target
    status, _, body = client.get("/work?x=1&id=5")
    assert (status, body) == (200, str(ref_xs_k(5, cpu)))
    answered += 1

    # Connection: close is honoured.
    status, headers, body = clients[1].get("/work?id=9", ["Connection: close"])
    assert (status, body, headers.get("connection")) == (200, str(ref_xs_k(9, cpu)), "close")
    answered += 1
    assert clients[1].closed_by_server()

    # Open keep-alive connections (idle ones included) do not hold up the stop.
    final, took = server.stop()
    assert final["checksum"] == str(answered)
    assert final["ops"] == answered
    # Every answered request waited for the upstream once, at least the 1 ms delay.
    assert final["metrics"]["waits"] == answered
    assert final["metrics"]["wait_ns_sum"] >= answered * 1_000_000
    assert isinstance(final["elapsed_ns"], int) and final["elapsed_ns"] > 0
    assert took < STOP_WITHIN_S
    for client in clients:
        client.close()


@pytest.mark.parametrize("start_method", ["spawn", "forkserver"])
def test_the_process_pool_under_every_start_method(start, start_method):
    workers = 3
    server = start(
        "py-asyncio-processes", delay_us=0, cpu=100, workers=workers, start_method=start_method
    )
    clients = [server.connect() for _ in range(2 * workers)]
    for request_id, client in enumerate(clients):
        client.send(f"/work?id={request_id}")
    for request_id, client in enumerate(clients):
        assert client.receive()[2] == str(ref_xs_k(request_id, 100))
        client.close()
    assert server.stop()[0]["ops"] == len(clients)


@pytest.mark.parametrize("model", MODELS)
def test_a_malformed_request_gets_400_and_the_connection_ends(start, model):
    server = start(model, delay_us=0, cpu=0)
    client = server.connect()
    # A request line of four words, which http.server too answers with a status line (a
    # line of one word it takes for HTTP/0.9 and answers with a bare body).
    client.socket.sendall(b"GET /work?id=1 extra HTTP/1.1\r\n\r\n")
    status, headers, _ = client.receive()
    assert (status, headers.get("connection")) == (400, "close")
    assert client.closed_by_server()
    client.close()
    final, _ = server.stop()
    assert final["ops"] == 0


@pytest.mark.parametrize("model", MODELS)
def test_waits_the_delay_on_every_connection_at_once(start, model):
    delay_s, concurrent = 0.2, 5
    server = start(model, delay_us=int(delay_s * 1_000_000), cpu=3)
    clients = [server.connect() for _ in range(concurrent)]

    def timed_request(client: Client) -> float:
        sent = time.monotonic()
        assert client.get("/work?id=1")[2] == str(ref_xs_k(1, 3))
        return time.monotonic() - sent

    began = time.monotonic()
    with ThreadPoolExecutor(concurrent) as senders:
        latencies = list(senders.map(timed_request, clients))
    total = time.monotonic() - began
    # No answer before its delay; and the delays overlap, as the wait holds no core.
    assert min(latencies) >= delay_s
    assert total < 2 * delay_s
    for client in clients:
        client.close()
    assert server.stop()[0]["ops"] == concurrent


@pytest.mark.parametrize("model", MODELS)
@pytest.mark.parametrize("load_param", [p["name"] for p in TOML["params"] if p.get("load")])
def test_a_load_parameter_is_an_unknown_parameter(model, load_param):
    server_flags = ["--delay_us=0", "--cpu=0", "--workers=1", "--alloc=0"]
    line = run_program("io-server", model, *server_flags, f"--{load_param}=1").assert_usage_error()
    assert f"unknown parameter --{load_param}" in line


def test_routes_only_get_work_with_a_decimal_u64_id():
    assert route("GET", "/work?id=42") == 42
    assert route("GET", "/work?x=1&id=7&id=8") == 7
    assert route("GET", f"/work?id={U64_MAX}") == U64_MAX
    assert route("GET", "/work?id=007") == 7
    for method, target, status in [
        ("GET", "/", 404),
        ("GET", "/work/?id=1", 404),
        ("GET", "/works?id=1", 404),
        ("POST", "/work?id=1", 405),
        ("GET", "/work", 400),
        ("GET", "/work?", 400),
        ("GET", "/work?id=", 400),
        ("GET", "/work?ids=1", 400),
        ("GET", "/work?id=1.0", 400),
        ("GET", "/work?id=²", 400),
        ("GET", f"/work?id={2**64}", 400),
        ("GET", "/work?id=" + "9" * 5000, 400),
    ]:
        with pytest.raises(Refusal) as refused:
            route(method, target)
        assert refused.value.status == status, target


def test_reads_heads_and_honours_connection_close():
    keep = parse_head(b"GET /work?id=5 HTTP/1.1\r\nHost: x\r\n\r\n")
    assert keep == Head("GET", "/work?id=5", close=False)
    assert parse_head(b"GET /work?id=5 HTTP/1.1\r\nConnection: Close\r\n\r\n").close
    assert parse_head(b"GET /work?id=5 HTTP/1.1\r\nconnection: upgrade, close\r\n\r\n").close
    assert parse_head(b"GET /nope HTTP/1.0\r\n\r\n") == Head("GET", "/nope", close=True)
    assert not parse_head(b"GET /work?id=1 HTTP/1.0\r\nConnection: keep-alive\r\n\r\n").close
    assert not parse_head(b"GET /work?id=1 HTTP/1.1\r\nContent-Length: 0\r\n\r\n").close


@pytest.mark.parametrize(
    "head",
    [
        b"\r\n\r\n",
        b"GET /work?id=1\r\n\r\n",
        b"GET /work?id=1 HTTP/2.0\r\n\r\n",
        b"GET /work?id=1 HTTP/1.1 extra\r\n\r\n",
        b"GET /work?id=1 HTTP/1.1\r\nno colon\r\n\r\n",
        b"GET /work?id=1 HTTP/1.1\r\nHost: x\r\n",
        b"GET /work?id=1 HTTP/1.1\r\nContent-Length: 3\r\n\r\n",
        b"GET /work?id=1 HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n",
    ],
)
def test_refuses_malformed_heads_and_bodies(head):
    with pytest.raises(MalformedHead) as refused:
        parse_head(head)
    assert refused.value.status == 400


def test_threads_read_heads_whole_for_the_shared_parser():
    two = io.BytesIO(b"GET /work?id=1 HTTP/1.1\r\nHost: x\r\n\r\nGET /work?id=2 HTTP/1.1\r\n\r\n")
    first = read_head_from(two)
    assert parse_head(first) == Head("GET", "/work?id=1", close=False)
    assert parse_head(read_head_from(two)).target == "/work?id=2"
    assert read_head_from(two) is None  # closed between requests
    with pytest.raises(MalformedHead):
        read_head_from(io.BytesIO(b"GET /work?id=1 HTTP/1.1\r\nHost"))  # cut off
    with pytest.raises(MalformedHead):
        read_head_from(io.BytesIO(b"GET /" + b"x" * 9000 + b" HTTP/1.1\r\n\r\n"))  # too long


def test_py_threads_no_longer_parses_with_http_server():
    import concbench_py.io_server as io_server

    assert "BaseHTTPRequestHandler" not in vars(io_server)
    assert io_server.parse_head is parse_head


def test_each_request_holds_alloc_bytes_it_wrote():
    state = Work({"delay_us": 0, "cpu": 0, "alloc": 100_000}).request_state()
    assert len(state) == 100_000 and state.count(1) == 100_000
    assert len(Work({"delay_us": 0, "cpu": 0, "alloc": 0}).request_state()) == 0


def test_responses_carry_type_length_and_close():
    assert response(HTTPStatus.OK, "12345", close=False) == (
        b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 5\r\n\r\n12345"
    )
    assert Refusal(HTTPStatus.NOT_FOUND).response(close=True) == (
        b"HTTP/1.1 404 Not Found\r\nContent-Type: text/plain\r\nContent-Length: 9\r\n"
        b"Connection: close\r\n\r\nNot Found"
    )


def sleep_waits(sleepers: int, rounds: int, delay_s: float) -> List[float]:
    """The waits, sorted, of ``sleepers`` tasks that each ``asyncio.sleep(delay_s)``
    ``rounds`` times on the asyncio models' loop."""
    waits: List[float] = []

    async def sleeper() -> None:
        for _ in range(rounds):
            began = time.perf_counter()
            await asyncio.sleep(delay_s)
            waits.append(time.perf_counter() - began)

    async def main() -> None:
        await asyncio.gather(*(sleeper() for _ in range(sleepers)))

    run_precise(main())
    return sorted(waits)


def test_the_asyncio_models_wait_the_delay_not_the_next_millisecond():
    # The default selector rounds each timeout up to a whole millisecond: with ten
    # sleepers, 1 ms took 1.2-1.5 ms at the median, and a 0.2 ms sleep took 1 ms.
    # Best of three tries: the machine's two CPUs are shared.
    medians = []
    for _ in range(3):
        waits = sleep_waits(10, 30, 0.0002)
        assert waits[0] >= 0.0002
        medians.append(waits[len(waits) // 2])
        if medians[-1] < 0.0006:
            return
    pytest.fail(f"median waits {medians} s for a 0.2 ms delay")


def test_the_asyncio_models_loop_still_serves_sockets_and_stops():
    async def main() -> bytes:
        reader, writer = await asyncio.open_connection(*server_address)
        writer.write(b"ping")
        await writer.drain()
        got = await reader.read(4)
        writer.close()
        return got

    listener = socket.create_server(("127.0.0.1", 0))
    server_address = listener.getsockname()

    def echo() -> None:
        conn, _ = listener.accept()
        with conn:
            conn.sendall(conn.recv(4))

    with ThreadPoolExecutor(1) as pool:
        pool.submit(echo)
        assert run_precise(main()) == b"ping"
    listener.close()
