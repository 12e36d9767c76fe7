"""Polite, defensive HTTP fetching: the only module that talks to other people's servers.

Politeness is enforced here, not by callers: robots.txt, one rate limit per host shared by every
thread, backing off the whole host when it errors or says Retry-After. Defence too: news sites
redirect to login walls and ad hosts, serve PDFs under .html names, and a hostile redirect could
point at the cloud metadata address; so redirects are followed by hand and checked hop by hop,
bodies are streamed with a size cap, and every outcome is a value (page, not-modified or failure
with a reason) instead of an exception, so one bad URL never stops a run.
"""

from __future__ import annotations

import ipaddress
import random
import socket
import threading
import time
from collections.abc import Iterable, Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Literal, Self
from urllib.parse import urljoin, urlsplit

import requests
import urllib3
from protego import Protego
from requests.adapters import HTTPAdapter

from scrapers.encoding import DecodeError, charset_from_content_type, decode_bytes
from scrapers.urls import host_of, in_domains

Expect = Literal["html", "text", "any"]

_HTML_TYPES = ("text/html", "application/xhtml+xml")
_REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
_RETRY_STATUSES = frozenset({408, 425, 429, 500, 502, 503, 504})
_CHUNK = 64 * 1024
_DRAIN_LIMIT = 64 * 1024
_DISALLOW_ALL = "User-agent: *\nDisallow: /\n"


@dataclass(frozen=True)
class FetchSettings:
    """How hard and how long to try. Tests shrink timeouts and backoffs; production keeps these."""

    bot_name: str = "rnw-bot"
    bot_version: str = "0.1"
    contact_url: str = "https://github.com/regional-news-warehouse/rnw"
    connect_timeout: float = 10.0
    read_timeout: float = 30.0
    # Total wall time for one response body: a server trickling bytes never trips the read timeout.
    max_fetch_seconds: float = 120.0
    max_bytes: int = 10 * 1024 * 1024
    max_retries: int = 3
    backoff_base: float = 1.0
    backoff_max: float = 60.0
    # A Retry-After longer than this is not waited for: the URL fails and a later run tries again.
    max_retry_after: float = 300.0
    max_redirects: int = 5
    obey_robots: bool = True
    # Only for tests and the bench, whose simulated sites live on 127.0.0.0/8.
    allow_loopback: bool = False
    max_workers: int = 16
    pool_maxsize: int = 8

    @property
    def user_agent(self) -> str:
        return f"Mozilla/5.0 (compatible; {self.bot_name}/{self.bot_version}; +{self.contact_url})"


@dataclass(frozen=True)
class FetchedPage:
    url: str
    final_url: str
    status: int
    headers: Mapping[str, str]
    content_type: str
    body: bytes
    fetched_at: datetime
    etag: str | None
    last_modified: str | None
    # The real encoding of ``body`` (decided from the bytes) when it was checked as HTML, else None.
    encoding: str | None = None

    @property
    def http_charset(self) -> str | None:
        return charset_from_content_type(self.headers.get("content-type", ""))


@dataclass(frozen=True)
class NotModified:
    """A conditional GET answered 304: the stored copy is current, nothing to hand over."""

    url: str
    fetched_at: datetime


@dataclass(frozen=True)
class FetchFailure:
    url: str
    reason: str
    detail: str = ""
    fetched_at: datetime = field(default_factory=lambda: datetime.now(UTC))


FetchResult = FetchedPage | NotModified | FetchFailure


@dataclass(frozen=True)
class FetchRequest:
    """One URL to fetch with the politeness and scope of the source it belongs to."""

    url: str
    requests_per_second: float
    allowed_domains: tuple[str, ...]
    expect: Expect = "html"
    etag: str | None = None
    last_modified: str | None = None


class HostRateLimiter:
    """Request starts per host at least ``interval`` apart, as really started, across all threads.

    Threads for one host queue on that host's lock and each sets the next start from its own
    actual start, so a thread that wakes late never lets the next one start early. Threads for
    different hosts never wait on each other. ``defer`` (backoff, Retry-After) takes effect even
    for a thread already sleeping, because the wait loop re-reads the next start after each nap.
    """

    def __init__(self) -> None:
        self._state = threading.Lock()
        self._next: dict[str, float] = {}
        self._host_locks: dict[str, threading.Lock] = {}

    def wait(self, host: str, interval: float) -> None:
        with self._state:
            host_lock = self._host_locks.setdefault(host, threading.Lock())
        with host_lock:
            while True:
                with self._state:
                    now = time.monotonic()
                    delay = self._next.get(host, now) - now
                    if delay <= 0:
                        self._next[host] = now + interval
                        return
                time.sleep(delay)

    def defer(self, host: str, seconds: float) -> None:
        """Push the host's next start at least ``seconds`` into the future (backoff, Retry-After)."""
        with self._state:
            now = time.monotonic()
            self._next[host] = max(self._next.get(host, now), now + seconds)


