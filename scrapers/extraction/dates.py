"""Publication dates from Chinese pages: meta tags, JSON-LD, datelines in the text, URL paths.

Naive times are Beijing time (every source here is a Chinese site); aware ones are converted to it.
"""

from __future__ import annotations

import json
import re
from datetime import datetime
from zoneinfo import ZoneInfo

from lxml import etree

SHANGHAI = ZoneInfo("Asia/Shanghai")
MIN_YEAR, MAX_YEAR = 1990, 2035

DATE_IN_TEXT = re.compile(
    r"(?P<y>(?:19|20)\d{2})\s*(?:年|[-/.])\s*(?P<m>\d{1,2})\s*(?:月|[-/.])\s*(?P<d>\d{1,2})\s*日?"
    r"(?:\s*(?:T|\s)?\s*(?P<H>\d{1,2})\s*[:：时]\s*(?P<M>\d{1,2})(?:\s*[:：分]\s*(?P<S>\d{1,2}))?)?"
)
_URL_DATE = re.compile(
    r"(?<!\d)(?P<y>(?:19|20)\d{2})(?:[-_/]?)(?P<m>0[1-9]|1[0-2])(?:[-_/]?)/?(?P<d>0[1-9]|[12]\d|3[01])(?!\d)"
)
_ISO_OFFSET = re.compile(r"(?:Z|[+-]\d{2}:?\d{2})$")
# meta name/property/itemprop values that carry the publication time, best first.
META_DATE_KEYS = (
    "article:published_time",
    "og:article:published_time",
    "og:release_date",
    "datepublished",
    "publishdate",
    "pubdate",
    "publish_date",
    "publishtime",
    "dc.date.issued",
    "dc.date",
    "dcterms.created",
    "weibo:article:create_at",
    "firstpublishedtime",
)


def _build(match: re.Match[str]) -> datetime | None:
    parts = match.groupdict()
    try:
        year, month, day = int(parts["y"]), int(parts["m"]), int(parts["d"])
        hour = int(parts.get("H") or 0)
        minute = int(parts.get("M") or 0)
        second = int(parts.get("S") or 0)
        if not MIN_YEAR <= year <= MAX_YEAR:
            return None
        return datetime(year, month, day, hour, minute, second, tzinfo=SHANGHAI)
    except (TypeError, ValueError):
        return None


def parse_date_text(text: str) -> datetime | None:
    """The first valid date in ``text`` (ISO strings with offsets are converted to Beijing time)."""
    stripped = text.strip()
    if _ISO_OFFSET.search(stripped):
        try:
            return datetime.fromisoformat(stripped).astimezone(SHANGHAI)
        except ValueError:
            pass
    for match in DATE_IN_TEXT.finditer(text):
        found = _build(match)
        if found:
            return found
    return None


def date_from_meta(root: etree._Element) -> datetime | None:
    found: dict[str, str] = {}
    for meta in root.iter("meta"):
        key = (meta.get("property") or meta.get("name") or meta.get("itemprop") or "").strip().lower()
        if key in META_DATE_KEYS and meta.get("content"):
            found.setdefault(key, meta.get("content"))
    for key in META_DATE_KEYS:
        if key in found:
            parsed = parse_date_text(found[key])
            if parsed:
                return parsed
    return None


def date_from_json_ld(root: etree._Element) -> datetime | None:
    for script in root.iter("script"):
        if (script.get("type") or "").lower() != "application/ld+json" or not script.text:
            continue
        try:
            data = json.loads(script.text)
        except ValueError:
            continue
        for item in data if isinstance(data, list) else [data]:
            if isinstance(item, dict):
                value = item.get("datePublished") or item.get("pubDate") or item.get("dateCreated")
                parsed = parse_date_text(str(value)) if value else None
                if parsed:
                    return parsed
    return None


def date_from_url(url: str | None) -> datetime | None:
    if not url:
        return None
    for match in _URL_DATE.finditer(url):
        found = _build(match)
        if found:
            return found
    return None
