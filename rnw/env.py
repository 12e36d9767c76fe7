"""Process environment that must be set before Prefect or dbt are imported.

Telemetry and update checks would try the network (which a scheduled run may not have) and leak
usage data; the ephemeral Prefect API needs more than its default 20 s to start on a busy 2-core box.
``setdefault`` keeps an operator's explicit choice.
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
}

for _key, _value in DEFAULTS.items():
    os.environ.setdefault(_key, _value)
