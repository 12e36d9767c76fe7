"""End to end with the real parts: a DuckDB file, dbt build, Prefect flow runs and the rnw CLI."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest
from typer.testing import CliRunner

from rnw import cli
from rnw.cli import app
from tests.conftest import SAMPLE
from tests.test_textdump import TITLE_1, TITLE_2, hot_list_items

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory, prefect_harness: None) -> Path:
    """A warehouse built by `rnw run` from a registry that lists only the sample page."""
    root = tmp_path_factory.mktemp("pipeline")
    (root / "pages").mkdir()
    (root / "pages" / "sample.txt").write_bytes(SAMPLE.read_bytes())
    (root / "sources.yml").write_text(
        "sources:\n  - id: sample\n    name: Sample\n    kind: files\n    paths: [pages]\n", encoding="utf-8"
    )
    home = root / "var"
    result = rnw(home, "run", sources=root / "sources.yml")
    assert result.exit_code == 0, result.output
    assert "| dbt | tests failed | 0 |" in result.output
    return home


def rnw(home: Path, *args: str, sources: Path | None = None):
    env = {"COLUMNS": "240", **({"RNW_SOURCES": str(sources)} if sources else {})}
    return CliRunner().invoke(app, ["--home", str(home), *args], env=env, catch_exceptions=False)


def _mart_not_null(home: Path) -> tuple[set[tuple[str, str]], set[tuple[str, str]]]:
    """(mart, column) pairs whose contract declares not_null, and those with a not_null data test,
    from the build's manifest."""
    manifest = json.loads((home / "dbt_target" / "manifest.json").read_text(encoding="utf-8"))
    marts = {
        uid: node
        for uid, node in manifest["nodes"].items()
        if node["resource_type"] == "model" and node["config"].get("contract", {}).get("enforced")
    }
    declared = {
        (node["name"], column["name"])
        for node in marts.values()
        for column in node["columns"].values()
        if any(c["type"] == "not_null" for c in column.get("constraints", []))
    }
    tested = {
        (marts[node["attached_node"]]["name"], node["column_name"])
        for node in manifest["nodes"].values()
        if node["resource_type"] == "test"
        and (node.get("test_metadata") or {}).get("name") == "not_null"
        and node.get("attached_node") in marts
    }
    return declared, tested


