"""The ASGI application of the deployed-server models, called directly (no server): the
answer, the refusals, the counts and the lifespan files."""

from __future__ import annotations

import asyncio
import json
from typing import Any, Dict, List

import pytest

from concbench_py import io_server_asgi
from support import ref_xs_k


def call(scope: Dict[str, Any], messages: List[Dict[str, Any]]) -> List[Dict[str, Any]]:
    """Runs the app on ``scope``, feeding it ``messages``; returns what it sent."""
    sent: List[Dict[str, Any]] = []
    incoming = iter(messages)

    async def receive() -> Dict[str, Any]:
        return next(incoming)

    async def send(message: Dict[str, Any]) -> None:
        sent.append(message)

    asyncio.run(io_server_asgi.app(scope, receive, send))
    return sent


def get(path: str, query: bytes, method: str = "GET") -> List[Dict[str, Any]]:
    scope = {"type": "http", "method": method, "path": path, "query_string": query}
    return call(scope, [{"type": "http.request", "body": b"", "more_body": False}])


@pytest.fixture(autouse=True)
def work(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(io_server_asgi.ENV_DELAY_US, "100")
    monkeypatch.setenv(io_server_asgi.ENV_CPU, "7")
    monkeypatch.setenv(io_server_asgi.ENV_ALLOC, "10000")
    monkeypatch.setattr(io_server_asgi, "_work", None)
    monkeypatch.setattr(io_server_asgi, "COUNTS", io_server_asgi.Counts())


def test_a_work_request_is_answered_with_xs_cpu_of_its_id_and_counted() -> None:
    start, body = get("/work", b"id=12345")
    assert start["status"] == 200
    assert (b"content-length", str(len(body["body"])).encode()) in start["headers"]
    assert body["body"] == str(ref_xs_k(12345, 7)).encode()
    assert io_server_asgi.COUNTS.answered == 1
    assert io_server_asgi.COUNTS.waits == 1
    assert io_server_asgi.COUNTS.waited_ns >= 100_000


@pytest.mark.parametrize(
    "path, query, method, status",
    [
        ("/other", b"id=1", "GET", 404),
        ("/work", b"id=1", "POST", 405),
        ("/work", b"id=x", "GET", 400),
        ("/work", b"", "GET", 400),
    ],
)
def test_other_requests_are_refused_and_not_counted(
    path: str, query: bytes, method: str, status: int
) -> None:
    start, _ = get(path, query, method)
    assert start["status"] == status
    assert io_server_asgi.COUNTS.answered == 0


def test_lifespan_says_ready_then_writes_the_counts(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv(io_server_asgi.ENV_COUNTS_DIR, str(tmp_path))
    get("/work", b"id=1")
    sent = call(
        {"type": "lifespan"},
        [{"type": "lifespan.startup"}, {"type": "lifespan.shutdown"}],
    )
    assert [m["type"] for m in sent] == [
        "lifespan.startup.complete",
        "lifespan.shutdown.complete",
    ]
    assert len(list(tmp_path.glob("*.ready"))) == 1
    (counts,) = tmp_path.glob("*.counts")
    assert json.loads(counts.read_text())["answered"] == 1


def test_touch_makes_every_page_resident() -> None:
    block = io_server_asgi.touch(3 * 4096 + 1)
    assert block is not None and len(block) == 3 * 4096 + 1
    assert block[0] == block[4096] == block[3 * 4096] == 1
    assert io_server_asgi.touch(0) is None


@pytest.mark.parametrize("loop_kind", ["asyncio", "uvloop"])
def test_a_sub_millisecond_wait_is_kept_on_every_loop(loop_kind: str) -> None:
    # uvloop counts timers in whole milliseconds: asyncio.sleep(0.0002) returns at once there.
    if loop_kind == "uvloop":
        uvloop = pytest.importorskip("uvloop")
        loop = uvloop.new_event_loop()
    else:
        loop = asyncio.new_event_loop()

    async def waits() -> List[int]:
        import time

        took = []
        for delay_us in (200, 200, 1500):
            began = time.perf_counter_ns()
            await asyncio.gather(*(io_server_asgi.precise_sleep(delay_us / 1e6) for _ in range(3)))
            took.append((time.perf_counter_ns() - began) // 1000 - delay_us)
        return took

    try:
        late = loop.run_until_complete(waits())
    finally:
        loop.close()
    assert all(us >= 0 for us in late), late
