"""One pipeline run at a time per RNW_HOME.

A second ``rnw run`` (a manual run during the nightly one, or a schedule duplicated after a server
upgrade) must stop at once with who holds the lock, not interleave writes. The lock is a kernel
``flock``: it dies with its process, so a run killed with SIGKILL never leaves a lock that blocks
the next one; the pid and start time written into the file only serve the error message and the
"stale lock cleared" note.
"""

from __future__ import annotations

import fcntl
import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path


class RunLockedError(RuntimeError):
    """Another run holds the lock for this RNW_HOME."""


# Homes whose lock this process holds: the CLI takes the lock before Prefect starts (so a second
# run fails at once) and the flow it then runs takes it again, which must not deadlock.
_held: dict[Path, int] = {}


@contextmanager
def run_lock(home: Path, flow: str) -> Iterator[str | None]:
    """Hold the run lock; yields a note when a dead run's lock record was cleared, else None."""
    home = home.resolve()
    if _held.get(home):
        _held[home] += 1
        try:
            yield None
        finally:
            _held[home] -= 1
        return
    path = home / "run.lock"
    handle = open(path, "a+", encoding="utf-8")  # noqa: SIM115 (held for the whole run)
    try:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = _read(handle)
            raise RunLockedError(
                f"another run is active (pid {holder.get('pid', '?')}, started at {holder.get('started_at', '?')}, "
                f"flow {holder.get('flow', '?')})"
            ) from None
        previous = _read(handle)
        note = None
        if previous.get("pid") and previous.get("pid") != os.getpid():
            note = f"cleared stale lock of pid {previous['pid']} (started at {previous.get('started_at')})"
        handle.seek(0)
        handle.truncate()
        handle.write(
            json.dumps({"pid": os.getpid(), "started_at": datetime.now(UTC).isoformat(), "flow": flow})
        )
        handle.flush()
        _held[home] = 1
        try:
            yield note
        finally:
            _held.pop(home, None)
            handle.seek(0)
            handle.truncate()
            handle.flush()
            fcntl.flock(handle, fcntl.LOCK_UN)
    finally:
        handle.close()


def _read(handle) -> dict:
    handle.seek(0)
    try:
        return json.loads(handle.read() or "{}")
    except json.JSONDecodeError:
        return {}
