"""Operations: deployments on a real Prefect server, backfills, incremental builds, the run lock and
kill-and-rerun convergence, all with real subprocesses, DuckDB files, dbt and Prefect."""

from __future__ import annotations

import asyncio
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from datetime import UTC, date, datetime
from pathlib import Path
from urllib.parse import urlsplit

import duckdb
import pytest
import yaml
from prefect.settings import PREFECT_API_URL, temporary_settings

from rnw.checksums import mart_checksums
from rnw.runlock import run_lock
from rnw.settings import REPO_ROOT
from tests.duckdb_caps import memory_cap, shown_cap
from tests.simweb import LISTING_ADDRESS, SITEMAP_ADDRESS, SimWeb, listing_site, sitemap_site
from tests.test_pipeline import rnw
from tests.test_scrape_pipeline import FAST_FETCH

pytestmark = pytest.mark.slow
EXAMPLES = REPO_ROOT / "examples" / "pages"


async def _deployment(url: str, name: str):
    from prefect.client.orchestration import get_client

    async with get_client() as client:
        deployment = await client.read_deployment_by_name(name)
        runs = await client.read_flow_runs()
        return deployment, [r for r in runs if r.deployment_id == deployment.id]


def test_deployments_and_schedule_on_a_real_server(prefect_server: str, tmp_path: Path, monkeypatch) -> None:
    from flows.deployments import deployments

    with temporary_settings(updates={PREFECT_API_URL: prefect_server}):
        for deployment in deployments():
            deployment.apply()
        nightly, _ = asyncio.run(_deployment(prefect_server, "nightly/nightly"))
        backfill, _ = asyncio.run(_deployment(prefect_server, "backfill/backfill"))
        ingest, _ = asyncio.run(_deployment(prefect_server, "ingest_files/ingest"))
        (schedule,) = nightly.schedules
        assert (schedule.schedule.cron, schedule.schedule.timezone) == ("0 2 * * *", "Asia/Shanghai")
        assert nightly.global_concurrency_limit is not None and nightly.global_concurrency_limit.limit == 1
        assert {"start_date", "end_date", "sources"} <= set(backfill.parameter_openapi_schema["properties"])
        assert "paths" in ingest.parameter_openapi_schema["properties"]

        monkeypatch.setenv("PREFECT_API_URL", prefect_server)
        result = rnw(tmp_path / "var", "backfill", "--start", "2024-05-01", "--end", "2024-05-09")
        assert result.exit_code == 0, result.output
        assert "triggered backfill flow run" in result.output
        _, runs = asyncio.run(_deployment(prefect_server, "backfill/backfill"))
        assert [(r.parameters["start_date"], r.parameters["end_date"]) for r in runs] == [
            ("2024-05-01", "2024-05-09")
        ]


def test_backfill_stages_exactly_the_pages_in_its_window(
    prefect_harness: None, tmp_path: Path, monkeypatch
) -> None:
    monkeypatch.delenv("PREFECT_API_URL", raising=False)
    for key, value in FAST_FETCH.items():
        monkeypatch.setenv(key, value)
    start, end = date(2024, 5, 3), date(2024, 5, 7)
    with SimWeb() as sim:
        specs = [listing_site(sim, LISTING_ADDRESS, rate=20.0), sitemap_site(sim, SITEMAP_ADDRESS, rate=20.0)]
        sources = tmp_path / "sources.yml"
        entries = [s.source.model_dump(mode="json", exclude_defaults=True) for s in specs]
        sources.write_text(yaml.safe_dump({"sources": entries}, allow_unicode=True), encoding="utf-8")
        result = rnw(tmp_path / "var", "backfill", "--start", f"{start}", "--end", f"{end}", sources=sources)
        assert result.exit_code == 0, result.output
    expected = {
        (spec.source.id, path)
        for spec in specs
        for path, day in spec.article_dates.items()
        if start <= day <= end
    }
    assert expected and len(expected) < sum(len(s.article_dates) for s in specs)
    con = duckdb.connect(str(tmp_path / "var" / "raw.duckdb"), read_only=True)
    staged = {(s, urlsplit(u).path) for s, u in con.execute("SELECT source_id, uri FROM pages").fetchall()}
    con.close()
    assert staged == expected


