"""Process environment that must be set before Prefect, dbt or DuckDB are imported.

Telemetry and update checks would try the network (which a scheduled run may not have) and leak
usage data; the ephemeral Prefect API needs more than its default 20 s to start on a busy 2-core box.

DuckDB's allocator (jemalloc, linked into DuckDB on Linux) reads its setting once, when DuckDB
loads, and no setting suits every build:
- A bulk build (from nothing, ``--full-refresh``, a large backfill) streams gigabytes through the
  buffer cache, freeing and reallocating blocks all the time. Freed pages kept even 250 ms or a
  second took a 100k-page build's process tree to 1,518-1,565 MB; given back at once, 1,373-1,482 MB.
- A nightly build of a few new pages pays for giving pages back at once in page faults: its dbt
  build took 22-23 s against 16-18 s with freed pages kept a second and purged by jemalloc's
  background thread (which also returns an idle process's pages without waiting for an allocation).
So a process loads DuckDB with ``ALLOCATOR_STEADY`` unless it knows before DuckDB loads that it
will make a bulk build (``use_bulk_allocator``: ``rnw build`` on an empty home, ``--full-refresh``);
a bulk build found later (a large backfill) runs in a process of its own loaded with
``ALLOCATOR_BULK`` (``rnw.build``; bench/RESULTS.md, eleventh session). ``setdefault`` keeps an
operator's explicit choice, and rnw then never overrides it.
"""

from __future__ import annotations

import os
import sys

ALLOCATOR_VARIABLE = "DUCKDB_JE_MALLOC_CONF"
ALLOCATOR_STEADY = "dirty_decay_ms:1000,muzzy_decay_ms:1000,background_thread:true"
ALLOCATOR_BULK = "dirty_decay_ms:0,muzzy_decay_ms:0"

DEFAULTS = {
    "DO_NOT_TRACK": "1",
    "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
    "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS": "180",
    "PREFECT_UI_ENABLED": "false",
    "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
    "DBT_VERSION_CHECK": "false",
    ALLOCATOR_VARIABLE: ALLOCATOR_STEADY,
}

# The allocator setting the operator (or a parent process) chose; None when rnw chooses.
_CHOSEN_ALLOCATOR = os.environ.get(ALLOCATOR_VARIABLE)

for _key, _value in DEFAULTS.items():
    os.environ.setdefault(_key, _value)


def use_bulk_allocator() -> bool:
    """Have this process load DuckDB with ``ALLOCATOR_BULK``, if DuckDB has not loaded yet and the
    setting is rnw's to choose; returns whether it did."""
    if _CHOSEN_ALLOCATOR is None and "duckdb" not in sys.modules:
        os.environ[ALLOCATOR_VARIABLE] = ALLOCATOR_BULK
        return True
    return False


def bulk_builds_need_own_process() -> bool:
    """Whether a bulk build must run in a new process: this one loads DuckDB with rnw's steady default."""
    return _CHOSEN_ALLOCATOR is None and os.environ.get(ALLOCATOR_VARIABLE) == ALLOCATOR_STEADY