class _Failed(Exception):
    """Internal control flow: carries a failure reason up to the single place that builds the result."""

    def __init__(self, reason: str, detail: str = "", retry_after: float | None = None) -> None:
        super().__init__(f"{reason}: {detail}")
        self.reason = reason
        self.detail = detail
        self.retry_after = retry_after


@dataclass
class _Response:
    status: int
    headers: Mapping[str, str]
    body: bytes


class Fetcher:
    """One pooled session, one robots cache and one rate limiter for all sources of a run."""

    def __init__(self, settings: FetchSettings | None = None) -> None:
        self.settings = settings or FetchSettings()
        self.limiter = HostRateLimiter()
        self._session = requests.Session()
        # Loopback test traffic must never go through a proxy from the environment.
        self._session.trust_env = not self.settings.allow_loopback
        adapter = HTTPAdapter(pool_connections=64, pool_maxsize=self.settings.pool_maxsize, max_retries=0)
        self._session.mount("http://", adapter)
        self._session.mount("https://", adapter)
        self._session.headers.update(
            {"User-Agent": self.settings.user_agent, "Accept-Encoding": "gzip, deflate"}
        )
        self._robots: dict[str, Protego] = {}
        self._robots_locks: dict[str, threading.Lock] = {}
        self._robots_guard = threading.Lock()
        self._address_cache: dict[str, str | None] = {}

    def close(self) -> None:
        self._session.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def fetch(
        self,
        url: str,
        *,
        requests_per_second: float,
        allowed_domains: Iterable[str],
        expect: Expect = "html",
        etag: str | None = None,
        last_modified: str | None = None,
    ) -> FetchResult:
        """Fetch one URL; never raises for anything the network or the server does."""
        request = FetchRequest(url, requests_per_second, tuple(allowed_domains), expect, etag, last_modified)
        try:
            return self._fetch(request)
        except _Failed as failure:
            return FetchFailure(url, failure.reason, failure.detail)

    def fetch_many(self, requests_: Iterable[FetchRequest]) -> Iterator[FetchResult]:
        """Fetch concurrently (the host limiter keeps each host polite); results in completion order."""
        with ThreadPoolExecutor(max_workers=self.settings.max_workers) as pool:
            futures = [
                pool.submit(
                    self.fetch,
                    r.url,
                    requests_per_second=r.requests_per_second,
                    allowed_domains=r.allowed_domains,
                    expect=r.expect,
                    etag=r.etag,
                    last_modified=r.last_modified,
                )
                for r in requests_
            ]
            for future in as_completed(futures):
                yield future.result()

    def robots_allows(
        self, url: str, requests_per_second: float, allowed_domains: Iterable[str] = ()
    ) -> bool:
        """Whether robots.txt of the URL's host lets this bot fetch it (fetched once per host).

        ``allowed_domains`` scopes where a redirected robots.txt may be read from (default: its host).
        """
        robots = self._robots_for(url, requests_per_second, tuple(allowed_domains) or (host_of(url),))
        return robots.can_fetch(url, self.settings.bot_name)

    # -- internals ---------------------------------------------------------------------------

    def _fetch(self, request: FetchRequest) -> FetchResult:
        self._check_target(request.url, request.allowed_domains, prefix="")
        self._check_robots(request.url, request)
        headers = {}
        if request.etag:
            headers["If-None-Match"] = request.etag
        if request.last_modified:
            headers["If-Modified-Since"] = request.last_modified
        seen = [request.url]
        current = request.url
        for _hop in range(self.settings.max_redirects + 1):
            response = self._get_with_retries(current, request, headers)
            location = response.headers.get("location")
            if response.status not in _REDIRECT_STATUSES or not location:
                return self._result(request, current, response)
            target = urljoin(current, location.strip())
            if target in seen:
                raise _Failed("redirect_loop", " -> ".join([*seen, target]))
            self._check_target(target, request.allowed_domains, prefix="redirect_")
            self._check_robots(target, request)
            seen.append(target)
            current = target
        raise _Failed("redirect_loop", f"more than {self.settings.max_redirects} redirects")

    def _result(self, request: FetchRequest, final_url: str, response: _Response) -> FetchResult:
        now = datetime.now(UTC)
        if response.status == 304:
            return NotModified(request.url, now)
        if not 200 <= response.status < 300:
            raise _Failed(f"http_{response.status}")
        content_type = response.headers.get("content-type", "")
        encoding = None
        if request.expect == "html":
            try:
                encoding = decode_bytes(response.body, charset_from_content_type(content_type)).encoding
            except DecodeError as exc:
                raise _Failed("decode_error", str(exc)) from exc
        return FetchedPage(
            url=request.url,
            final_url=final_url,
            status=response.status,
            headers=response.headers,
            content_type=content_type.split(";")[0].strip().lower(),
            body=response.body,
            fetched_at=now,
            etag=response.headers.get("etag"),
            last_modified=response.headers.get("last-modified"),
            encoding=encoding,
        )

    def _get_with_retries(self, url: str, request: FetchRequest, headers: dict[str, str]) -> _Response:
        host = host_of(url)
        interval = self._interval(url, request.requests_per_second)
        attempts = self.settings.max_retries + 1
        for attempt in range(attempts):
            self.limiter.wait(host, interval)
            try:
                return self._get_once(url, request.expect, headers)
            except _Failed as failure:
                if failure.retry_after is None or attempt == attempts - 1:
                    raise
                if failure.retry_after > self.settings.max_retry_after:
                    raise _Failed(
                        failure.reason, f"Retry-After {failure.retry_after:.0f}s too long"
                    ) from None
                self.limiter.defer(host, max(failure.retry_after, self._backoff(attempt)))
        raise AssertionError("unreachable")  # pragma: no cover

    def _backoff(self, attempt: int) -> float:
        """Exponential backoff with full-range jitter so retrying threads do not stampede together."""
        ceiling = min(self.settings.backoff_max, self.settings.backoff_base * 2**attempt)
        return ceiling * (0.5 + random.random() / 2)

    def _get_once(self, url: str, expect: Expect, headers: dict[str, str]) -> _Response:
        """One GET. Retryable problems raise _Failed with ``retry_after`` set (0 = just back off)."""
        s = self.settings
        try:
            response = self._session.get(
                url,
                headers=headers,
                stream=True,
                allow_redirects=False,
                timeout=(s.connect_timeout, s.read_timeout),
            )
        except requests.Timeout as exc:
            raise _Failed("timeout", str(exc), retry_after=0) from exc
        except requests.RequestException as exc:
            raise _Failed("connection_error", str(exc), retry_after=0) from exc
        with response:
            status = response.status_code
            resp_headers = {k.lower(): v for k, v in response.headers.items()}
            if status != 200:
                _drain(response)
            if status in _RETRY_STATUSES:
                raise _Failed(
                    f"http_{status}", retry_after=_retry_after(resp_headers.get("retry-after")) or 0
                )
            if status != 200:
                return _Response(status, resp_headers, b"")
            _check_content_type(resp_headers.get("content-type", ""), expect)
            declared = resp_headers.get("content-length", "")
            if declared.isdigit() and int(declared) > s.max_bytes:
                raise _Failed("too_large", f"Content-Length {declared} > {s.max_bytes}")
            return _Response(status, resp_headers, self._read_body(response))

    def _read_body(self, response: requests.Response) -> bytes:
        s = self.settings
        deadline = time.monotonic() + s.max_fetch_seconds
        chunks: list[bytes] = []
        size = 0
        try:
            for chunk in response.iter_content(_CHUNK):
                size += len(chunk)
                if size > s.max_bytes:
                    raise _Failed("too_large", f"body over {s.max_bytes} bytes")
                if time.monotonic() > deadline:
                    raise _Failed("timeout", f"body took over {s.max_fetch_seconds}s", retry_after=0)
                chunks.append(chunk)
        except requests.exceptions.ChunkedEncodingError as exc:
            raise _Failed("truncated", str(exc), retry_after=0) from exc
        except requests.exceptions.ConnectionError as exc:
            if "timed out" in str(exc).lower():
                raise _Failed("timeout", str(exc), retry_after=0) from exc
            raise _Failed("connection_error", str(exc), retry_after=0) from exc
        except requests.exceptions.ContentDecodingError as exc:
            raise _Failed("decode_error", str(exc)) from exc
        return b"".join(chunks)

    def _interval(self, url: str, requests_per_second: float) -> float:
        """Seconds between requests to the URL's host: the source's rate or robots Crawl-delay, if longer."""
        interval = 1.0 / requests_per_second
        robots = self._robots.get(_robots_key(url))
        delay = robots.crawl_delay(self.settings.bot_name) if robots else None
        return max(interval, float(delay or 0))

    def _check_target(self, url: str, allowed_domains: Iterable[str], *, prefix: str) -> None:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise _Failed(f"{prefix}blocked", f"not an http(s) URL: {url}")
        host = parts.hostname.lower()
        literal = self._blocked_address(host, resolve=False)
        if literal:
            raise _Failed(f"{prefix}blocked", literal)
        if not in_domains(host, allowed_domains):
            raise _Failed(f"{prefix}offsite", f"{host} not in {sorted(allowed_domains)}")
        resolved = self._blocked_address(host, resolve=True)
        if resolved:
            raise _Failed(f"{prefix}blocked", resolved)

    def _blocked_address(self, host: str, *, resolve: bool) -> str | None:
        """Why ``host`` must not be contacted (loopback, private, link-local...), or None if it may."""
        try:
            addresses = [ipaddress.ip_address(host.strip("[]"))]
        except ValueError:
            if not resolve:
                return None
            if host in self._address_cache:
                return self._address_cache[host]
            try:
                infos = socket.getaddrinfo(host, None, proto=socket.IPPROTO_TCP)
            except OSError:
                return None  # unresolvable: the GET itself reports connection_error
            addresses = [ipaddress.ip_address(info[4][0]) for info in infos]
        verdict = None
        for address in addresses:
            if address.is_loopback:
                if not self.settings.allow_loopback:
                    verdict = f"{host} is a loopback address ({address})"
            elif not address.is_global:
                verdict = f"{host} is a non-public address ({address})"
        if resolve:
            self._address_cache[host] = verdict
        return verdict

    def _check_robots(self, url: str, request: FetchRequest) -> None:
        if not self.settings.obey_robots:
            return
        if not self.robots_allows(url, request.requests_per_second, request.allowed_domains):
            raise _Failed("robots_disallowed", url)

    def _robots_for(self, url: str, requests_per_second: float, allowed_domains: tuple[str, ...]) -> Protego:
        key = _robots_key(url)
        with self._robots_guard:
            if key in self._robots:
                return self._robots[key]
            lock = self._robots_locks.setdefault(key, threading.Lock())
        with lock:
            if key not in self._robots:
                self._robots[key] = self._download_robots(key, requests_per_second, allowed_domains)
            return self._robots[key]

    def _download_robots(
        self, origin: str, requests_per_second: float, allowed_domains: tuple[str, ...]
    ) -> Protego:
        """RFC 9309: a missing robots.txt (4xx) allows everything; an unreachable one (5xx) nothing."""
        url = origin + "/robots.txt"
        request = FetchRequest(url, requests_per_second, allowed_domains, expect="any")
        try:
            page = self._fetch_unchecked_robots(request)
        except _Failed as failure:
            client_error = failure.reason.startswith("http_4") or failure.reason.endswith("offsite")
            return Protego.parse("" if client_error else _DISALLOW_ALL)
        return Protego.parse(page.body.decode("utf-8", "replace"))

    def _fetch_unchecked_robots(self, request: FetchRequest) -> FetchedPage:
        """Fetch robots.txt itself: same safety checks, but no robots lookup (it is the lookup)."""
        self._check_target(request.url, request.allowed_domains, prefix="")
        current = request.url
        for _hop in range(self.settings.max_redirects + 1):
            response = self._get_with_retries(current, request, {})
            location = response.headers.get("location")
            if response.status not in _REDIRECT_STATUSES or not location:
                result = self._result(request, current, response)
                if not isinstance(result, FetchedPage):
                    raise _Failed("http_304")
                return result
            current = urljoin(current, location.strip())
            self._check_target(current, request.allowed_domains, prefix="redirect_")
        raise _Failed("redirect_loop")


def _drain(response: requests.Response) -> None:
    """Read a small error/redirect body so the kept-alive connection can be reused; skip big ones."""
    declared = response.headers.get("content-length", "")
    if declared.isdigit() and int(declared) <= _DRAIN_LIMIT:
        try:
            response.raw.read(_DRAIN_LIMIT)
        except (requests.RequestException, OSError, urllib3.exceptions.HTTPError):
            pass  # the connection is dropped instead: harmless


def _robots_key(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc.lower()}"


def _check_content_type(content_type: str, expect: Expect) -> None:
    """Refuse bodies we cannot use before downloading them (PDFs, images, archives under .html names)."""
    media = content_type.split(";")[0].strip().lower()
    if not media or expect == "any":
        return
    if expect == "html" and media not in _HTML_TYPES:
        raise _Failed("not_html", media)
    if expect == "text" and not (media.startswith("text/") or "xml" in media or media in _HTML_TYPES):
        raise _Failed("not_text", media)


def _retry_after(value: str | None) -> float | None:
    """Seconds from a Retry-After header (delta-seconds or HTTP date)."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, (when - datetime.now(UTC)).total_seconds())
