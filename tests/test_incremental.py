"""Pending rows of an incremental Python model: the same rows whichever way they are filtered."""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import pytest

import rnw.incremental
from rnw.incremental import (
    in_rowid_ranges,
    pending,
    pending_parts,
    pending_rows,
    rowid_ranges,
    rows_by_key,
    whole_table,
)
from tests.duckdb_caps import memory_cap, shown_cap


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


def test_pending_parts_are_each_looked_up_in_the_key_index(tmp_path: Path) -> None:
    """More pending keys than DuckDB looks up in an index at once (2,048): as one list the whole
    table is scanned, bytes and all; in parts each is an index lookup, and together the parts hold
    every pending row once."""
    con = duckdb.connect(str(tmp_path / "k.duckdb"))
    con.execute("CREATE TABLE pages (page_id VARCHAR PRIMARY KEY, raw_bytes BLOB)")
    con.execute("INSERT INTO pages SELECT 'p' || i, repeat('x', 100)::BLOB FROM range(3000) t(i)")
    con.execute("CREATE TABLE done AS SELECT 'p' || i AS page_id FROM range(900) t(i)")
    pages = con.table("pages").project("page_id, octet_length(raw_bytes) AS byte_size")

    def scan(relation: duckdb.DuckDBPyRelation) -> str:
        plan = con.sql(f"EXPLAIN ANALYZE {relation.sql_query()}").fetchall()[0][1]
        return "index" if "Type: Index Scan" in plan else "whole table"

    parts = list(pending_parts(pages, "page_id", "SELECT page_id FROM done"))
    whole = pending(pages, "page_id", "SELECT page_id FROM done")
    assert [scan(p) for p in parts] == ["index"] * 3
    assert scan(whole) == "whole table", "DuckDB no longer scans for a long list: KEYS_PER_FILTER may go"
    rows = [row for part in parts for row in part.fetchall()]
    assert sorted(rows) == sorted(whole.fetchall()) and len(rows) == len(set(rows)) == 2_100


def test_nothing_pending_gives_no_rows_and_keeps_the_columns(con: duckdb.DuckDBPyConnection) -> None:
    rows = pending(con.table("pages"), "page_id", "SELECT page_id FROM pages")
    assert rows.fetchall() == []
    assert rows.columns == ["page_id", "page_text"]


def test_rows_by_key_reads_the_rows_of_the_keys_whichever_way(con: duckdb.DuckDBPyConnection) -> None:
    """The rowid path (a whole table, as dbt.ref gives it) and the plain filter (anything else)
    return the same rows, also after deletes leave gaps in the rowids and for keys that are absent,
    repeated or need quoting."""
    con.execute("DELETE FROM pages WHERE page_id IN ('p7', 'p8', 'p200')")
    con.execute("INSERT INTO pages SELECT page_id, 'again' FROM pages WHERE page_id IN ('p3', 'p400')")
    keys = ["p3", "p7", "p199", "p201", "p400", "p400", "missing", "it's"]
    expected = sorted(
        con.execute(
            "SELECT page_id, page_text FROM pages WHERE list_contains(?, page_id)", [sorted(set(keys))]
        ).fetchall()
    )
    table = con.query('select * from "t"."main"."pages"')  # what dbt.ref hands a Python model
    assert whole_table(table) == "t.main.pages"
    assert whole_table(table.project("page_id, page_text")) is None
    for relation in (table, table.filter("true")):
        rows = rows_by_key(con, relation, "page_id", keys, "page_id, page_text")
        assert sorted(zip(*rows.to_pydict().values(), strict=True)) == expected
        distinct = rows_by_key(con, relation, "page_id", keys, "DISTINCT ON (page_id) page_id")
        assert sorted(distinct.column(0).to_pylist()) == sorted({k for k, _ in expected})
        assert rows_by_key(con, relation, "page_id", [], "page_id").num_rows == 0
    assert len(expected) == 7


