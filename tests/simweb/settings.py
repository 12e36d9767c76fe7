"""Fetch settings and addresses for tests: short timeouts and backoffs keep fault tests quick."""

from scrapers.fetch import FetchSettings

LISTING_ADDRESS = "127.0.0.11"
FEED_ADDRESS = "127.0.0.12"
SITEMAP_ADDRESS = "127.0.0.13"
FAULT_ADDRESS = "127.0.0.14"
SPARE_ADDRESS = "127.0.0.15"
# Nothing listens here: a fetcher that followed a redirect to it would report connection_error.
UNSERVED_LOOPBACK = "127.0.0.2"

FAST = FetchSettings(
    allow_loopback=True,
    connect_timeout=0.5,
    read_timeout=0.3,
    max_fetch_seconds=3.0,
    max_bytes=1024 * 1024,
    max_retries=2,
    backoff_base=0.05,
    backoff_max=0.2,
    max_retry_after=5.0,
)
# Slack for comparing server arrival times with client-side slot spacing: a request on a new
# connection reaches a busy loopback server some tens of milliseconds after its slot.
TIMING_SLACK = 0.05
