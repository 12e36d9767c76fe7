"""Read local files (HTML pages, plain-text dumps, web archives) into the raw store.

Backfills come as folders of saved pages in any encoding, or as WARC archives (``rnw.warc``).
Each file, and each HTTP response in an archive, becomes a raw page or a reject row with a reason;
nothing is skipped silently and nothing crashes the batch.
"""

from __future__ import annotations

import itertools
import mimetypes
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import partial
from pathlib import Path

from rnw.parallel import ordered_map, start_pool
from rnw.rawstore import AppendResult, RawPage, RawStore, Reject, sha256_hex
from rnw.settings import Settings
from rnw.warc import is_warc, read_warc
from scrapers.encoding import DecodeError, decode_bytes

SUPPORTED_SUFFIXES = {".txt", ".html", ".htm"}
# Pages (a file, or one response in an archive) larger than this are quarantined instead of read:
# no news page is 20 MB of text. Archives themselves have no size limit; they are streamed.
MAX_PAGE_BYTES = 20 * 1024 * 1024


class IngestError(ValueError):
    """A path given to ingest does not exist."""


@dataclass(frozen=True)
class IngestReport:
    files: int
    result: AppendResult


def iter_files(paths: Iterable[Path]) -> Iterator[Path]:
    """Files under ``paths`` in a stable order; unknown suffixes inside folders are skipped."""
    for path in paths:
        if not path.exists():
            raise IngestError(f"no such file or folder: {path}")
        if path.is_dir():
            yield from sorted(
                p
                for p in path.rglob("*")
                if p.is_file() and (p.suffix.lower() in SUPPORTED_SUFFIXES or is_warc(p))
            )
        else:
            yield path


def content_type_of(path: Path, text: str) -> str:
    """HTML is told by its markup, not its suffix: text dumps are sometimes saved as .html."""
    head = text[:2048].lower()
    if "<html" in head or "<!doctype html" in head or "<body" in head or "<text id=" in head:
        return "text/html"
    return (
        mimetypes.types_map.get(path.suffix.lower(), "text/plain")
        if path.suffix.lower() != ".txt"
        else "text/plain"
    )


def read_file(path: Path, source_id: str, run_id: str, now: datetime) -> RawPage | Reject:
    uri = path.resolve().as_uri()
    try:
        size = path.stat().st_size
        if size > MAX_PAGE_BYTES:
            return Reject(uri, source_id, "too_large", f"{size} bytes > {MAX_PAGE_BYTES}", now, run_id)
        if path.suffix.lower() not in SUPPORTED_SUFFIXES:
            return Reject(
                uri, source_id, "unsupported_type", f"suffix {path.suffix or '(none)'}", now, run_id
            )
        raw = path.read_bytes()
    except OSError as exc:
        return Reject(uri, source_id, "unreadable", str(exc), now, run_id)
    digest = sha256_hex(raw)
    if not raw.strip():
        return Reject(uri, source_id, "empty_file", f"{len(raw)} bytes of white space", now, run_id, digest)
    try:
        decoded = decode_bytes(raw)
    except DecodeError as exc:
        reason = "binary_content" if "binary" in str(exc) else "decode_error"
        return Reject(uri, source_id, reason, str(exc), now, run_id, digest)
    return RawPage(
        page_id=digest,
        source_id=source_id,
        uri=uri,
        fetched_at=now,
        http_status=None,
        http_headers=None,
        content_type=content_type_of(path, decoded.text),
        declared_charset=decoded.declared_charset,
        detected_encoding=decoded.encoding,
        raw_bytes=raw,
        text=decoded.text,
        run_id=run_id,
    )


def ingest_paths(
    store: RawStore,
    paths: Iterable[Path],
    *,
    source_id: str,
    run_id: str,
    batch_size: int = 200,
    progress: Callable[[int], None] | None = None,
) -> IngestReport:
    """Stage every file under ``paths`` for one source (see ``ingest_sources``)."""
    return ingest_sources(store, {source_id: paths}, run_id=run_id, batch_size=batch_size, progress=progress)


def ingest_sources(
    store: RawStore,
    sources: Mapping[str, Iterable[Path]],
    *,
    run_id: str,
    batch_size: int = 200,
    progress: Callable[[int], None] | None = None,
) -> IngestReport:
    """Stage every file under each source's paths, writing in batches so a kill loses at most one
    batch.

    The sources share one stream of files and one batcher: a nightly's 50 file sources with 20 new
    pages each make 5 appends of 200 pages, not 50 of 20 (each append is a transaction with its own
    commit, ~45 ms on a 100k-page store), and their files are decoded together (``ordered_map``:
    on the worker pool when decoding is costly enough).
    ``progress`` counts pages and rejects staged: one per file, one per HTTP response of an archive.
    """
    total = AppendResult()
    pages: list[RawPage] = []
    rejects: list[Reject] = []
    now = datetime.now(UTC)
    files = [(path, source_id) for source_id, paths in sources.items() for path in iter_files(paths)]
    plain = [item for item in files if not is_warc(item[0])]
    archives = [item for item in files if is_warc(item[0])]
    if len(files) >= Settings().parallel_min_rows:
        start_pool()  # the build that follows extracts this many pages on the pool
    # Decoding (charset detection) is the cost of a file.
    items: Iterable[RawPage | Reject] = itertools.chain(
        ordered_map(partial(_read_item, run_id=run_id, now=now), plain),
        *(read_warc(path, source_id, run_id, now, MAX_PAGE_BYTES) for path, source_id in archives),
    )
    for item in items:
        (pages if isinstance(item, RawPage) else rejects).append(item)
        if len(pages) + len(rejects) >= batch_size:
            total += store.append(pages, rejects)
            pages, rejects = [], []
        if progress:
            progress(1)
    if pages or rejects:
        total += store.append(pages, rejects)
    return IngestReport(files=len(files), result=total)


def _read_item(item: tuple[Path, str], run_id: str, now: datetime) -> RawPage | Reject:
    path, source_id = item
    return read_file(path, source_id, run_id, now)