def test_pending_rows_read_through_a_view_that_passes_on_its_tables_rowid(
    con: duckdb.DuckDBPyConnection, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An enricher's input (int_articles_canonical) is a view: read by the rowid it passes on, or
    streamed through the plain filter above READ_AT_ONCE (or MAX_LISTED_KEYS), its pending rows
    are those of the anti-join."""
    con.execute("CREATE VIEW kept AS SELECT *, rowid AS pages_rowid FROM pages WHERE page_id <> 'p4'")
    view = con.query('select * from "t"."main"."kept"')
    done = "SELECT page_id FROM pages WHERE page_id NOT IN ('p3', 'p4', 'p499', 'it''s')"  # a few, far apart
    expected = sorted(
        con.sql(f"SELECT page_id, page_text FROM kept WHERE page_id NOT IN ({done})").fetchall()
    )
    by_rowid = pending_rows(con, view, "page_id", done, "page_id, page_text", rowid="pages_rowid")
    monkeypatch.setattr(rnw.incremental, "READ_AT_ONCE", 2)
    streamed = pending_rows(con, view, "page_id", done, "page_id, page_text", rowid="pages_rowid")
    monkeypatch.setattr(rnw.incremental, "MAX_LISTED_KEYS", 2)
    plain = pending_rows(con, view, "page_id", done, "page_id, page_text", rowid="pages_rowid")
    assert sorted(by_rowid.fetchall()) == sorted(streamed.fetchall()) == sorted(plain.fetchall()) == expected
    assert [k for k, _ in expected] == ["it's", "p3", "p499"]


def test_rowid_ranges_cover_every_rowid_in_at_most_the_allowed_ranges() -> None:
    assert rowid_ranges([5, 1, 3, 20_000, 20_001, 3]) == [(1, 5), (20_000, 20_001)]
    spread = list(range(0, 1_000_000, 10_000)) + [999_999]
    ranges = rowid_ranges(spread, most=8)
    assert len(ranges) <= 8
    assert all(any(a <= r <= b for a, b in ranges) for r in spread)
    assert rowid_ranges([]) == []


def test_sql_models_list_keys_and_read_rowid_ranges_by_the_same_numbers() -> None:
    """The dbt macros listed_keys and rows_by_key switch to a subquery at the number
    rnw.incremental.pending does, and cut rowid ranges as rnw.incremental.rowid_ranges does."""
    import yaml

    from rnw.settings import REPO_ROOT

    project = yaml.safe_load((REPO_ROOT / "dbt_project" / "dbt_project.yml").read_text(encoding="utf-8"))
    assert project["vars"]["max_listed_keys"] == rnw.incremental.MAX_LISTED_KEYS
    assert project["vars"]["rowid_range_gap"] == rnw.incremental.RANGE_GAP
    assert project["vars"]["most_rowid_ranges"] == rnw.incremental.MOST_RANGES


def test_reference_data_counts_as_built_until_its_definition_changes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Seeds, the models computed from them alone and their tests are skipped by a build whose
    reference digest is unchanged; editing a seed or such a model changes it, other models do not."""
    from rnw.build import REFERENCE_FILE, _parse, _reference_is_built, _seeds_digest, reference_nodes
    from rnw.settings import REPO_ROOT, Settings

    project = tmp_path / "project"
    shutil.copytree(REPO_ROOT / "dbt_project", project, ignore=shutil.ignore_patterns("target", "logs"))
    settings = Settings(home=tmp_path / "home", dbt_project_dir=project)
    monkeypatch.setenv("RNW_HOME", str(settings.home_dir))

    def reference():
        return reference_nodes(_parse(settings, ["build"]), _seeds_digest(settings))

    first = reference()
    assert {"regions", "dim_regions", "dim_dates", "unique_dim_regions_region_code"} <= set(first.names)
    assert "dim_articles" not in first.names
    assert not any(name.startswith("relationships_fct_region_mentions") for name in first.names), (
        "a test that also reads an article mart is not reference data"
    )
    assert not _reference_is_built(settings, first.digest), "no build file yet"
    settings.build_db.touch()
    assert not _reference_is_built(settings, first.digest), "never recorded"
    (settings.home_dir / REFERENCE_FILE).write_text(first.digest + "\n")
    assert _reference_is_built(settings, first.digest)

    articles = project / "models" / "marts" / "core" / "dim_articles.sql"
    articles.write_text(articles.read_text(encoding="utf-8") + "\n-- edited\n", encoding="utf-8")
    assert reference().digest == first.digest, "a model reading the archive is not reference data"
    dates = project / "models" / "marts" / "core" / "dim_dates.sql"
    dates.write_text(dates.read_text(encoding="utf-8") + "\n-- edited\n", encoding="utf-8")
    edited = reference()
    assert edited.digest != first.digest
    seed = next((project / "seeds").rglob("*.csv"))
    seed.write_text(seed.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    assert reference().digest not in {first.digest, edited.digest}


def test_rows_by_key_macro_reads_rowid_ranges_and_survives_renumbered_rows(tmp_path: Path) -> None:
    """The dbt macro rows_by_key, compiled by real dbt against a real table: it reads the listed
    rows within the ranges rnw.incremental.rowid_ranges cuts, and its SQL still returns exactly
    those rows after a checkpoint renumbered the table (as one may between dbt's compile-time lookup
    and the model's query), where the ranges alone would miss them."""
    import re

    import yaml
    from dbt.cli.main import dbtRunner

    from rnw.build import _release_duckdb
    from rnw.settings import REPO_ROOT

    db = tmp_path / "probe.duckdb"
    wanted = [f"p{i}" for i in (*range(299_700, 300_000), 5, 120_000, 170_001)] + ["it's", "absent"]
    with duckdb.connect(str(db)) as con:
        con.execute(
            "CREATE TABLE pages AS SELECT 'p' || i AS page_id, i, repeat('正文', 20) AS page_text FROM range(300000) t(i)"
        )
        con.execute("INSERT INTO pages VALUES ('it''s', -1, 'a key that needs quoting')")
        con.execute("CREATE TABLE wanted AS SELECT unnest(?) AS page_id", [wanted])
        rowids = [
            r
            for (r,) in con.execute(
                "SELECT rowid FROM pages WHERE list_contains(?, page_id)", [wanted]
            ).fetchall()
        ]
        expected = sorted(
            con.execute("SELECT * FROM pages WHERE list_contains(?, page_id)", [wanted]).fetchall()
        )

    project = tmp_path / "project"
    shutil.copytree(REPO_ROOT / "dbt_project" / "macros", project / "macros")
    (project / "models").mkdir()
    (project / "models" / "picked.sql").write_text(
        "{{ rows_by_key('main.pages', 'page_id', 'select page_id from main.wanted') }}\n", encoding="utf-8"
    )
    variables = yaml.safe_load((REPO_ROOT / "dbt_project" / "dbt_project.yml").read_text(encoding="utf-8"))[
        "vars"
    ]
    (project / "dbt_project.yml").write_text(
        yaml.safe_dump(
            {"name": "probe", "version": "1.0", "config-version": 2, "profile": "probe", "vars": variables}
        ),
        encoding="utf-8",
    )
    (project / "profiles.yml").write_text(
        yaml.safe_dump(
            {"probe": {"target": "t", "outputs": {"t": {"type": "duckdb", "path": str(db), "threads": 1}}}}
        ),
        encoding="utf-8",
    )
    try:
        result = dbtRunner().invoke(
            [
                "compile",
                "--project-dir",
                str(project),
                "--profiles-dir",
                str(project),
                "--select",
                "picked",
                "--quiet",
            ]
        )
    finally:
        _release_duckdb()
    assert result.success, result.exception
    sql = (project / "target" / "compiled" / "probe" / "models" / "picked.sql").read_text(encoding="utf-8")
    ranges = [(int(a), int(b)) for a, b in re.findall(r"rowid between (\d+) and (\d+)", sql)]
    assert ranges == rowid_ranges(rowids), "the SQL twin cuts the ranges the Python one does"
    [ranged_only] = re.findall(r"with ranged as materialized \((.*?)\),\s+renumbered as", sql, re.DOTALL)

    with duckdb.connect(str(db)) as con:
        assert sorted(con.sql(sql).fetchall()) == expected
        assert len(con.sql(ranged_only).fetchall()) == len(expected)
        con.execute("DELETE FROM pages WHERE i < 290000 AND NOT list_contains(?, page_id)", [wanted])
        con.execute("CHECKPOINT")  # vacuums the deletes: the rows after them get new rowids
        assert len(con.sql(ranged_only).fetchall()) < len(expected), "the ranges now miss rows"
        assert sorted(con.sql(sql).fetchall()) == expected
    assert len(expected) == 304


def test_rowid_ranges_part_a_view_into_every_row_once(con: duckdb.DuckDBPyConnection) -> None:
    con.execute("DELETE FROM pages WHERE page_id LIKE 'p1%'")  # gaps in the rowids
    con.execute("CREATE VIEW kept AS SELECT page_id, rowid AS pages_rowid FROM pages WHERE page_id <> 'p7'")
    parts = [part.fetchall() for part in in_rowid_ranges(con, con.table("kept"), "pages_rowid", 40)]
    rows = [row for part in parts for row in part]
    assert sorted(rows) == sorted(con.sql("SELECT * FROM kept").fetchall())
    assert len(rows) == len(set(rows)) == 500 + 1 - 111 - 1
    assert max(len(part) for part in parts) == 40
    assert len(parts) == -(-len(rows) // 40)
    assert list(in_rowid_ranges(con, con.table("kept").filter("false"), "pages_rowid", 40)) == []


def test_sized_rowid_ranges_end_once_their_rows_reach_the_size(con: duckdb.DuckDBPyConnection) -> None:
    """A part ends at ``rows`` rows or once its rows' sizes reach the total, whichever comes first:
    its sizes pass the total by its last row's at most, however large that row is."""
    con.execute(
        "CREATE VIEW sized AS SELECT page_id, rowid AS pages_rowid,"
        " CASE WHEN rowid = 77 THEN 5000 ELSE rowid % 5 END AS size FROM pages"
    )
    parts = [
        sorted(part.fetchall(), key=lambda row: row[1])
        for part in in_rowid_ranges(con, con.table("sized"), "pages_rowid", 40, size=("size", 90))
    ]
    rows = [row for part in parts for row in part]
    assert sorted(rows) == sorted(con.sql("SELECT * FROM sized").fetchall())
    assert max(len(part) for part in parts) == 40
    assert all(sum(size for *_, size in part[:-1]) < 90 for part in parts)
    assert [part[-1][1] for part in parts if any(rowid == 77 for _, rowid, _ in part)] == [77]
    assert len(parts) > -(-len(rows) // 40), "some parts end on their size"


def test_a_join_in_rowid_ranges_holds_under_a_cap_that_the_whole_join_runs_out_of(tmp_path: Path) -> None:
    """The shape of int_article_indicators' input: bodies joined with region lists, under a DuckDB
    memory cap far below the bodies' size (96 MB of text under 32 MB, as 594 MB under DuckDB's
    160 MB cap at 100k pages)."""
    path = str(tmp_path / "j.duckdb")
    with duckdb.connect(path) as setup:
        setup.execute(
            "CREATE TABLE bodies AS SELECT md5(i::varchar) AS article_id, repeat(md5(i::varchar), 100)"
            " AS body_text, i % 7 <> 0 AS is_canonical FROM range(30000) t(i)"
        )
        setup.execute(
            "CREATE TABLE regions AS SELECT md5(i::varchar) AS article_id,"
            " [{'region_code': i::varchar, 'char_start': i}] AS mentions FROM range(30000) t(i)"
        )
        setup.execute(
            "CREATE VIEW canonical AS SELECT article_id, body_text, rowid AS bodies_rowid"
            " FROM bodies WHERE is_canonical"
        )
    capped = duckdb.connect(path, config={"memory_limit": "32MB", "preserve_insertion_order": False})
    articles, regions = capped.table("canonical"), capped.table("regions")
    with pytest.raises(duckdb.OutOfMemoryException):
        for _ in articles.join(regions, "article_id").to_arrow_reader(500):
            pass
    joined = [
        batch
        for part in in_rowid_ranges(capped, articles, "bodies_rowid", 2000)
        for batch in part.join(regions, "article_id").to_arrow_reader(500)
    ]
    assert sum(batch.num_rows for batch in joined) == sum(1 for i in range(30000) if i % 7)
    assert all(batch.column("mentions")[0].as_py() for batch in joined)


def test_parts_start_with_duckdb_cache_emptied_when_the_node_runs_alone(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Reading a table in parts fills DuckDB's cache with blocks no later part reads again; in a
    build that runs one node at a time each part starts with it empty, under the same cap."""
    path = str(tmp_path / "c.duckdb")
    with duckdb.connect(path) as setup:
        setup.execute(
            "CREATE TABLE bodies AS SELECT i, repeat(md5(i::varchar) || '正文', 40) AS body_text"
            " FROM range(30000) t(i)"
        )
    cap = "64MB"

    def cached_before_each_part() -> tuple[list[float], str]:
        with duckdb.connect(path, config={"memory_limit": cap}) as con:
            before = []
            view = con.sql("SELECT body_text, rowid AS bodies_rowid FROM bodies")
            for part in in_rowid_ranges(con, view, "bodies_rowid", 5000):
                [(cached,)] = con.sql(
                    "SELECT sum(memory_usage_bytes) / 2**20 FROM duckdb_memory() WHERE tag = 'BASE_TABLE'"
                ).fetchall()
                before.append(cached)
                part.aggregate("sum(length(body_text))").fetchall()
            return before, memory_cap(con)

    monkeypatch.delenv(rnw.incremental.EMPTY_CACHE_VARIABLE, raising=False)
    monkeypatch.setenv(rnw.incremental.MEMORY_LIMIT_VARIABLE, cap)
    kept, kept_cap = cached_before_each_part()
    monkeypatch.setenv(rnw.incremental.EMPTY_CACHE_VARIABLE, "1")
    emptied, emptied_cap = cached_before_each_part()

    assert len(kept) == len(emptied) == 6
    assert kept[-1] > 20, "without emptying, the cache holds the earlier parts' blocks"
    assert max(emptied) < 2
    assert emptied_cap == kept_cap == shown_cap(cap)


def test_emptying_the_cache_sets_the_cap_back_when_blocks_cannot_be_evicted(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """DuckDB refuses a cap under what it cannot evict (the blocks of a query still being read
    here, as a model reads its input while it writes), yet keeps the lower cap: every later query
    of the build would then run under 1 MB."""
    cap = "64MB"
    monkeypatch.setenv(rnw.incremental.EMPTY_CACHE_VARIABLE, "1")
    monkeypatch.setenv(rnw.incremental.MEMORY_LIMIT_VARIABLE, cap)
    with duckdb.connect(config={"memory_limit": cap}) as con:
        con.execute("CREATE TABLE held AS SELECT repeat(md5(i::varchar), 8) AS text FROM range(50000) t(i)")
        as_set = memory_cap(con)
        con.execute("SELECT * FROM held")  # open, not yet read
        with pytest.raises(duckdb.OutOfMemoryException):  # what the emptying meets
            con.cursor().execute("SET memory_limit = '1MB'")
        con.cursor().execute(f"SET memory_limit = '{cap}'")
        rnw.incremental.empty_cache_when_alone(con)
        assert memory_cap(con.cursor()) == as_set


def test_a_parts_regions_are_read_by_key_not_by_scanning_every_articles(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """int_article_indicators' input (rnw.enrich.with_regions): each part of the articles comes
    with its own regions and no others, and reading a part leaves in DuckDB's cache the blocks of
    its regions, not those of the whole regions table, whose size grows with the archive."""
    import rnw.enrich
    from rnw.enrich import ROWID, with_regions

    per_read = 5_000  # the part size, not the product's, sets how large the tables must be to tell
    monkeypatch.setattr(rnw.enrich, "ARTICLES_PER_READ", per_read)
    path = str(tmp_path / "r.duckdb")
    articles_count = 8 * per_read
    with duckdb.connect(path) as setup:
        setup.execute(
            f"CREATE TABLE bodies AS SELECT md5(i::varchar) AS article_id, repeat('正文', 20) AS body_text"
            f" FROM range({articles_count}) t(i)"
        )
        setup.execute(
            "CREATE TABLE regions AS SELECT md5(i::varchar) AS article_id,"
            " [{'region_code': md5((i * 7 + j)::varchar), 'char_start': j} FOR j IN range(30)] AS mentions,"
            " md5((i * 3)::varchar) AS primary_region_code"
            f" FROM range({articles_count}) t(i) WHERE i <> 17"
        )
        setup.execute(f"CREATE VIEW canonical AS SELECT *, rowid AS {ROWID} FROM bodies")
        expected = sorted(
            setup.sql(
                "SELECT article_id, body_text, mentions, primary_region_code FROM bodies JOIN regions USING (article_id)"
            ).fetchall()
        )
    cap = "256MB"
    monkeypatch.setenv(rnw.incremental.EMPTY_CACHE_VARIABLE, "1")  # as in a bulk build
    monkeypatch.setenv(rnw.incremental.MEMORY_LIMIT_VARIABLE, cap)
    with duckdb.connect(path, config={"memory_limit": cap}) as con:
        regions = con.query('select * from "r"."main"."regions"')  # what dbt.ref hands a Python model
        articles = con.query('select * from "r"."main"."canonical"').project(
            f"article_id, body_text, {ROWID}"
        )
        [(regions_mib,)] = con.sql(
            "SELECT count(DISTINCT block_id) * 256 / 1024 FROM pragma_storage_info('regions') WHERE persistent"
        ).fetchall()
        watcher = con.cursor()
        rows, cached = [], []
        for batch in with_regions(con, articles, regions, "mentions, primary_region_code"):
            rows += zip(*batch.to_pydict().values(), strict=True)
            [(mib,)] = watcher.sql(
                "SELECT sum(memory_usage_bytes) / 2**20 FROM duckdb_memory() WHERE tag = 'BASE_TABLE'"
            ).fetchall()
            cached.append(mib)
    assert sorted(rows) == expected and len(rows) == articles_count - 1
    assert regions_mib > 12, "the regions table must outweigh one part's blocks for this test to tell"
    assert max(cached) < regions_mib / 2, (max(cached), regions_mib)


def test_page_text_joined_from_its_parts_by_size_ranges_holds_under_a_small_cap(
    tmp_path: Path, sample_text: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Joining a page's text back from its parts holds every part of a query's range until its
    pages are joined: 1,000 full-size pages ran a first load out of its 96 MB cap. Ranges of at most
    TEXT_BYTES_PER_READ raw bytes hold under a cap far below the pages' size, and every page's text
    comes back as it was stored."""
    from rnw import articles
    from rnw.rawstore import RawStore
    from tests.test_ingest import text_pages

    store = RawStore(tmp_path / "raw.duckdb")
    pages = text_pages([f"第{i}号。{sample_text[:2000]}" * 60 for i in range(40)], "s", "r")  # 350 KB each
    for start in range(0, len(pages), 10):
        store.append(pages[start : start + 10])
    capped = duckdb.connect(config={"memory_limit": "32MB", "preserve_insertion_order": False})
    capped.execute(f"ATTACH '{store.path}' AS raw (READ_ONLY)")
    stored = capped.sql("SELECT page_id, content_type, uri, page_seq, byte_size FROM raw.pages")
    parts = capped.sql("SELECT page_seq, part, text AS text_part FROM raw.page_parts")

    def texts() -> dict[str, str]:
        batches = articles.pages_with_text(capped, stored, parts, articles.PAGES_PER_READ, 5)
        return {row["page_id"]: row["page_text"] for batch in batches for row in batch.to_pylist()}

    monkeypatch.setattr(articles, "TEXT_BYTES_PER_READ", 1 << 40)  # ranges by count alone: one range
    with pytest.raises(duckdb.OutOfMemoryException):
        texts()
    monkeypatch.setattr(articles, "TEXT_BYTES_PER_READ", 2 * 1024 * 1024)
    assert texts() == {page.page_id: page.text for page in pages}
