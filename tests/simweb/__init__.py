"""A simulated web on loopback for fetcher, discovery and scrape tests and for the scrape bench."""

from tests.simweb.server import LoggedRequest, RequestLog, SimResponse, SimSite, SimWeb, sequence
from tests.simweb.settings import (
    FAST,
    FAULT_ADDRESS,
    FEED_ADDRESS,
    LISTING_ADDRESS,
    SITEMAP_ADDRESS,
    SPARE_ADDRESS,
    TIMING_SLACK,
    UNSERVED_LOOPBACK,
)
from tests.simweb.sites import SiteSpec, bench_site, fault_site, feed_site, listing_site, sitemap_site

__all__ = [
    "FAST",
    "FAULT_ADDRESS",
    "FEED_ADDRESS",
    "LISTING_ADDRESS",
    "SITEMAP_ADDRESS",
    "SPARE_ADDRESS",
    "TIMING_SLACK",
    "UNSERVED_LOOPBACK",
    "LoggedRequest",
    "RequestLog",
    "SimResponse",
    "SimSite",
    "SimWeb",
    "SiteSpec",
    "bench_site",
    "fault_site",
    "feed_site",
    "listing_site",
    "sequence",
    "sitemap_site",
]