def query(home: Path, sql: str) -> list[tuple]:
    con = duckdb.connect(str(home / "warehouse.duckdb"), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def snapshot(home: Path) -> dict[str, list[tuple]]:
    return {
        "articles": query(
            home, "SELECT article_id, title, occurrence_count FROM marts.dim_articles ORDER BY 1"
        ),
        "occurrences": query(
            home, "SELECT occurrence_id, article_id, page_id FROM marts.fct_article_occurrences ORDER BY 1"
        ),
        "sections": query(home, "SELECT section_id, heading FROM marts.dim_article_sections ORDER BY 1"),
    }


def test_sample_gives_two_articles_and_three_occurrences(home: Path) -> None:
    titles = sorted(t for (t,) in query(home, "SELECT title FROM marts.dim_articles"))
    assert titles == sorted([TITLE_1, TITLE_2])
    occurrences = query(
        home,
        "SELECT a.title, count(*), count(*) FILTER (WHERE o.is_first) FROM marts.fct_article_occurrences o "
        "JOIN marts.dim_articles a USING (article_id) GROUP BY 1 ORDER BY 1",
    )
    assert sorted(occurrences) == sorted([(TITLE_1, 2, 1), (TITLE_2, 1, 1)])


def test_no_chrome_hot_list_or_credit_in_any_body(home: Path, sample_text: str) -> None:
    bodies = [b for (b,) in query(home, "SELECT body_text FROM marts.dim_articles")]
    for body in bodies:
        assert (
            "写留言" not in body
            and "热门推荐" not in body
            and "记者 郝一萍" not in body
            and "t.cn/" not in body
        )
        for item in hot_list_items(sample_text):
            assert item[:12] not in body
    authors = dict(query(home, "SELECT title, authors FROM marts.dim_articles"))
    assert authors[TITLE_1][:2] == ["郝一萍", "张兆瑞"] and authors[TITLE_2] == ["陈璇", "叶昌云"]


def test_published_schemas_are_exactly_staging_marts_and_ops(home: Path) -> None:
    schemas = {s for (s,) in query(home, "SELECT DISTINCT schema_name FROM duckdb_tables()")}
    assert schemas == {"staging", "marts", "ops"}
    constraints = query(
        home,
        "SELECT constraint_type, count(*) FROM duckdb_constraints() WHERE schema_name = 'marts' "
        "AND table_name = 'fct_indicator_observations' GROUP BY 1",
    )
    # NOT NULL keys, but no PRIMARY KEY: its index cost every nightly a rewrite (README, Data quality).
    assert dict(constraints).keys() == {"NOT NULL"}
    declared, tested = _mart_not_null(home)
    assert ("fct_indicator_observations", "value") in declared and ("dim_articles", "body_text") in declared
    assert not tested, "a mart column's NOT NULL is its constraint's to enforce, not a test node's"
    enforced = set(
        query(
            home,
            "SELECT table_name, unnest(constraint_column_names) FROM duckdb_constraints() "
            "WHERE schema_name = 'marts' AND constraint_type = 'NOT NULL'",
        )
    )
    assert declared == enforced, "every not_null constraint of a mart's contract is in the published table"
    comments = query(
        home,
        "SELECT comment FROM duckdb_columns() WHERE table_name = 'dim_articles' AND column_name = 'body_text'",
    )
    assert comments and "Main text only" in comments[0][0]
    page_columns = {
        c
        for (c,) in query(
            home, "SELECT column_name FROM duckdb_columns() WHERE table_name = 'stg_raw__pages'"
        )
    }
    assert "page_text" not in page_columns, "page text stays in build.duckdb: publish cost follows the marts"
    assert "page_seq" not in page_columns, (
        "a page's place in the raw store is the build's, not a fact about it"
    )
    published = {
        t for (t,) in query(home, "SELECT table_name FROM duckdb_tables() WHERE schema_name = 'staging'")
    }
    assert "stg_raw__page_parts" not in published and "stg_raw__pages" in published
    assert {"page_id", "uri", "byte_size", "fetched_at"} <= page_columns


def test_the_warehouse_compresses_text_and_the_working_files_keep_the_default_format(home: Path) -> None:
    """The published file is copied at every publish, so it is written in the storage format that
    compresses text (ZSTD, DuckDB 1.2 or newer reads it); the raw store and the build file, read a
    few rows at a time, keep DuckDB's default."""

    def storage_version(name: str) -> str:
        with duckdb.connect(str(home / name), read_only=True) as con:
            [(tags,)] = con.sql("SELECT tags FROM duckdb_databases() WHERE NOT internal").fetchall()
        return tags["storage_version"]

    assert storage_version("warehouse.duckdb") == storage_version("build_marts.duckdb") == "v1.2.0+"
    assert storage_version("raw.duckdb") == storage_version("build.duckdb") == "v1.0.0+"
    compressions = {
        c for (c,) in query(home, "SELECT compression FROM pragma_storage_info('marts.dim_articles')")
    }
    assert "ZSTD" in compressions or "DICT_FSST" in compressions, compressions


def test_no_model_has_duckdb_materialize_a_cte(home: Path) -> None:
    """DuckDB materializes a CTE read twice, every row of it in its buffer pool: int_articles_
    deduplicated's and dim_articles' occurrences held every body of a first load (at 100k pages
    they filled the cap and spilled). Such a CTE is declared ``not materialized``. Every model,
    test and hook a build compiled is checked."""
    compiled = {
        path: text
        for path in sorted((home / "dbt_target" / "compiled" / "rnw").rglob("*.sql"))
        if (text := path.read_text(encoding="utf-8")).strip()  # an on-run-end hook compiles to nothing
    }
    assert len(compiled) > 20
    with duckdb.connect(str(home / "build.duckdb"), read_only=True) as con:
        con.execute(f"ATTACH '{home / 'raw.duckdb'}' AS raw (READ_ONLY)")
        con.execute(f"ATTACH '{home / 'build_marts.duckdb'}' AS build_marts (READ_ONLY)")
        materialized = {
            path.stem: re.findall(r"CTE Name: (\w+)", plan)
            for path, text in compiled.items()
            for _, plan in con.execute("EXPLAIN " + text).fetchall()
        }
    assert {model: ctes for model, ctes in materialized.items() if ctes} == {}


def test_ingest_and_build_again_change_nothing(home: Path) -> None:
    before = snapshot(home)
    assert rnw(home, "ingest", str(SAMPLE), "--source", "sample").exit_code == 0
    result = rnw(home, "build")
    assert result.exit_code == 0, result.output
    assert snapshot(home) == before


def test_open_reader_does_not_block_run(home: Path, tmp_path: Path) -> None:
    count = "print(con.execute('SELECT count(*) FROM marts.dim_articles').fetchone()[0], flush=True)\n"
    script = (
        f"import duckdb, sys\ncon = duckdb.connect({str(home / 'warehouse.duckdb')!r}, read_only=True)\n"
        + count
        + "sys.stdin.readline()\n"
        + count
    )
    reader = subprocess.Popen(
        [sys.executable, "-c", script],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert reader.stdout.readline().strip() == "2"
        extra = tmp_path / "extra.txt"
        extra.write_text(
            "【另一篇报道】\n" + "天津市今年新建公园十座，市民休闲空间不断扩大。" * 10, encoding="utf-8"
        )
        assert rnw(home, "ingest", str(extra), "--source", "sample").exit_code == 0
        result = rnw(home, "build")
        assert result.exit_code == 0, result.output
        assert query(home, "SELECT count(*) FROM marts.dim_articles") == [(3,)]
        reader.stdin.write("\n")
        reader.stdin.flush()
        assert reader.stdout.readline().strip() == "2", "the open reader keeps its consistent old snapshot"
    finally:
        reader.kill()
        reader.wait()


def test_run_history_and_status(home: Path) -> None:
    runs = query(
        home,
        "SELECT flow, status, pages_new, articles, dbt_tests_failed FROM ops.pipeline_runs ORDER BY started_at",
    )
    assert runs[0][:2] == ("nightly", "success") and runs[0][2] == 1 and runs[0][3] == 2 and runs[0][4] == 0
    stages = {s for (s,) in query(home, "SELECT stage FROM ops.stage_metrics")}
    assert {"ingest", "dbt_build", "publish"} <= stages


STATUS_COLUMNS = [
    "run",
    "flow",
    "status",
    "started",
    "seconds",
    "pages_new",
    "rejected",
    "articles",
    "articles_new",
    "folded",
    "indicators",
    "tests_failed",
    "error",
]


@pytest.mark.parametrize("width", [80, 240])
def test_status_can_be_read_at_any_terminal_width(
    home: Path, monkeypatch: pytest.MonkeyPatch, width: int
) -> None:
    """Squeezed into 80 columns, the table cut every column to two letters (seen under pytest-xdist,
    whose workers export COLUMNS=80): a narrow terminal gets a block per run instead."""
    monkeypatch.setattr(cli.out, "width", width)
    [newest] = query(
        home,
        "SELECT run_id[:8], flow, status, strftime(started_at, '%Y-%m-%d %H:%M:%S') FROM ops.pipeline_runs "
        "ORDER BY started_at DESC LIMIT 1",
    )
    lines = rnw(home, "status").output.splitlines()
    assert all(len(line.rstrip()) <= width for line in lines)
    if width == 80:
        first = lines[lines.index(next(line for line in lines if line.startswith("row 1 "))) + 1 :]
        fields = {}
        for line in first:
            if line.startswith("row "):
                break
            name, *value = line.split()
            fields[name] = " ".join(value)
        assert (fields["run"], fields["flow"], fields["status"], fields["started"]) == newest
    else:
        header = next(line for line in lines if "┃" in line)
        assert [name.strip() for name in header.split("┃")[1:-1]] == STATUS_COLUMNS
        row = next(line for line in lines if line.startswith("│"))
        assert tuple(cell.strip() for cell in row.split("│")[1:5]) == newest


def test_query_formats(home: Path) -> None:
    sql = "SELECT title, occurrence_count FROM marts.dim_articles WHERE title LIKE '凉山%'"
    as_json = rnw(home, "query", sql, "--format", "json")
    assert json.loads(as_json.output) == [{"title": TITLE_2, "occurrence_count": 1}]
    as_csv = rnw(home, "query", sql, "--format", "csv")
    assert as_csv.output.splitlines() == ["title,occurrence_count", f"{TITLE_2},1"]
    assert TITLE_2[:6] in rnw(home, "query", sql).output


def test_expected_errors_are_one_line(home: Path, tmp_path: Path) -> None:
    bad_sql = rnw(home, "query", "SELECT * FROM marts.nope")
    missing = rnw(home, "ingest", str(tmp_path / "missing"))
    (tmp_path / "bad.yml").write_text("sources:\n  - id: x\n    name: X\n    kind: files\n    folder: y\n")
    bad_registry = rnw(home, "run", sources=tmp_path / "bad.yml")
    for result, needle in [
        (bad_sql, "nope"),
        (missing, "no such file"),
        (bad_registry, "source 'x': key 'folder'"),
    ]:
        assert result.exit_code == 1
        assert needle in result.output and "Traceback" not in result.output


def test_enrichment_marts_on_the_sample(home: Path) -> None:
    primaries = dict(
        query(
            home,
            "SELECT a.title, r.region_code FROM marts.fct_region_mentions r "
            "JOIN marts.dim_articles a USING (article_id) WHERE r.is_primary",
        )
    )
    assert (primaries[TITLE_1], primaries[TITLE_2]) == ("120000", "513400")
    assert (
        query(
            home,
            "SELECT count(*) FROM marts.fct_region_mentions GROUP BY article_id HAVING count(*) FILTER (WHERE is_primary) > 1",
        )
        == []
    )
    groups = {g for (g,) in query(home, "SELECT group_id FROM marts.fct_region_group_mentions")}
    assert "jingjinji" in groups
    sliced = query(
        home,
        "SELECT o.value_text, o.unit, substr(a.body_text, o.char_start + 1, o.char_end - o.char_start) "
        "FROM marts.fct_indicator_observations o JOIN marts.dim_articles a USING (article_id)",
    )
    assert len(sliced) > 50
    assert all(value in text for value, _, text in sliced)
    flagged = query(
        home,
        "SELECT normalized_unit, quality_flag FROM marts.fct_indicator_observations WHERE unit LIKE '克每立方米%'",
    )
    assert flagged and all(unit == "ug/m3" and flag is not None for unit, flag in flagged)
    wang = query(
        home,
        "SELECT p.role, p.title, p.organization FROM marts.fct_person_mentions p WHERE p.name = '王会芝'",
    )
    assert ("quoted", "副所长", "天津社会科学院资源环境与生态研究所") in wang
    reporters = {
        n for (n,) in query(home, "SELECT name FROM marts.fct_person_mentions WHERE role = 'reporter'")
    }
    assert {"郝一萍", "陈璇", "叶昌云"} <= reporters and not any("视觉部" in n for n in reporters)
    top = dict(
        query(
            home,
            "SELECT a.title, t.topic_id FROM marts.fct_article_topics t JOIN marts.dim_articles a USING (article_id) "
            "WHERE t.rank = 1",
        )
    )
    assert top[TITLE_2] == "ecology_environment"
