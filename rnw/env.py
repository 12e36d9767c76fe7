"""Process environment that must be set before Prefect, dbt or DuckDB are imported.

Telemetry and update checks would try the network (which a scheduled run may not have) and leak
usage data; the ephemeral Prefect API needs more than its default 20 s to start on a busy 2-core box.
DuckDB's allocator (jemalloc, linked into DuckDB on Linux and configured once, when DuckDB loads)
by default keeps freed pages for about ten seconds before giving them back. A build that streams
gigabytes through the buffer cache frees and reallocates blocks all the time: at 100k pages the
kept pages took the dbt process from 940 MB to 1,317 MB during extraction. Given back at once,
a full build's tree peaked at 1,373-1,482 MB; kept 250 ms or a second, at 1,518-1,565 MB. The price
is page faults: a 100k nightly's dbt build took 29-31 s against 22-25 s (bench/RESULTS.md, tenth
session). ``setdefault`` keeps an operator's explicit choice.
"""

from __future__ import annotations

import os

DEFAULTS = {
    "DO_NOT_TRACK": "1",
    "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
    "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS": "180",
    "PREFECT_UI_ENABLED": "false",
    "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
    "DBT_VERSION_CHECK": "false",
    "DUCKDB_JE_MALLOC_CONF": "dirty_decay_ms:0,muzzy_decay_ms:0",
}

for _key, _value in DEFAULTS.items():
    os.environ.setdefault(_key, _value)
