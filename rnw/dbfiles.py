"""DuckDB database files that a killed run left before DuckDB finished creating them."""

from __future__ import annotations

import fcntl
import logging
from pathlib import Path

log = logging.getLogger(__name__)

# DuckDB writes a new database file's three header blocks (4 KiB each) before anything else, so a
# shorter file is one whose creation a kill cut short: it holds no data, and DuckDB refuses to open
# it ("not a valid DuckDB database file" at 0 bytes, "Could not read enough bytes" beyond).
HEADER_BYTES = 3 * 4096


def discard_unfinished(path: Path) -> bool:
    """Remove ``path`` when it is shorter than DuckDB's headers, no other process holds DuckDB's
    lock on it (one may be creating it right now) and no write-ahead log is beside it (a log means
    DuckDB had opened the file); returns whether it did. The next open makes the file again. The
    kill tests hit this for build.duckdb at 0 bytes and for raw.duckdb in CI."""
    wal = path.with_name(path.name + ".wal")
    try:
        if wal.exists() or path.stat().st_size >= HEADER_BYTES:
            return False
        with path.open("rb+") as file:
            fcntl.lockf(file, fcntl.LOCK_EX | fcntl.LOCK_NB)  # DuckDB locks a file it has open
            size = path.stat().st_size
            if size >= HEADER_BYTES:
                return False
            path.unlink()
    except (FileNotFoundError, BlockingIOError, PermissionError):
        return False
    log.warning("%s: %d bytes, left unfinished by a killed run; made again", path, size)
    return True
