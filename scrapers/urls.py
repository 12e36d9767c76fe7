"""URL rules shared by discovery and fetching: one canonical form per page, domain scope, URL dates.

The same article is linked as ``http://Site.com:80/a.html?b=2&a=1#top`` from one listing and
``http://site.com/a.html?a=1&b=2&utm_source=rss`` from the feed; without one canonical form it is
fetched twice and stored twice, and "known URL reached" stop conditions never fire.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

from w3lib.url import canonicalize_url

# Query parameters that only say where a click came from; the page is the same without them.
# Kept short on purpose: dropping a parameter that does select content would merge two pages.
TRACKING_PARAMS = frozenset(
    {"utm_source", "utm_medium", "utm_campaign", "utm_term", "utm_content", "spm", "fr"}
)
_DEFAULT_PORTS = {"http": 80, "https": 443}

# Used when a source gives no date_pattern: the URL shapes Chinese news CMSs use for dated paths
# (/2024-05/10/, /202405/10/, /20240510/, /2024/05/10/, 2024-05-10).
DEFAULT_DATE_PATTERNS = (
    r"(?<!\d)(?P<year>(?:19|20)\d\d)[-/_](?P<month>[01]?\d)[-/_](?P<day>[0-3]?\d)(?!\d)",
    r"(?<!\d)(?P<year>(?:19|20)\d\d)(?P<month>[01]\d)[/_-]?(?P<day>[0-3]\d)(?!\d)",
    r"(?P<year>(?:19|20)\d\d)年(?P<month>[01]?\d)月(?P<day>[0-3]?\d)日",
)


def normalize_url(url: str, base: str | None = None) -> str | None:
    """The canonical form of ``url`` (resolved against ``base``), or None if it is not a web page URL."""
    url = url.strip()
    if not url or url.startswith(("javascript:", "mailto:", "tel:", "data:", "#")):
        return None
    absolute = urljoin(base, url) if base else url
    parts = urlsplit(absolute)
    if parts.scheme not in _DEFAULT_PORTS or not parts.hostname:
        return None
    host = parts.hostname.lower().rstrip(".")
    netloc = host if parts.port in (None, _DEFAULT_PORTS[parts.scheme]) else f"{host}:{parts.port}"
    query = urlencode(
        [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k not in TRACKING_PARAMS]
    )
    cleaned = urlunsplit((parts.scheme, netloc, parts.path or "/", query, ""))
    return canonicalize_url(cleaned, keep_fragments=False)


def host_of(url: str) -> str:
    """Lower-case host name without port: the key for politeness (rate limit, robots) and scope."""
    return (urlsplit(url).hostname or "").lower().rstrip(".")


def in_domains(host: str, domains: Iterable[str]) -> bool:
    """True when ``host`` is one of ``domains`` or a subdomain of one."""
    host = host.lower()
    return any(host == d or host.endswith("." + d) for d in (d.lower().lstrip(".") for d in domains))


def scope_domains(allowed_domains: Iterable[str], start_urls: Iterable[str]) -> list[str]:
    """The domains a source may be fetched from: its explicit list, else the hosts of its start URLs."""
    explicit = [d.lower() for d in allowed_domains if d]
    return explicit or sorted({host_of(u) for u in start_urls if host_of(u)})


def extract_date(text: str, pattern: str | None = None) -> date | None:
    """The first plausible date in ``text``.

    ``pattern`` is a source's ``date_pattern``: a regex with named groups ``year``, ``month`` and
    optionally ``day`` (or three positional groups in that order). Without one, the common
    URL/listing shapes above are tried.
    """
    for candidate in (pattern,) if pattern else DEFAULT_DATE_PATTERNS:
        for match in re.finditer(candidate, text):
            groups = match.groupdict() or {}
            if groups.get("year"):
                year, month, day = groups["year"], groups.get("month"), groups.get("day") or "1"
            elif len(match.groups()) >= 2:
                year, month, day = (list(match.groups()) + ["1"])[:3]
            else:
                continue
            try:
                return date(int(year), int(month or 1), int(day))
            except ValueError:
                continue
    return None
