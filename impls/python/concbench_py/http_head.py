"""The HTTP/1.1 of io-server's Python models: one request head parsed, one request routed,
one response written. py-threads and the asyncio models read a head their own way (a
blocking file, a stream) and hand it to the same :func:`parse_head`, so that the gap
between them is the concurrency model, not the parser. The names are those of
``impls/rust/src/io_server.rs``.
"""

from __future__ import annotations

from dataclasses import dataclass
from http import HTTPStatus

from concbench_py.protocol import decimal_u64

#: The most a request head (request line and headers) may take in the asyncio models.
MAX_HEAD = 8 * 1024

#: Where a request head ends.
HEAD_END = b"\r\n\r\n"


class Refusal(Exception):
    """Why a request gets no value: the status it is answered with instead."""

    def __init__(self, status: HTTPStatus) -> None:
        super().__init__(status.phrase)
        #: 400, 404 or 405.
        self.status = status

    def response(self, close: bool) -> bytes:
        """The response: the status, with its reason phrase as the body."""
        return response(self.status, self.status.phrase, close)


class MalformedHead(Refusal):
    """A request head the server cannot read: answered 400, then the connection ends, since
    where the next request starts is unknown."""

    def __init__(self) -> None:
        super().__init__(HTTPStatus.BAD_REQUEST)


def route(method: str, target: str) -> int:
    """The id of a ``GET /work?id=I`` request; raises :class:`Refusal` for any other."""
    path, _, query = target.partition("?")
    if path != "/work":
        raise Refusal(HTTPStatus.NOT_FOUND)
    if method != "GET":
        raise Refusal(HTTPStatus.METHOD_NOT_ALLOWED)
    text = next((pair[len("id=") :] for pair in query.split("&") if pair.startswith("id=")), "")
    request_id = decimal_u64(text)
    if request_id is None:
        raise Refusal(HTTPStatus.BAD_REQUEST)
    return request_id


def response(status: HTTPStatus, body: str, close: bool) -> bytes:
    """A whole ``text/plain`` response (status line, headers, body), sent in one write."""
    connection = "Connection: close\r\n" if close else ""
    return (
        f"HTTP/1.1 {status.value} {status.phrase}\r\n"
        "Content-Type: text/plain\r\n"
        f"Content-Length: {len(body)}\r\n"
        f"{connection}\r\n"
        f"{body}"
    ).encode("ascii")


@dataclass(frozen=True)
class Head:
    """What the asyncio models act on in one request head."""

    #: ``GET``, ...
    method: str
    #: The request target, e.g. ``/work?id=7``.
    target: str
    #: Whether the connection ends after this response.
    close: bool


def parse_head(data: bytes) -> Head:
    """Parses a request head that ends in a blank line; raises :class:`MalformedHead` for
    one this server cannot read."""
    if not data.endswith(HEAD_END):
        raise MalformedHead()
    request_line, *headers = data[: -len(HEAD_END)].decode("latin-1").split("\r\n")
    parts = request_line.split()
    if len(parts) != 3:
        raise MalformedHead()
    method, target, version = parts
    if version == "HTTP/1.1":
        close = False
    elif version == "HTTP/1.0":
        close = True
    else:
        raise MalformedHead()
    for header in headers:
        name, colon, value = header.partition(":")
        if not colon:
            raise MalformedHead()
        name, value = name.lower(), value.strip()
        if name == "connection":
            for option in value.lower().split(","):
                option = option.strip()
                if option == "close":
                    close = True
                elif option == "keep-alive":
                    close = False
        elif (name == "content-length" and value != "0") or name == "transfer-encoding":
            # No request of this workload has a body, and this server does not read one.
            raise MalformedHead()
    return Head(method, target, close)