def test_incremental_build_equals_full_refresh(
    examples_warehouse: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The full refresh also runs extraction and enrichment on the worker pool (rnw.parallel), so
    this compares in-process against pooled output too."""
    home = tmp_path / "var"
    shutil.copytree(examples_warehouse, home, ignore=shutil.ignore_patterns("run.lock", "build.lock"))
    corpus = sorted((REPO_ROOT / "tests" / "fixtures" / "extraction").glob("*.html"))
    articles_before = _article_ids(home / "warehouse.duckdb")
    assert rnw(home, "ingest", *map(str, corpus)).exit_code == 0
    incremental = rnw(home, "build")
    assert incremental.exit_code == 0, incremental.output
    after_incremental = mart_checksums(home / "warehouse.duckdb")
    staging_after_incremental = mart_checksums(home / "warehouse.duckdb", ("staging",))
    new_articles = _article_ids(home / "warehouse.duckdb") - articles_before
    compiled = (
        home / "dbt_target" / "compiled" / "rnw" / "models" / "marts" / "topics" / "fct_article_topics.sql"
    )
    [listed] = re.findall(r"article_id in \(([^)]*)\)", compiled.read_text(encoding="utf-8"))
    assert new_articles and set(re.findall(r"'([0-9a-f]+)'", listed)) == new_articles, (
        "reads new articles only"
    )
    assert _built_reference(home) == 0, "unchanged seeds and what is built from them alone are skipped"
    assert _tests_skipped_with_a_read_node(home) == set(), "a test also reading a built model runs"
    with duckdb.connect(str(home / "build_marts.duckdb"), read_only=True) as con:
        unverified = con.sql(
            "SELECT model, count(*) FROM ledger.article_inputs WHERE NOT verified GROUP BY 1"
        )
        assert unverified.fetchall() == [], "a passing nightly verifies the articles it added"
    with duckdb.connect(str(home / "build.duckdb"), read_only=True) as con:
        leftovers = con.sql("SELECT table_name FROM duckdb_tables() WHERE contains(table_name, '__dbt_tmp')")
        assert leftovers.fetchall() == [], "incremental Python models must not leave tables behind"
    monkeypatch.setenv("RNW_WORKERS", "2")
    monkeypatch.setenv("RNW_PARALLEL_MIN_ROWS", "1")
    full = rnw(home, "build", "--full-refresh")  # also remakes the staging tables (rnw.publish)
    assert full.exit_code == 0, full.output
    assert mart_checksums(home / "warehouse.duckdb") == after_incremental
    assert mart_checksums(home / "warehouse.duckdb", ("staging",)) == staging_after_incremental
    assert after_incremental["marts.dim_articles"][0] > 7
    assert _built_reference(home) > 0, "a full refresh builds them"


@pytest.mark.parametrize("steady_workers", ["1", None])
def test_the_worker_pool_stops_once_its_last_model_has_run(
    examples_warehouse: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, steady_workers: str | None
) -> None:
    """Idle workers and their fork server hold the extractors' and enrichers' data: a build stops
    them when the last model that declares it uses them (config meta ``worker_pool``) has finished,
    and the models and tests after it run without. By default a steady build (a nightly) runs its
    models on the pool, whose workers are forked warm before the first model needs them, so the
    dbt process loads none of it. With ``steady_build_workers`` 1 it runs them in the dbt process,
    which loads what they need while dbt starts."""
    from rnw import build, parallel
    from tests.test_parallel import ENRICHERS, _loaded

    home = tmp_path / "var"
    shutil.copytree(examples_warehouse, home, ignore=shutil.ignore_patterns("run.lock", "build.lock"))
    corpus = sorted((REPO_ROOT / "tests" / "fixtures" / "extraction").glob("*.html"))
    assert rnw(home, "ingest", *map(str, corpus)).exit_code == 0
    monkeypatch.setenv("RNW_WORKERS", "2")
    monkeypatch.setenv("RNW_PARALLEL_MIN_ROWS", "1")
    if steady_workers:
        monkeypatch.setenv("RNW_STEADY_BUILD_WORKERS", steady_workers)
    monkeypatch.setattr(parallel, "_pool", None)  # a pool of this build's own
    warmed: list[bool] = []
    warm = build.warm_dbt_process
    monkeypatch.setattr(build, "warm_dbt_process", lambda: warmed.append(True) or warm())
    stops: list[tuple[datetime, bool]] = []
    stop = build.stop_pool

    def recorded_stop() -> None:
        stops.append((datetime.now(UTC), parallel._pool is not None))
        stop()

    monkeypatch.setattr(build, "stop_pool", recorded_stop)
    order: list[str] = []  # the server loads on the other core while dbt loads and parses
    start, parse = build.start_pool, build._parse
    monkeypatch.setattr(build, "start_pool", lambda workers: order.append("start_pool") or start(workers))
    monkeypatch.setattr(build, "_parse", lambda *args: order.append("parse") or parse(*args))
    loaded_at_dedup: list[list[str]] = []

    class Watching(build.PoolRelease):
        """Also asks the workers what they have loaded as the deduplication starts."""

        def __call__(self, event) -> None:
            if event.info.name == "NodeStart" and event.data.node_info.unique_id.endswith(
                ".int_articles_deduplicated"
            ):
                asked = [parallel._pool.submit(_loaded, (), 0) for _ in range(2)] if parallel._pool else []
                loaded_at_dedup.extend(future.result(timeout=120)[0] for future in asked)
            super().__call__(event)

    monkeypatch.setattr(build, "PoolRelease", Watching)
    result = rnw(home, "build")
    assert result.exit_code == 0, result.output
    (stopped_at, was_running), *after = stops  # then once more as the build ends: nothing left
    assert not any(running for _, running in after)
    assert parallel._pool is None
    if steady_workers == "1":
        assert order == ["parse"], "no pool"
        assert not was_running, "a steady build's models ran in the dbt process"
        assert warmed == [True], "which loaded what they need while dbt started"
        assert os.environ["RNW_WORKERS"] == "2", "as it was before the build"
        return
    assert order == ["start_pool", "parse"], "the pool started before dbt imports and parses"
    assert was_running, "the build's models ran on the pool"
    assert warmed == [], "the workers load what the models need"
    assert len(loaded_at_dedup) == 2
    assert all(set(ENRICHERS) <= set(modules) for modules in loaded_at_dedup), loaded_at_dedup
    manifest = json.loads((home / "dbt_target" / "manifest.json").read_text(encoding="utf-8"))
    run = json.loads((home / "dbt_target" / "run_results.json").read_text(encoding="utf-8"))
    finished = {
        r["unique_id"]: datetime.fromisoformat(r["timing"][-1]["completed_at"]).replace(tzinfo=UTC)
        for r in run["results"]
        if r["timing"]
    }
    users = {u for u in finished if manifest["nodes"][u]["config"]["meta"].get("worker_pool")}
    assert users >= {"model.rnw.int_pages_extracted", "model.rnw.int_article_people"}
    assert max(finished[u] for u in users) <= stopped_at < max(finished.values()), (
        "stopped after the last model on the pool, before the build's end"
    )


def _statements_while_executing(log: str, node: str) -> list[str]:
    """The SQL dbt ran for ``node`` between starting to execute it and finishing (its hooks and its
    query, not its compilation), from a debug-level dbt log."""
    start = log.index(f"Began executing node {node}\n")
    end = log.index(f"Finished running node {node}", start)
    return re.findall(rf"On {re.escape(node)}: (.*?)(?=\n\d\d:\d\d:\d\d\.\d+ \[)", log[start:end], re.DOTALL)


def test_a_build_that_brings_nothing_writes_nothing_in_the_per_article_models(
    examples_warehouse: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each per-article model compares its inputs with its ledger once, at compile time, and its
    hooks apply that difference: a nightly with no new articles deletes no rows and writes no ledger
    rows, instead of comparing again in each hook (0.3-0.6 s a model at 100k articles)."""
    home = tmp_path / "var"
    shutil.copytree(examples_warehouse, home, ignore=shutil.ignore_patterns("run.lock", "build.lock"))
    monkeypatch.setenv("RNW_DBT_LOG_LEVEL_FILE", "debug")
    (home / "logs" / "dbt.log").unlink()
    result = rnw(home, "build")
    assert result.exit_code == 0, result.output
    manifest = json.loads((home / "dbt_target" / "manifest.json").read_text(encoding="utf-8"))
    per_article = [
        uid for uid, node in manifest["nodes"].items() if node["config"]["meta"].get("per_article_mart")
    ]
    assert {"model.rnw.int_person_mentions", "model.rnw.fct_person_mentions"} <= set(per_article)
    assert len(per_article) == 9
    log = (home / "logs" / "dbt.log").read_text(encoding="utf-8")
    for node in per_article:
        statements = _statements_while_executing(log, node)
        assert statements, node
        writes = [
            s
            for s in statements
            if re.search(r"^\s*(delete from|insert into [^(]*ledger)", s, re.MULTILINE | re.IGNORECASE)
        ]
        assert writes == [], node
    with duckdb.connect(str(home / "build_marts.duckdb"), read_only=True) as con:
        assert con.execute("SELECT count(*) FROM ledger.article_changes").fetchone()[0] == 0
        models = {m for (m,) in con.execute("SELECT DISTINCT model FROM ledger.article_inputs").fetchall()}
    assert models == {uid.rsplit(".", 1)[1] for uid in per_article} - {"int_person_mentions"}


def test_a_mentions_person_follows_its_identity_when_its_article_is_unchanged(
    examples_warehouse: Path, tmp_path: Path
) -> None:
    """fct_person_mentions is written per article, but identity resolution can give an old mention
    another person without touching its article (a new mention of the same name elsewhere, with
    the same organisation). Here the identity is changed by hand: the next build must carry it."""
    home = tmp_path / "var"
    shutil.copytree(examples_warehouse, home, ignore=shutil.ignore_patterns("run.lock", "build.lock"))
    with duckdb.connect(str(home / "build.duckdb")) as con:
        (key,) = con.execute(
            "SELECT mention_key FROM intermediate.int_person_identities ORDER BY mention_key LIMIT 1"
        ).fetchone()
        con.execute(
            "UPDATE intermediate.int_person_identities SET person_id = 'ffffffffffffffff' WHERE mention_key = ?",
            [key],
        )
    result = rnw(home, "build")
    assert result.exit_code == 0, result.output
    with duckdb.connect(str(home / "warehouse.duckdb"), read_only=True) as con:
        people = dict(
            con.execute("SELECT person_mention_id, person_id FROM marts.fct_person_mentions").fetchall()
        )
        assert (
            con.execute(
                "SELECT count(*) FROM marts.dim_people WHERE person_id = 'ffffffffffffffff'"
            ).fetchone()[0]
            == 1
        )
    assert people[key] == "ffffffffffffffff"
    assert (
        len(people) == mart_checksums(examples_warehouse / "warehouse.duckdb")["marts.fct_person_mentions"][0]
    )


def test_a_changed_macro_reaches_the_models_whose_config_it_sets(
    examples_warehouse: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An upgrade that changes a macro and the macros' yml: dbt 1.11's partial parse alone keeps
    the config the old macro gave the per-article marts (their hooks, here their meta), so
    rnw.build parses in full once."""
    home = tmp_path / "var"
    shutil.copytree(examples_warehouse, home, ignore=shutil.ignore_patterns("run.lock", "build.lock"))
    project = tmp_path / "dbt_project"
    shutil.copytree(REPO_ROOT / "dbt_project", project)
    monkeypatch.setenv("RNW_DBT_PROJECT_DIR", str(project))
    # dbt parses in full when the profile changed (it names the home's files): once here.
    assert rnw(home, "build").exit_code == 0
    macros = project / "macros" / "article_inputs.sql"
    old = "meta={'per_article_mart': true},"
    assert old in macros.read_text(encoding="utf-8")
    macros.write_text(
        macros.read_text(encoding="utf-8").replace(old, "meta={'per_article_mart': true, 'upgraded': true},"),
        encoding="utf-8",
    )
    described = project / "macros" / "_macros.yml"  # dbt loses the change when both files change
    text = described.read_text(encoding="utf-8")
    assert "description: The (article_id, input_version) pairs the ledger holds" in text
    described.write_text(text.replace("pairs the ledger holds", "pairs held in the ledger"), encoding="utf-8")
    result = rnw(home, "build")
    assert result.exit_code == 0, result.output
    manifest = json.loads((home / "dbt_target" / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["nodes"]["model.rnw.fct_article_topics"]["config"]["meta"].get("upgraded") is True


def test_staging_tables_take_new_keys_and_are_remade_when_their_view_changes(
    examples_warehouse: Path, tmp_path: Path
) -> None:
    """Publish keeps the staging tables in the marts file: append-only ones get the keys they lack
    (a kill between two tables, or a lost row, is made good), a changed view definition remakes the
    table, and the warehouse carries exactly the staging views' rows."""
    from rnw.publish import publish
    from rnw.settings import Settings

    home = tmp_path / "var"
    shutil.copytree(examples_warehouse, home, ignore=shutil.ignore_patterns("run.lock", "build.lock"))
    settings = Settings(home=home)
    published = mart_checksums(home / "warehouse.duckdb", ("staging",))
    with duckdb.connect(str(settings.marts_db)) as con:
        con.execute(
            "DELETE FROM staging.stg_raw__pages WHERE page_id = (SELECT min(page_id) FROM staging.stg_raw__pages)"
        )
        con.execute(
            "INSERT INTO staging.stg_raw__page_sightings SELECT * FROM staging.stg_raw__page_sightings LIMIT 1"
        )
    publish(settings)
    after = mart_checksums(home / "warehouse.duckdb", ("staging",))
    assert after["staging.stg_raw__pages"] == published["staging.stg_raw__pages"], (
        "the lost key is back, once"
    )
    assert (
        after["staging.stg_raw__page_sightings"][0] == published["staging.stg_raw__page_sightings"][0] + 1
    ), "an append-only table is never rewritten by a publish"
    with duckdb.connect(str(settings.marts_db)) as con:
        con.execute(
            "UPDATE ledger.staging_definitions SET definition = 'older' WHERE table_name = 'stg_raw__page_sightings'"
        )
    publish(settings)
    assert mart_checksums(home / "warehouse.duckdb", ("staging",)) == published, (
        "a changed view remakes its table"
    )
    with duckdb.connect(str(home / "warehouse.duckdb"), read_only=True) as con:
        schemas = {s for (s,) in con.execute("SELECT DISTINCT schema_name FROM duckdb_tables()").fetchall()}
    assert schemas == {"staging", "marts", "ops"}, "the ledger stays in the build"


def test_a_publish_appends_more_new_pages_than_one_key_list_holds(
    examples_warehouse: Path, tmp_path: Path
) -> None:
    """A backfill of more new pages than DuckDB looks up by key at once (2,048) reaches the
    warehouse's staging table in parts (rnw.incremental.pending_parts): every page once, its bytes
    measured."""
    from rnw.publish import publish
    from rnw.rawstore import RawStore
    from rnw.settings import Settings
    from tests.test_ingest import text_pages

    home = tmp_path / "var"
    shutil.copytree(examples_warehouse, home, ignore=shutil.ignore_patterns("run.lock", "build.lock"))
    settings = Settings(home=home)
    before = mart_checksums(home / "warehouse.duckdb", ("staging",))["staging.stg_raw__pages"][0]
    texts = [f"第{i}号公告。" * 200 for i in range(2_100)]  # about 5 KB of bytes each
    pages = text_pages(texts, "backfill", "test")
    store = RawStore(settings.raw_db)
    for start in range(0, len(pages), 500):  # in batches, as ingest appends
        store.append(pages[start : start + 500])
    publish(settings)
    with duckdb.connect(str(home / "warehouse.duckdb"), read_only=True) as con:
        count, size = con.execute(
            "SELECT count(*), sum(byte_size) FROM staging.stg_raw__pages WHERE source_id = 'backfill'"
        ).fetchone()
        total = con.execute("SELECT count(*) FROM staging.stg_raw__pages").fetchone()[0]
    assert (count, size, total) == (len(texts), sum(len(t.encode()) for t in texts), before + len(texts))


def test_a_staging_rebuild_of_pages_over_a_duckdb_block_reads_none_of_their_content(
    examples_warehouse: Path, tmp_path: Path
) -> None:
    """DuckDB holds each scanned value over its 256 KB block until the statement ends: while the
    page table measured each page's bytes, remaking its staging table of 120 pages of 400 KB ran a
    32 MB cap out of memory (as a 10k-page first load of full-size pages ran out of 160 MB). The raw
    store keeps each page's size beside it, so the rebuild reads no content: every page comes once,
    with its size."""
    from rnw.publish import publish
    from rnw.rawstore import RawStore
    from rnw.settings import Settings
    from tests.test_ingest import text_pages

    home = tmp_path / "var"
    shutil.copytree(examples_warehouse, home, ignore=shutil.ignore_patterns("run.lock", "build.lock"))
    settings = Settings(home=home, duckdb_memory_limit="32MB")
    texts = [f"第{i}号公告。" * 20_000 for i in range(120)]  # 400 KB of bytes each
    pages = text_pages(texts, "large", "test")
    store = RawStore(settings.raw_db)
    for start in range(0, len(pages), 20):
        store.append(pages[start : start + 20])
    publish(settings, rebuild_staging=True)
    with duckdb.connect(str(home / "warehouse.duckdb"), read_only=True) as con:
        count, size = con.execute(
            "SELECT count(DISTINCT page_id), sum(byte_size) FROM staging.stg_raw__pages WHERE source_id = 'large'"
        ).fetchone()
        total = con.execute("SELECT count(*) FROM staging.stg_raw__pages").fetchone()[0]
    with duckdb.connect(str(settings.raw_db), read_only=True) as con:
        stored = con.execute("SELECT count(*) FROM pages").fetchone()[0]
    assert (count, size, total) == (len(texts), sum(len(t.encode()) for t in texts), stored)


def test_a_missing_repeated_or_stray_page_part_fails_the_parts_test(
    examples_warehouse: Path, tmp_path: Path
) -> None:
    """A page's text is its parts joined in order, so a lost, doubled or orphaned part would change
    it silently: assert_page_parts_cover_each_page_once fails on each (the raw store writes a page
    and its parts in one transaction; this corrupts a copy to prove the test can fail)."""
    from rnw.build import run_dbt
    from rnw.settings import Settings

    home = tmp_path / "var"
    shutil.copytree(examples_warehouse, home, ignore=shutil.ignore_patterns("run.lock", "build.lock"))
    settings = Settings(home=home)
    selected = ["--select", "assert_page_parts_cover_each_page_once"]
    assert run_dbt(settings, "test", selected).tests_passed == 1
    with duckdb.connect(str(settings.raw_db)) as con:
        (seq,) = con.execute(
            "SELECT page_seq FROM page_parts GROUP BY 1 HAVING count(*) > 1 LIMIT 1"
        ).fetchone()
        kept = con.execute("SELECT * FROM page_parts WHERE page_seq = ? ORDER BY part", [seq]).fetchall()
    corruptions = [
        "DELETE FROM page_parts WHERE page_seq = {seq} AND part = 0",  # lost
        "INSERT INTO page_parts SELECT * FROM page_parts WHERE page_seq = {seq} AND part = 1",  # doubled
        "UPDATE page_parts SET page_seq = 999999 WHERE page_seq = {seq}",  # no page
        "UPDATE page_parts SET part = part + 1 WHERE page_seq = {seq}",  # numbered from 1
    ]
    for corruption in corruptions:
        with duckdb.connect(str(settings.raw_db)) as con:
            con.execute(corruption.format(seq=seq))
        assert run_dbt(settings, "test", selected).tests_failed == 1, corruption
        with duckdb.connect(str(settings.raw_db)) as con:
            con.execute("DELETE FROM page_parts WHERE page_seq IN (?, 999999)", [seq])
            con.executemany("INSERT INTO page_parts VALUES (?, ?, ?, ?, ?)", kept)
    assert run_dbt(settings, "test", selected).tests_passed == 1


def _built_reference(home: Path) -> int:
    results = json.loads((home / "dbt_target" / "run_results.json").read_text(encoding="utf-8"))["results"]
    reference = ("seed.", "model.rnw.dim_dates", "model.rnw.dim_regions", "test.rnw.unique_dim_regions_")
    return sum(r["unique_id"].startswith(reference) for r in results)


def _tests_skipped_with_a_read_node(home: Path) -> set[str]:
    """The tests the last build left out although it ran a node they read."""
    target = home / "dbt_target"
    ran = {
        r["unique_id"]
        for r in json.loads((target / "run_results.json").read_text(encoding="utf-8"))["results"]
    }
    nodes = json.loads((target / "manifest.json").read_text(encoding="utf-8"))["nodes"]
    return {
        unique_id
        for unique_id, node in nodes.items()
        if node["resource_type"] == "test" and unique_id not in ran and ran & set(node["depends_on"]["nodes"])
    }


def _article_ids(warehouse: Path) -> set[str]:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return {a for (a,) in con.execute("SELECT article_id FROM marts.dim_articles").fetchall()}


def test_a_longer_copy_arriving_later_rewrites_the_article_incrementally(
    examples_warehouse: Path, tmp_path: Path
) -> None:
    """The incremental article chain when an old story changes: an exact copy of a stored article
    on a new page folds into it, and a longer copy becomes its canonical body, so the story gets a
    new article_id and every copy moves to it; an analyst holding the old id finds the new one
    through the copies' body_id. The marts must equal a full refresh."""
    home = tmp_path / "var"
    shutil.copytree(examples_warehouse, home, ignore=shutil.ignore_patterns("run.lock", "build.lock"))
    page = (EXAMPLES / "cwced-1f1a7b604a8b.html").read_text(encoding="utf-8")
    paragraph = '<p style="TEXT-INDENT: 30px; MARGIN: 0px 3px 15px">'
    credit = page.index(paragraph + "记者")
    added = paragraph + "下一步，本市将继续扩大安宁疗护试点范围，逐步覆盖全部区级医疗机构。</p>\n"
    new_pages = tmp_path / "new"
    new_pages.mkdir()
    (new_pages / "copy.html").write_text(page.replace("<head>", "<head><!-- mirror -->", 1), encoding="utf-8")
    (new_pages / "longer.html").write_text(page[:credit] + added + page[credit:], encoding="utf-8")

    def story(path: Path) -> list[tuple]:
        with duckdb.connect(str(path), read_only=True) as con:
            return con.execute(
                "SELECT article_id, occurrence_count FROM marts.dim_articles WHERE body_text LIKE '%安宁疗护%'"
            ).fetchall()

    [(old_id, copies)] = story(home / "warehouse.duckdb")
    assert copies == 1
    assert rnw(home, "ingest", str(new_pages)).exit_code == 0
    incremental = rnw(home, "build")
    assert incremental.exit_code == 0, incremental.output
    [(new_id, copies)] = story(home / "warehouse.duckdb")
    assert (copies, new_id != old_id) == (3, True)
    with duckdb.connect(str(home / "warehouse.duckdb"), read_only=True) as con:
        successors = con.execute(
            "SELECT DISTINCT article_id FROM marts.fct_article_occurrences WHERE body_id = ?", [old_id]
        ).fetchall()
        canonical_bodies = con.execute(
            """
            SELECT count(*), count(*) FILTER (o.body_id = a.article_id)
            FROM marts.dim_articles AS a
            INNER JOIN marts.fct_article_occurrences AS o ON o.occurrence_id = a.canonical_occurrence_id
            """
        ).fetchone()
    assert successors == [(new_id,)]
    assert canonical_bodies[0] == canonical_bodies[1] > 0, "an article's id is its canonical copy's body_id"
    after_incremental = mart_checksums(home / "warehouse.duckdb")
    assert rnw(home, "build", "--full-refresh").exit_code == 0
    assert mart_checksums(home / "warehouse.duckdb") == after_incremental


def test_a_build_file_of_an_older_layout_is_rebuilt_in_full(examples_warehouse: Path, tmp_path: Path) -> None:
    """An upgrade that changes an incremental model's columns must not break the next nightly:
    int_body_pairs without row_kind is the layout before spanning forests."""
    from rnw.build import BUILD_LAYOUT, LAYOUT_FILE

    home = tmp_path / "var"
    shutil.copytree(examples_warehouse, home, ignore=shutil.ignore_patterns("run.lock", "build.lock"))
    before = mart_checksums(home / "warehouse.duckdb")
    with duckdb.connect(str(home / "build.duckdb")) as con:
        con.execute("ALTER TABLE intermediate.int_body_pairs DROP COLUMN row_kind")
    (home / LAYOUT_FILE).write_text("1\n")
    result = rnw(home, "build")
    assert result.exit_code == 0, result.output
    assert "older layout" in result.output
    assert (home / LAYOUT_FILE).read_text().strip() == BUILD_LAYOUT
    assert mart_checksums(home / "warehouse.duckdb") == before
    again = rnw(home, "build")
    assert again.exit_code == 0 and "older layout" not in again.output


def _hold_lock(home: Path) -> subprocess.Popen:
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            (
                "import sys, time\nfrom pathlib import Path\nfrom rnw.runlock import run_lock\n"
                f"with run_lock(Path({str(home)!r}), 'nightly'):\n    print('locked', flush=True)\n    time.sleep(600)\n"
            ),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert holder.stdout.readline().strip() == "locked"
    return holder


def test_second_run_fails_at_once_and_a_killed_runs_lock_is_cleared(
    prefect_harness: None, tmp_path: Path
) -> None:
    home = tmp_path / "var"
    home.mkdir()
    holder = _hold_lock(home)
    try:
        started = time.monotonic()
        result = rnw(home, "run")
        assert result.exit_code == 1
        assert f"another run is active (pid {holder.pid}, started at" in result.output
        assert time.monotonic() - started < 10, "the lock is checked before Prefect starts"
    finally:
        holder.send_signal(signal.SIGKILL)
        holder.wait()
    with run_lock(home, "nightly") as note:
        assert note is not None and f"pid {holder.pid}" in note


# Run in the victim before the CLI: its publish stops itself once the new warehouse file is written
# and flushed, just before the rename. The window between copy and rename lasts a fraction of a
# second on the examples, too short for a poll to catch reliably on a busy machine.
STOP_BEFORE_RENAME = """
import os, signal, sys
import rnw.publish
flush = rnw.publish._fsync
def flush_then_stop(path):
    flush(path)
    if ".tmp-" in path.name:
        os.kill(os.getpid(), signal.SIGSTOP)
rnw.publish._fsync = flush_then_stop
from rnw.cli import app
sys.argv = ["rnw", "run"]
app()
"""


def _run_cli(home: Path, url: str, *, stop_before_rename: bool = False) -> subprocess.Popen:
    env = {**os.environ, "PREFECT_API_URL": url, "RNW_HOME": str(home)}
    command = ["-c", STOP_BEFORE_RENAME] if stop_before_rename else ["-m", "rnw.cli", "run"]
    return subprocess.Popen(
        [sys.executable, *command],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )


def _wait_for(condition, process: subprocess.Popen, timeout: float = 240.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and process.poll() is None:
        if condition():
            return
        time.sleep(0.05)
    raise AssertionError("the run ended before the kill point was reached")


KILL_POINTS = {
    "while ingesting": lambda home: (home / "raw.duckdb").exists(),
    "while dbt builds": lambda home: (home / "build.duckdb").exists(),
    "while publishing": lambda home: any(home.glob("warehouse.duckdb.tmp-*")),
}


def test_sigkill_then_rerun_converges_to_an_uninterrupted_run(
    prefect_server: str, examples_warehouse: Path, tmp_path: Path
) -> None:
    expected = mart_checksums(examples_warehouse / "warehouse.duckdb")
    for label, reached in KILL_POINTS.items():
        home = tmp_path / label.replace(" ", "-")
        victim = _run_cli(home, prefect_server, stop_before_rename=label == "while publishing")
        _wait_for(lambda home=home, reached=reached: reached(home), victim)
        os.killpg(victim.pid, signal.SIGKILL)
        victim.wait()
        if label == "while publishing":
            assert not (home / "warehouse.duckdb").exists(), "killed between copy and rename"
        assert _run_cli(home, prefect_server).wait(timeout=600) == 0, label
        assert mart_checksums(home / "warehouse.duckdb") == expected, label


def test_a_newer_enricher_version_rewrites_its_marts_even_where_an_article_loses_its_rows(
    examples_warehouse: Path, tmp_path: Path, monkeypatch
) -> None:
    """The per-article marts rewrite only the articles whose enrichment changed, judged by the
    ledger of what each consumed, not by their own rows: an article the newer enricher finds no
    topic in has no row left to compare, yet its old rows must go."""
    from rnw.topics import ArticleTopics, score_topics

    home = tmp_path / "var"
    shutil.copytree(examples_warehouse, home, ignore=shutil.ignore_patterns("run.lock", "build.lock"))
    before = mart_checksums(home / "warehouse.duckdb")

    def top_topic_of_odd_lengths(text: str, sections=()) -> ArticleTopics:
        scores = score_topics(text, sections).scores
        return ArticleTopics(scores=[s for s in scores if s.rank == 1] if len(text) % 2 else [], sections=[])

    monkeypatch.setattr("rnw.enrich.TOPICS_VERSION", "topics-99-test")
    monkeypatch.setattr("rnw.topics.score_topics", top_topic_of_odd_lengths)
    monkeypatch.setenv("RNW_WORKERS", "1")  # patched here: workers forked from a fresh server are not
    # The full refresh below must run here, where the enricher is patched, not as a bulk build in
    # a process of its own.
    monkeypatch.setattr("rnw.env.bulk_builds_need_own_process", lambda: False)
    result = rnw(home, "build")
    assert result.exit_code == 0, result.output
    with duckdb.connect(str(home / "warehouse.duckdb"), read_only=True) as con:
        topics_per_article = dict(
            con.execute(
                "SELECT a.article_id, count(t.article_id) FROM marts.dim_articles a "
                "LEFT JOIN marts.fct_article_topics t USING (article_id) GROUP BY 1"
            ).fetchall()
        )
        section_topics = con.execute("SELECT count(*) FROM marts.fct_section_topics").fetchone()[0]
    assert set(topics_per_article.values()) == {0, 1}
    assert section_topics == 0
    after = mart_checksums(home / "warehouse.duckdb")
    assert (
        before["marts.fct_article_topics"][0] > len(topics_per_article) > after["marts.fct_article_topics"][0]
    )
    assert after["marts.fct_indicator_observations"] == before["marts.fct_indicator_observations"]
    assert rnw(home, "build", "--full-refresh").exit_code == 0
    assert mart_checksums(home / "warehouse.duckdb") == after


def test_row_tests_check_only_what_no_passing_build_has_verified(
    examples_warehouse: Path, tmp_path: Path
) -> None:
    """The offsets test reads the observations of articles whose ledger rows no passing build has
    verified. A broken row of a verified article goes unchecked (verify_all finds it); the same
    article unverified fails the test, in parts too, and keeps failing the build: a failed build
    verifies nothing. In parts, each part reads the bodies of its own range of dim_articles' rows
    (parts by a hash of article_id each read every body), and the parts cover every article: the
    articles at both ends of the table fail in different parts."""
    from rnw.build import run_dbt
    from rnw.settings import Settings

    home = tmp_path / "var"
    shutil.copytree(examples_warehouse, home, ignore=shutil.ignore_patterns("run.lock", "build.lock"))
    marts = home / "build_marts.duckdb"
    with duckdb.connect(str(marts)) as con:
        verified = dict(
            con.execute("SELECT verified, count(*) FROM ledger.article_inputs GROUP BY 1").fetchall()
        )
        assert set(verified) == {True}, "a passing run verifies every article it recorded"
        with_observations = "SELECT a.article_id FROM marts.dim_articles AS a SEMI JOIN marts.fct_indicator_observations USING (article_id) ORDER BY a.rowid"
        [(article,)] = con.execute(f"{with_observations} LIMIT 1").fetchall()
        [(last_article,)] = con.execute(f"{with_observations} DESC LIMIT 1").fetchall()
        assert article != last_article
        con.execute(
            "UPDATE marts.fct_indicator_observations SET char_start = 0, char_end = 0 "
            "WHERE article_id IN (?, ?)",
            [article, last_article],
        )
    assert rnw(home, "build").exit_code == 0, "verified rows are not read again"

    every = run_dbt(
        Settings(home=home),
        "test",
        ["--select", "assert_indicator_offsets_slice_the_number", "--vars", "{verify_all: true}"],
    )
    assert every.tests_failed == 1
    in_parts = run_dbt(  # as a first load runs it: a few articles at a time, while the test compiles
        Settings(home=home, dbt_log_level_file="debug"),
        "test",
        [
            "--select",
            "assert_indicator_offsets_slice_the_number",
            "--vars",
            "{verify_all: true, articles_per_check_part: 2}",
        ],
    )
    assert in_parts.tests_failed == 1 and in_parts.failures == every.failures
    compiled = (
        home / "dbt_target" / "compiled" / "rnw" / "tests" / "assert_indicator_offsets_slice_the_number.sql"
    )
    assert "unnest([" in compiled.read_text(), "the parts ran at compile time"
    log = (home / "logs" / "dbt.log").read_text(encoding="utf-8")
    with duckdb.connect(str(marts), read_only=True) as con:
        [(articles,)] = con.execute("SELECT count(*) FROM marts.dim_articles").fetchall()
    part_reads = re.findall(r"dim_articles\" where rowid between (\d+) and (\d+)", log)
    assert len(part_reads) == -(-articles // 2), "each part reads its own range of dim_articles"
    assert sorted(int(first) for first, _ in part_reads) == list(range(0, articles, 2))

    with duckdb.connect(str(marts)) as con:
        con.execute(
            "UPDATE ledger.article_inputs SET verified = false WHERE model = 'fct_indicator_observations'"
        )
    unverified_in_parts = run_dbt(  # each part reads its own unverified keys (unverified_rows)
        Settings(home=home),
        "test",
        ["--select", "assert_indicator_offsets_slice_the_number", "--vars", "{articles_per_check_part: 2}"],
    )
    assert unverified_in_parts.tests_failed == 1 and unverified_in_parts.failures == every.failures

    with duckdb.connect(str(marts)) as con:  # the broken article alone unverified, as after a nightly
        con.execute(
            "UPDATE ledger.article_inputs SET verified = article_id <> ? "
            "WHERE model = 'fct_indicator_observations'",
            [article],
        )
    for attempt in ("first", "second"):
        failed = rnw(home, "build")
        assert failed.exit_code != 0 and "assert_indicator_offsets" in failed.output, attempt


def test_pages_and_bodies_are_read_a_part_per_query(
    examples_warehouse: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A DuckDB scan of long text holds memory until its query ends: extraction reads the raw pages,
    and the signatures the bodies, in queries of at most PAGES_PER_READ and BODIES_PER_READ rows
    (ranges of page_seq and of a rowid), and the tables come out as they did. Every page to extract again makes it
    a bulk build, which runs one node at a time: DuckDB's cache is emptied before each part."""
    import scrapers.extraction
    from rnw import articles, env, incremental, neardup
    from rnw.settings import EMPTY_CACHE_VARIABLE

    home = tmp_path / "var"
    shutil.copytree(examples_warehouse, home, ignore=shutil.ignore_patterns("run.lock", "build.lock"))
    build = home / "build.duckdb"

    def stored() -> tuple[list, list]:
        with duckdb.connect(str(build), read_only=True) as con:
            return (
                con.sql(
                    "SELECT * EXCLUDE (extractor_version) FROM intermediate.int_pages_extracted ORDER BY page_id"
                ).fetchall(),
                con.sql("SELECT * FROM intermediate.int_body_signatures ORDER BY body_hash").fetchall(),
            )

    before = stored()
    with duckdb.connect(str(build)) as con:  # every body's signature to make again
        con.execute("DELETE FROM intermediate.int_body_signatures")
    read: list[tuple[str, int]] = []
    every_rows = incremental.batches_in_rowid_ranges
    every_page = articles.pages_with_text

    def counted(session, relation, rowid, rows, batch_rows):
        for batch in every_rows(session, relation, rowid, rows, batch_rows):
            read.append((rowid, batch.num_rows))
            yield batch

    def counted_pages(session, pages, parts, pages_per_read, batch_rows):
        for batch in every_page(session, pages, parts, pages_per_read, batch_rows):
            read.append(("page_seq", batch.num_rows))
            yield batch

    emptying: list[str | None] = []
    empty_cache = incremental.empty_cache_when_alone

    def noted(session) -> None:
        emptying.append(os.environ.get(EMPTY_CACHE_VARIABLE))
        empty_cache(session)

    monkeypatch.setattr(incremental, "batches_in_rowid_ranges", counted)
    monkeypatch.setattr(articles, "pages_with_text", counted_pages)
    monkeypatch.setattr(incremental, "empty_cache_when_alone", noted)
    monkeypatch.setenv("RNW_BULK_BUILD_PAGES", "1")
    monkeypatch.setattr(env, "bulk_builds_need_own_process", lambda: False)  # to see its models here
    monkeypatch.setattr(incremental, "READ_AT_ONCE", 0)  # stream the bodies, as a first load does
    monkeypatch.setattr(articles, "PAGES_PER_READ", 2)
    monkeypatch.setattr(neardup, "BODIES_PER_READ", 3)
    monkeypatch.setattr(scrapers.extraction, "EXTRACTOR_VERSION", "99.0.0-test")  # every page again
    monkeypatch.setenv("RNW_WORKERS", "1")  # patched here: workers forked from a fresh server are not
    result = rnw(home, "build")
    assert result.exit_code == 0, result.output

    assert stored() == before
    with duckdb.connect(str(build), read_only=True) as con:
        [(extracted,)] = con.sql(
            "SELECT count(*) FROM intermediate.int_pages_extracted WHERE extractor_version = '99.0.0-test'"
        ).fetchall()
    for rowid, most, total in (("page_seq", 2, extracted), ("occurrence_rowid", 3, len(before[1]))):
        batches = [rows for column, rows in read if column == rowid]
        assert sum(batches) == total and max(batches) == most, rowid
    assert emptying == ["1"] * len(read)


def test_a_bulk_build_writes_enrichment_output_under_its_output_cap_and_sets_the_cap_back(
    examples_warehouse: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """DuckDB holds a table written in one statement in memory up to its cap until it commits: a
    bulk build (one node at a time) has dbt write each enrichment model's output under the lower
    bulk_output_duckdb_memory_limit, and the next node starts at the profile's cap again (dbt-duckdb
    sets the profile's settings on each node's cursor). A steady build, whose nodes run side by
    side, never lowers it."""
    import scrapers.extraction
    from rnw import env, incremental, parallel
    from rnw import indicators as indicator_module
    from rnw.indicators import INDICATOR_EXTRACTOR_VERSION
    from rnw.settings import Settings

    home = tmp_path / "var"
    shutil.copytree(examples_warehouse, home, ignore=shutil.ignore_patterns("run.lock", "build.lock"))

    writes: list[tuple[bool, str, str]] = []
    every_spill = parallel.spill

    def noted(session, reader, *, capped_write: bool = False):
        before = memory_cap(session)
        relation = every_spill(session, reader, capped_write=capped_write)
        writes.append((capped_write, before, memory_cap(session)))
        return relation

    monkeypatch.setattr(parallel, "spill", noted)
    # Emptying the cache also sets the cap, before each part: only dbt-duckdb may set it back here.
    monkeypatch.setattr(incremental, "empty_cache_when_alone", lambda session: None)
    monkeypatch.setattr(env, "bulk_builds_need_own_process", lambda: False)  # to see its models here
    monkeypatch.setenv("RNW_BULK_BUILD_PAGES", "1")
    monkeypatch.setattr(scrapers.extraction, "EXTRACTOR_VERSION", "99.0.0-test")  # a bulk build
    monkeypatch.setattr(
        indicator_module, "INDICATOR_EXTRACTOR_VERSION", INDICATOR_EXTRACTOR_VERSION + "-test"
    )
    monkeypatch.setenv("RNW_WORKERS", "1")  # patched here: workers forked from a fresh server are not
    indicators = (
        "SELECT * EXCLUDE (enricher_version) FROM intermediate.int_article_indicators ORDER BY article_id"
    )
    with duckdb.connect(str(home / "build.duckdb")) as con:
        before = con.sql(indicators).fetchall()
        con.execute("DROP TABLE intermediate.int_person_identities")  # its first load spills too
    result = rnw(home, "build")
    assert result.exit_code == 0, result.output

    defaults = Settings.model_fields
    bulk, lowered = (
        shown_cap(defaults["bulk_duckdb_memory_limit"].default),
        shown_cap(defaults["bulk_output_duckdb_memory_limit"].default),
    )
    assert bulk != lowered
    capped = [w for w in writes if w[0]]
    assert len(capped) == 5 and len(writes) == 7  # the four enrichers and the identities; two in stage one
    assert all(before == bulk for _, before, _ in writes)  # the cap set back after each write
    assert [during for capped_write, _, during in writes] == [lowered if c else bulk for c, _, _ in writes]
    with duckdb.connect(str(home / "build.duckdb"), read_only=True) as con:  # every article again, the same
        assert con.sql(indicators).fetchall() == before
        assert con.sql(
            "SELECT DISTINCT enricher_version FROM intermediate.int_article_indicators"
        ).fetchall() == [(INDICATOR_EXTRACTOR_VERSION + "-test",)]

    writes.clear()
    monkeypatch.delenv("RNW_BULK_BUILD_PAGES")
    assert rnw(home, "build").exit_code == 0  # steady: nothing new
    steady = shown_cap(defaults["duckdb_memory_limit"].default)
    assert writes and all(before == during == steady for _, before, during in writes)


def test_a_newer_extractor_version_reextracts_stored_pages(
    examples_warehouse: Path, tmp_path: Path, monkeypatch
) -> None:
    import scrapers.extraction

    home = tmp_path / "var"
    shutil.copytree(examples_warehouse, home, ignore=shutil.ignore_patterns("run.lock", "build.lock"))
    before = mart_checksums(home / "warehouse.duckdb")
    monkeypatch.setattr(scrapers.extraction, "EXTRACTOR_VERSION", "99.0.0-test")
    monkeypatch.setenv("RNW_WORKERS", "1")  # patched here: workers forked from a fresh server are not
    result = rnw(home, "build")
    assert result.exit_code == 0, result.output
    con = duckdb.connect(str(home / "warehouse.duckdb"), read_only=True)
    versions = dict(
        con.execute("SELECT extractor_version, count(*) FROM marts.dim_articles GROUP BY 1").fetchall()
    )
    con.close()
    assert versions == {"99.0.0-test": 5, "textdump-1": 2}
    after = mart_checksums(home / "warehouse.duckdb")
    assert after["marts.dim_articles"] != before["marts.dim_articles"]
    assert after["marts.fct_article_occurrences"] == before["marts.fct_article_occurrences"]
