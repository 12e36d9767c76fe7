"""`rnw scrape` and `rnw run` against the simulated web: real HTTP on loopback, real DuckDB, dbt, Prefect."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import duckdb
import pytest
import yaml

from tests.simweb import (
    FEED_ADDRESS,
    LISTING_ADDRESS,
    SITEMAP_ADDRESS,
    SimWeb,
    SiteSpec,
    feed_site,
    listing_site,
    sitemap_site,
)
from tests.test_pipeline import rnw

pytestmark = pytest.mark.slow

FAST_FETCH = {
    "RNW_FETCH_ALLOW_LOOPBACK": "true",
    "RNW_FETCH_CONNECT_TIMEOUT": "0.5",
    "RNW_FETCH_READ_TIMEOUT": "1",
    "RNW_FETCH_BACKOFF_BASE": "0.05",
}


@pytest.fixture(scope="module")
def web() -> Iterator[tuple[SimWeb, list[SiteSpec]]]:
    with SimWeb() as sim:
        yield (
            sim,
            [
                listing_site(sim, LISTING_ADDRESS, rate=10.0),
                feed_site(sim, FEED_ADDRESS, rate=10.0),
                sitemap_site(sim, SITEMAP_ADDRESS, rate=10.0),
            ],
        )


@pytest.fixture(scope="module")
def sources_file(tmp_path_factory: pytest.TempPathFactory, web: tuple[SimWeb, list[SiteSpec]]) -> Path:
    _, specs = web
    path = tmp_path_factory.mktemp("simweb") / "sources.yml"
    entries = [s.source.model_dump(mode="json", exclude_defaults=True) for s in specs]
    path.write_text(yaml.safe_dump({"sources": entries}, allow_unicode=True), encoding="utf-8")
    return path


def test_run_builds_articles_from_simulated_sites_and_second_run_fetches_nothing(
    prefect_harness: None, tmp_path: Path, sources_file: Path, web: tuple[SimWeb, list[SiteSpec]], monkeypatch
) -> None:
    sim, specs = web
    for key, value in FAST_FETCH.items():
        monkeypatch.setenv(key, value)
    home = tmp_path / "var"
    sim.log.clear()
    result = rnw(home, "run", sources=sources_file)
    assert result.exit_code == 0, result.output
    expected = {(spec.source.id, path) for spec in specs for path in spec.articles}
    con = duckdb.connect(str(home / "warehouse.duckdb"), read_only=True)
    staged = con.execute("SELECT source_id, uri FROM staging.stg_raw__pages").fetchall()
    per_source = dict(
        con.execute(
            "SELECT source_id, count(DISTINCT article_id) FROM marts.fct_article_occurrences GROUP BY 1"
        ).fetchall()
    )
    rejects = Counter(r for (r,) in con.execute("SELECT reason FROM staging.stg_raw__rejects").fetchall())
    con.close()
    assert {(s, urlsplit(u).path) for s, u in staged} == expected, "every allowed article staged exactly once"
    assert len(staged) == len(expected)
    assert all(per_source.get(spec.source.id, 0) >= 1 for spec in specs), per_source
    assert rejects == {"robots_disallowed": sum(len(spec.forbidden) for spec in specs)}
    for spec in specs:
        assert not set(spec.forbidden) & set(sim.log.paths(spec.site.address))

    sim.log.clear()
    again = rnw(home, "scrape", sources=sources_file)
    assert again.exit_code == 0, again.output
    article_paths = {path for spec in specs for path in spec.articles}
    assert not article_paths & {p for spec in specs for p in sim.log.paths(spec.site.address)}
    assert "| ingest | pages new | 0 |" in again.output
