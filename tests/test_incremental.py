"""Pending rows of an incremental Python model: the same rows whichever way they are filtered."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

import rnw.incremental
from rnw.incremental import pending


@pytest.fixture
def con(tmp_path: Path) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect(str(tmp_path / "t.duckdb"))
    con.execute(
        "CREATE TABLE pages AS SELECT 'p' || i AS page_id, repeat('正文', 50) AS page_text FROM range(500) t(i)"
    )
    con.execute("CREATE TABLE done AS SELECT 'p' || i AS page_id FROM range(0, 500, 3) t(i)")
    con.execute("INSERT INTO pages VALUES ('it''s', 'a key that needs quoting')")
    return con


def test_listed_and_anti_joined_pending_rows_agree(con: duckdb.DuckDBPyConnection, monkeypatch) -> None:
    expected = sorted(
        con.sql("SELECT * FROM pages WHERE page_id NOT IN (SELECT page_id FROM done)").fetchall()
    )
    listed = sorted(pending(con.table("pages"), "page_id", "SELECT page_id FROM done").fetchall())
    monkeypatch.setattr(rnw.incremental, "MAX_LISTED_KEYS", 10)
    anti_joined = sorted(pending(con.table("pages"), "page_id", "SELECT page_id FROM done").fetchall())
    assert listed == anti_joined == expected
    assert len(expected) == 334
    assert ("it's", "a key that needs quoting") in listed


def test_nothing_pending_gives_no_rows_and_keeps_the_columns(con: duckdb.DuckDBPyConnection) -> None:
    rows = pending(con.table("pages"), "page_id", "SELECT page_id FROM pages")
    assert rows.fetchall() == []
    assert rows.columns == ["page_id", "page_text"]


def test_sql_models_list_keys_up_to_the_same_threshold() -> None:
    """The dbt macro listed_keys and rnw.incremental.pending switch to a subquery at one number."""
    import yaml

    from rnw.settings import REPO_ROOT

    project = yaml.safe_load((REPO_ROOT / "dbt_project" / "dbt_project.yml").read_text(encoding="utf-8"))
    assert project["vars"]["max_listed_keys"] == rnw.incremental.MAX_LISTED_KEYS


def test_seeds_count_as_loaded_until_a_seed_file_changes(tmp_path: Path) -> None:
    from rnw.build import SEEDS_FILE, _seeds_are_loaded, _seeds_digest
    from rnw.settings import Settings

    project = tmp_path / "project"
    (project / "seeds").mkdir(parents=True)
    (project / "seeds" / "units.csv").write_text("unit,factor\n万元,10000\n", encoding="utf-8")
    settings = Settings(home=tmp_path / "home", dbt_project_dir=project)
    digest = _seeds_digest(settings)
    assert not _seeds_are_loaded(settings, digest), "no build file yet"
    settings.build_db.touch()
    assert not _seeds_are_loaded(settings, digest), "never recorded"
    (settings.home_dir / SEEDS_FILE).write_text(digest + "\n")
    assert _seeds_are_loaded(settings, digest)
    (project / "seeds" / "units.csv").write_text("unit,factor\n万元,1000\n", encoding="utf-8")
    assert not _seeds_are_loaded(settings, _seeds_digest(settings))
