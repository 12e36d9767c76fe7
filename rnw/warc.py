"""Read web archives (WARC files, ``.warc`` or ``.warc.gz``) as raw pages.

A backfill can come from a web archive (Common Crawl News, a site's own export) as well as from
live sites. Each HTTP ``response`` record becomes a raw page exactly as if it had been fetched then:
its original URL, the WARC-Date as fetch time, the HTTP status and headers. Other record types
(requests, metadata, warcinfo, revisits, ``dns:`` lookups) carry no page and are skipped; a record
whose header is damaged where it says what the record is (an unknown type, a target that is no
URI, a date that does not parse) is a ``warc_bad_record`` reject.

Archives are many gigabytes, so records are streamed one at a time and a body is read only when
it will be kept, never more than ``max_body_bytes`` of it. Archives also arrive damaged (a
download cut short, a bad disk): whatever was read before the damage is kept and the damage
becomes one ``warc_corrupt`` reject naming where it was found; nothing raises.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

from warcio.archiveiterator import WARCIterator
from warcio.recordloader import ArcWarcRecord
from warcio.timeutils import iso_date_to_datetime

from rnw.rawstore import RawPage, Reject, headers_json, sha256_hex
from scrapers.encoding import DecodeError, charset_from_content_type, decode_bytes

WARC_SUFFIXES = (".warc", ".warc.gz")
# Media types that hold a page. A response without a Content-Type is kept and its bytes decide.
PAGE_MEDIA_TYPES = frozenset({"text/html", "application/xhtml+xml", "text/plain"})
_HTTP_SCHEMES = ("http://", "https://")
# The record types of WARC 1.0 and 1.1: another is a damaged header, not a record to skip.
WARC_TYPES = frozenset(
    {"warcinfo", "response", "resource", "request", "metadata", "revisit", "conversion", "continuation"}
)
_CHUNK = 64 * 1024
# warcio's error messages can span lines or quote binary garbage; a reject detail keeps this much.
_MAX_DETAIL = 300


def is_warc(path: Path) -> bool:
    return path.name.lower().endswith(WARC_SUFFIXES)


def read_warc(
    path: Path, source_id: str, run_id: str, now: datetime, max_body_bytes: int
) -> Iterator[RawPage | Reject]:
    """Every HTTP response in the archive at ``path`` as a raw page or a reject, in archive order.

    Pages and HTTP rejects carry their WARC-Date; ``now`` stamps rejects that have none to trust
    (damage, a bad date). The generator holds one record at a time, so memory does not grow with
    the archive.
    """
    archive = path.resolve().as_uri()
    records_read = 0
    try:
        with path.open("rb") as fh:
            records = WARCIterator(fh, check_digests=True)
            while True:
                try:
                    record = next(records)
                except StopIteration:
                    break
                except Exception as exc:  # noqa: BLE001 - warcio raises many types on damaged input
                    where = f"after {records_read} records, at byte {records.offset}"
                    yield Reject(archive, source_id, "warc_corrupt", _detail(where, exc), now, run_id)
                    return
                records_read += 1
                headers = record.rec_headers
                if not headers.get_header("WARC-Type") or headers.get_header("Content-Length") is None:
                    # A header cut short (a download that stopped early) parses as a record that lacks
                    # the fields every WARC record must have.
                    where = f"record {records_read}, at byte {records.offset}"
                    detail = f"{where}: header cut short (no WARC-Type or Content-Length)"
                    yield Reject(archive, source_id, "warc_corrupt", detail, now, run_id)
                    return
                item = _read_record(record, archive, source_id, run_id, now, max_body_bytes)
                _drain(record)
                missing = getattr(record.raw_stream, "limit", 0)
                if missing > 0:
                    detail = (
                        f"record {records_read} ({_target(record) or record.rec_type}) truncated: "
                        f"{missing} of {record.length} bytes missing, at byte {records.offset}"
                    )
                    yield Reject(archive, source_id, "warc_corrupt", detail, now, run_id)
                    return
                damage = [p for p in record.digest_checker.problems if p.startswith("block digest")]
                if damage and item is not None:
                    yield Reject(
                        item.uri, source_id, "warc_corrupt", f"{damage[0]} in {archive}", now, run_id
                    )
                elif item is not None:
                    yield item
        if records_read == 0:
            size = path.stat().st_size
            reason = "empty_file" if size == 0 or _is_empty_gzip(path) else "warc_corrupt"
            yield Reject(archive, source_id, reason, f"no WARC record in {size} bytes", now, run_id)
    except OSError as exc:
        yield Reject(archive, source_id, "unreadable", str(exc), now, run_id)


def _is_empty_gzip(path: Path) -> bool:
    import gzip

    try:
        with gzip.open(path, "rb") as fh:
            return fh.read(1) == b""
    except (OSError, EOFError):
        return False


def _read_record(
    record: ArcWarcRecord, archive: str, source_id: str, run_id: str, now: datetime, max_body_bytes: int
) -> RawPage | Reject | None:
    """One record as a page or a reject; None for records that carry no web page.

    A header damaged where it says what the record is (its type, its target, its date) is a
    reject: skipped, a damaged archive could leave no trace at all."""
    uri = _target(record)
    if record.rec_type not in WARC_TYPES:
        return Reject(
            uri or archive,
            source_id,
            "warc_bad_record",
            _header_detail("WARC-Type", record.rec_type),
            now,
            run_id,
        )
    if record.rec_type != "response":
        return None
    if not uri.lower().startswith(_HTTP_SCHEMES):
        if uri.isprintable() and ":" in uri:  # dns: and other lookups an archive keeps beside pages
            return None
        return Reject(
            archive, source_id, "warc_bad_record", _header_detail("WARC-Target-URI", uri), now, run_id
        )
    warc_date = record.rec_headers.get_header("WARC-Date") or ""
    try:
        fetched_at = iso_date_to_datetime(warc_date, tz_aware=True)
    except (ValueError, TypeError, OverflowError):  # warcio's parse of a damaged date
        return Reject(uri, source_id, "warc_bad_record", _header_detail("WARC-Date", warc_date), now, run_id)
    http = record.http_headers
    status = http.get_statuscode() if http is not None else None
    if status is None or not status.isdigit():
        return Reject(uri, source_id, "warc_bad_record", f"HTTP status {status!r}", fetched_at, run_id)
    if not 200 <= int(status) < 300:
        return Reject(uri, source_id, f"http_{status}", None, fetched_at, run_id)
    content_type = http.get_header("Content-Type") or ""
    media = content_type.split(";")[0].strip().lower() or None
    if media is not None and media not in PAGE_MEDIA_TYPES:
        return Reject(uri, source_id, "not_html", media, fetched_at, run_id)
    try:
        # content_stream undoes chunked transfer and gzip/deflate content encoding.
        body = record.content_stream().read(max_body_bytes + 1)
    except Exception as exc:  # noqa: BLE001 - a broken payload spoils this record, not the archive
        return Reject(uri, source_id, "warc_corrupt", _detail("payload", exc), fetched_at, run_id)
    if len(body) > max_body_bytes:
        return Reject(uri, source_id, "too_large", f"body > {max_body_bytes} bytes", fetched_at, run_id)
    digest = sha256_hex(body)
    try:
        decoded = decode_bytes(body, charset_from_content_type(content_type))
    except DecodeError as exc:
        return Reject(uri, source_id, "decode_error", str(exc), fetched_at, run_id, digest)
    return RawPage(
        page_id=digest,
        source_id=source_id,
        uri=uri,
        fetched_at=fetched_at,
        http_status=int(status),
        http_headers=headers_json(_headers(record)),
        content_type=media,
        declared_charset=decoded.declared_charset,
        detected_encoding=decoded.encoding,
        raw_bytes=body,
        text=decoded.text,
        run_id=run_id,
    )


def _target(record: ArcWarcRecord) -> str:
    return (record.rec_headers.get_header("WARC-Target-URI") or "").strip()


def _headers(record: ArcWarcRecord) -> dict[str, str]:
    """Lower-case names (as the live fetcher stores them); repeated headers joined as HTTP allows."""
    merged: dict[str, str] = {}
    for name, value in record.http_headers.headers:
        key = name.lower()
        merged[key] = f"{merged[key]}, {value}" if key in merged else value
    return merged


def _drain(record: ArcWarcRecord) -> None:
    """Read the rest of the record so its length and block digest can be checked."""
    while record.raw_stream.read(_CHUNK):
        pass


def _header_detail(name: str, value: str) -> str:
    return f"{name} {value!r}"[:_MAX_DETAIL]


def _detail(where: str, exc: Exception) -> str:
    message = re.sub(r"\s+", " ", str(exc)).strip()
    message = "".join(ch if ch.isprintable() else "?" for ch in message)
    return f"{where}: {type(exc).__name__}: {message}"[:_MAX_DETAIL]
