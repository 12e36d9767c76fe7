"""Read local files (HTML pages, plain-text dumps, web archives) into the raw store.

Backfills come as folders of saved pages in any encoding, or as WARC archives (``rnw.warc``).
Each file, and each HTTP response in an archive, becomes a raw page or a reject row with a reason;
nothing is skipped silently and nothing crashes the batch.
"""

from __future__ import annotations

import itertools
import mimetypes
import os
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import partial
from pathlib import Path

from rnw.parallel import ordered_map, start_pool
from rnw.rawstore import APPEND_BYTES, AppendResult, RawPage, RawStore, Reject, sha256_hex
from rnw.settings import Settings
from rnw.warc import is_warc, read_warc
from scrapers.encoding import DecodeError, decode_bytes

SUPPORTED_SUFFIXES = {".txt", ".html", ".htm"}
# Pages (a file, or one response in an archive) larger than this are quarantined instead of read:
# no news page is 10 MB of text, and a page is stored with its decoded text (up to 1.5 times the
# bytes from GBK), which DuckDB holds several times over while it inserts them: one page of 19 MB
# ran the raw store's insert out of its 160 MB cap (rnw.rawstore.APPEND_BYTES). The same limit as
# the fetcher's (scrapers.fetch). Archives themselves have no size limit; they are streamed.
MAX_PAGE_BYTES = 10 * 1024 * 1024


class IngestError(ValueError):
    """A path given to ingest does not exist."""


@dataclass(frozen=True)
class IngestReport:
    files: int
    result: AppendResult


def iter_files(paths: Iterable[Path]) -> Iterator[Path]:
    """Files under ``paths`` in a stable order (a folder's, that of its sorted paths); unknown
    suffixes inside folders are skipped.

    Folders are walked lazily, one folder's names at a time, so that a backfill of a folder of
    100k saved pages is not a list of 100k paths first."""
    for path in paths:
        must_exist(path)
        if path.is_dir():
            yield from _walk(path)
        else:
            yield path


def must_exist(path: Path) -> None:
    """Raise ``IngestError`` for a path given to ingest that is not there."""
    if not path.exists():
        raise IngestError(f"no such file or folder: {path}")


def _walk(folder: Path) -> Iterator[Path]:
    """The ingestible files under ``folder``, depth first with each folder's names sorted: the
    order of ``sorted(folder.rglob("*"))``, without holding every path."""
    with os.scandir(folder) as found:
        entries = sorted((entry.name, entry.is_dir()) for entry in found)
    for name, is_dir in entries:
        path = folder / name
        if is_dir:
            yield from _walk(path)
        elif path.is_file() and (path.suffix.lower() in SUPPORTED_SUFFIXES or is_warc(path)):
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
    """Stage every file under each source's paths, writing in batches (of ``batch_size`` files, or
    fewer holding ``APPEND_BYTES`` of raw bytes) so a kill loses at most one batch.

    The sources share one stream of files and one batcher: a nightly's 50 file sources with 20 new
    pages each make 5 appends of 200 pages, not 50 of 20 (each append is a transaction with its own
    commit, ~45 ms on a 100k-page store), and their files are decoded together (``ordered_map``:
    on the worker pool when decoding is costly enough).
    ``progress`` counts pages and rejects staged: one per file, one per HTTP response of an archive.
    """
    given = {source_id: list(paths) for source_id, paths in sources.items()}
    for path in itertools.chain.from_iterable(given.values()):  # a missing one fails before any is staged
        must_exist(path)
    total = AppendResult()
    pages: list[RawPage] = []
    rejects: list[Reject] = []
    now = datetime.now(UTC)
    listed = _Listing(given, Settings().bulk_build_pages)
    # Decoding (charset detection) is the cost of a file. Archives are read after the plain files,
    # which the listing has gone through by then.
    items: Iterable[RawPage | Reject] = itertools.chain(
        ordered_map(partial(_read_item, run_id=run_id, now=now), listed.plain()),
        (
            record
            for path, source_id in listed.archives
            for record in read_warc(path, source_id, run_id, now, MAX_PAGE_BYTES)
        ),
    )
    held = 0  # the batch's raw bytes: a folder of large files must not gather 200 of them in memory
    for item in items:
        if isinstance(item, RawPage):
            pages.append(item)
            held += len(item.raw_bytes)
        else:
            rejects.append(item)
        if len(pages) + len(rejects) >= batch_size or held >= APPEND_BYTES:
            total += store.append(pages, rejects)
            pages, rejects, held = [], [], 0
        if progress:
            progress(1)
    if pages or rejects:
        total += store.append(pages, rejects)
    return IngestReport(files=listed.files, result=total)


class _Listing:
    """The files of every source, listed as they are read: plain files streamed, archives (few)
    set aside for later, and a count. Listed up front, a 200k-page backfill held three lists of
    every file (32 MiB)."""

    def __init__(self, sources: Mapping[str, list[Path]], pool_from: int) -> None:
        self._sources = sources
        self._pool_from = pool_from
        self.archives: list[tuple[Path, str]] = []
        self.files = 0

    def plain(self) -> Iterator[tuple[Path, str]]:
        for source_id, paths in self._sources.items():
            for path in iter_files(paths):
                self.files += 1
                if self.files == self._pool_from:
                    start_pool()  # the build that follows extracts this many pages on the pool
                if is_warc(path):
                    self.archives.append((path, source_id))
                else:
                    yield path, source_id


def _read_item(item: tuple[Path, str], run_id: str, now: datetime) -> RawPage | Reject:
    path, source_id = item
    return read_file(path, source_id, run_id, now)
