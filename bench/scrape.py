"""Scrape throughput against the politeness ceiling, on simulated sites over loopback.

50 hosts (127.0.1.1-50), each answering with 50-200 ms latency and allowing 1 request/s: the most
a polite crawler can do is the sum of the per-host rates. The bench reports how close the scrape
loop gets (target >= 0.9) and whether any host ever saw requests faster than its rate.

    .venv/bin/python bench/scrape.py [--domains 50] [--seconds 20] [--rate 1.0]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # the repo root, for tests.simweb

from scrapers.fetch import Fetcher, FetchSettings
from scrapers.scrape import scrape_sources
from tests.simweb import SimWeb, bench_site

LATENCY = (0.05, 0.2)
TARGET = 0.9


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--domains", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=20.0, help="about how long each host is crawled")
    parser.add_argument("--rate", type=float, default=1.0, help="requests per second allowed per host")
    args = parser.parse_args()
    # robots.txt and the listing page take two of each host's requests; the rest are articles
    articles = max(1, int(args.seconds * args.rate) - 1)
    settings = FetchSettings(allow_loopback=True, max_retries=1, backoff_base=0.2)
    pages = 0

    def count(batch: list) -> None:
        nonlocal pages
        pages += len(batch)

    with SimWeb() as web:
        specs = [bench_site(web, i, articles, LATENCY, args.rate) for i in range(args.domains)]
        started = time.monotonic()
        with Fetcher(settings) as fetcher:
            stats = scrape_sources(
                [s.source for s in specs],
                fetcher,
                known_urls=lambda _source: set(),
                on_pages=lambda _source, batch: count(batch),
                on_failures=lambda _source, _batch: None,
                max_parallel_sources=args.domains,
            )
        wall = time.monotonic() - started
        per_host = []
        worst_deficit = 0.0
        for spec in specs:
            arrivals = sorted(e.at for e in web.log.entries(spec.site.address))
            span = arrivals[-1] - arrivals[0]
            per_host.append((len(arrivals) - 1) / span if span > 0 else 0.0)
            worst_deficit = max(worst_deficit, web.log.rate_deficit(spec.site.address, 1 / args.rate))
        total_requests = len(web.log.entries())
    ceiling = args.rate * args.domains
    achieved = sum(per_host)
    report = {
        "domains": args.domains,
        "rate_per_domain": args.rate,
        "latency_s": LATENCY,
        "articles_per_domain": articles,
        "wall_seconds": round(wall, 2),
        "requests": total_requests,
        "article_pages": pages,
        "failures": sum(s.failed + s.discovery_failures for s in stats),
        "politeness_ceiling_rps": ceiling,
        "achieved_rps_steady": round(achieved, 2),
        "ratio_steady": round(achieved / ceiling, 3),
        "slowest_host_ratio": round(min(per_host) / args.rate, 3),
        "achieved_rps_wall": round(total_requests / wall, 2),
        "ratio_wall": round(total_requests / wall / ceiling, 3),
        "article_pages_per_s": round(pages / wall, 2),
        "worst_rate_deficit_s": round(worst_deficit, 3),
    }
    print(json.dumps(report, indent=2))
    return 0 if report["ratio_steady"] >= TARGET and report["failures"] == 0 else 1


if __name__ == "__main__":
    raise SystemExit(main())
