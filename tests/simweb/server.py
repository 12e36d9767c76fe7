"""A small simulated web on loopback: one threaded HTTP server per site, each on its own 127.x address.

One address per site makes each site a separate host for the fetcher (robots cache, rate limit,
domain scope), exactly as real domains are; the ports are ephemeral. Every request is logged
with its host, path and arrival time, so tests assert on what the server saw, not on what the
client claims it did.
"""

from __future__ import annotations

import random
import socket
import struct
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Self


@dataclass(frozen=True)
class LoggedRequest:
    host: str
    path: str
    at: float  # time.monotonic() on arrival, same clock as the client in-process
    headers: dict[str, str]


class RequestLog:
    """Thread-safe list of every request any simulated site received."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._entries: list[LoggedRequest] = []

    def add(self, entry: LoggedRequest) -> None:
        with self._lock:
            self._entries.append(entry)

    def entries(self, host: str | None = None) -> list[LoggedRequest]:
        with self._lock:
            return [e for e in self._entries if host is None or e.host == host]

    def paths(self, host: str | None = None) -> list[str]:
        return [e.path for e in self.entries(host)]

    def rate_deficit(self, host: str, interval: float) -> float:
        """How far the host's busiest stretch exceeds one request per ``interval`` (0.0 = never).

        Compares every pair of arrivals, not just neighbours: a request that reached the server a
        little late (new connection, busy CPU) makes one neighbour gap short without any burst.
        """
        arrivals = sorted(e.at for e in self.entries(host))
        worst = 0.0
        for i, first in enumerate(arrivals):
            for k, later in enumerate(arrivals[i + 1 :], start=1):
                worst = max(worst, k * interval - (later - first))
        return worst

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()


@dataclass
class SimResponse:
    """What a route answers. ``fault`` selects misbehaviour the HTTP layer itself must produce."""

    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    # Streamed body of ``stream_length`` bytes, generated chunk by chunk (never built in memory).
    stream_length: int | None = None
    # Send a Content-Length header for the streamed body (False: close-delimited body).
    stream_declares_length: bool = True
    delay: float = 0.0  # seconds before the status line
    fault: str | None = None  # "reset" | "truncate"


# How often a server checks for shutdown: short, so a test tearing down sites does not wait.
_POLL_SECONDS = 0.05

# A route sees the request headers (lower-case names), e.g. to answer a conditional GET.
Route = Callable[[dict[str, str]], SimResponse]


def sequence(*responses: SimResponse) -> Route:
    """A route that answers each response in turn, then repeats the last one (500, then 200...)."""
    lock = threading.Lock()
    calls = [0]

    def route(_headers: dict[str, str]) -> SimResponse:
        with lock:
            index = min(calls[0], len(responses) - 1)
            calls[0] += 1
        return responses[index]

    return route


def fixed(response: SimResponse) -> Route:
    return lambda _headers: response


class SimSite:
    """One simulated host: routes by path, optional latency, shared request log."""

    def __init__(
        self,
        name: str,
        address: str,
        log: RequestLog,
        latency: tuple[float, float] = (0.0, 0.0),
    ) -> None:
        self.name = name
        self.address = address
        self.log = log
        self.latency = latency
        self.routes: dict[str, Route] = {}
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    @property
    def port(self) -> int:
        assert self._server is not None, "site not started"
        return self._server.server_address[1]

    @property
    def origin(self) -> str:
        return f"http://{self.address}:{self.port}"

    def url(self, path: str) -> str:
        return self.origin + path

    def add(self, path: str, route: Route | SimResponse) -> None:
        self.routes[path] = fixed(route) if isinstance(route, SimResponse) else route

    def start(self) -> None:
        server = _QuietServer((self.address, 0), _handler_for(self))
        self._server = server
        self._thread = threading.Thread(
            target=server.serve_forever, args=(_POLL_SECONDS,), name=f"simweb-{self.name}", daemon=True
        )
        self._thread.start()

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def respond(self, path: str, headers: dict[str, str]) -> SimResponse:
        route = self.routes.get(path)
        if route is None:
            return SimResponse(404, b"not found", {"Content-Type": "text/plain"})
        return route(headers)


class SimWeb:
    """A set of sites sharing one request log, all stopped when the ``with`` block ends."""

    def __init__(self) -> None:
        self.log = RequestLog()
        self.sites: dict[str, SimSite] = {}

    def site(self, name: str, address: str, latency: tuple[float, float] = (0.0, 0.0)) -> SimSite:
        """A new site, already listening: its URLs are known before its routes are added."""
        site = SimSite(name, address, self.log, latency)
        site.start()
        self.sites[name] = site
        return site

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *_: object) -> None:
        for site in self.sites.values():
            site.stop()


class _QuietServer(ThreadingHTTPServer):
    """Clients hanging up mid-response is what half the faults provoke: not worth a traceback."""

    daemon_threads = True

    def handle_error(self, request: object, client_address: object) -> None:
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


def _handler_for(site: SimSite) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self) -> None:
            headers = {k.lower(): v for k, v in self.headers.items()}
            site.log.add(LoggedRequest(site.address, self.path, time.monotonic(), headers))
            response = site.respond(self.path.split("#")[0], headers)
            low, high = site.latency
            delay = response.delay + (random.uniform(low, high) if high else 0.0)
            if delay:
                time.sleep(delay)
            if response.fault == "reset":
                self._reset()
                return
            self._send(response)

        def _reset(self) -> None:
            """Close with RST: the client sees 'connection reset by peer', not a clean EOF."""
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self.close_connection = True

        def _send(self, response: SimResponse) -> None:
            self.send_response(response.status)
            for name, value in response.headers.items():
                self.send_header(name, value)
            if response.stream_length is not None:
                if response.stream_declares_length:
                    self.send_header("Content-Length", str(response.stream_length))
                self.send_header("Connection", "close")
                self.close_connection = True
                self.end_headers()
                self._stream(response.stream_length)
                return
            declared = len(response.body) * 2 if response.fault == "truncate" else len(response.body)
            self.send_header("Content-Length", str(declared))
            if response.fault == "truncate":
                self.send_header("Connection", "close")
                self.close_connection = True
            self.end_headers()
            self.wfile.write(response.body)

        def _stream(self, length: int) -> None:
            try:
                for chunk in _filler(length):
                    self.wfile.write(chunk)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client stopped reading at its size cap: expected

        def log_message(self, *_: object) -> None:
            pass  # the RequestLog is the log; stderr noise would hide test output

    return Handler


def _filler(length: int, chunk: int = 64 * 1024) -> Iterator[bytes]:
    block = (b"<p>" + "填充".encode() * 100 + b"</p>\n") * (chunk // 600 + 1)
    block = block[:chunk]
    sent = 0
    while sent < length:
        piece = block[: min(chunk, length - sent)]
        yield piece
        sent += len(piece)
