"""Every example query in queries/ runs on a real warehouse, returns the columns its README promises,
and answers its question on data where the answer is known."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pytest
from typer.testing import CliRunner

from rnw.cli import app
from scrapers.textdump import split_text_dump
from tests.conftest import SAMPLE

pytestmark = pytest.mark.slow

QUERIES = Path(__file__).resolve().parents[1] / "queries"
EXPECTED_COLUMNS = {
    "articles_per_source_per_day": ["source_id", "source_name", "day", "date_basis", "article_count"],
    "flagged_indicator_values": [
        "quality_flag",
        "indicator",
        "value",
        "unit",
        "normalized_value",
        "normalized_unit",
        "region_name",
        "region_code",
        "period_year",
        "sentence",
        "char_start",
        "char_end",
        "title",
        "uri",
        "observation_id",
    ],
    "indicator_series_by_region": [
        "region_name",
        "region_code",
        "indicator",
        "normalized_unit",
        "change_kind",
        "period_year",
        "observation_count",
        "article_count",
        "min_value",
        "median_value",
        "max_value",
        "flagged_count",
    ],
    "pm25_by_city_and_year": [
        "province",
        "city",
        "region_name",
        "region_code",
        "period_year",
        "indicator",
        "value",
        "unit",
        "value_ug_m3",
        "quality_flag",
        "title",
        "sentence",
    ],
    "quoted_officials_by_organisation": [
        "organization",
        "organization_kind",
        "person",
        "title",
        "article_count",
        "sample_quote",
        "article_titles",
    ],
    "region_group_coverage_over_time": [
        "group_name",
        "group_id",
        "month",
        "date_basis",
        "article_count",
        "mention_count",
    ],
    "rejects_by_reason": [
        "source_id",
        "reason",
        "reject_count",
        "first_seen_at",
        "last_seen_at",
        "example_uri",
        "example_detail",
    ],
    "reporters_by_region": [
        "reporter",
        "person_id",
        "primary_region",
        "region_code",
        "article_count",
        "roles",
        "first_published_at",
        "last_published_at",
    ],
    "syndicated_stories": [
        "article_id",
        "title",
        "source_count",
        "occurrence_count",
        "source_ids",
        "first_source_id",
        "first_seen_at",
        "last_seen_at",
        "min_similarity",
    ],
    "top_regions_per_topic": [
        "topic",
        "topic_zh",
        "region_name",
        "region_level",
        "region_code",
        "article_count",
        "primary_article_count",
        "mention_count",
    ],
}
LIANGSHAN = "凉山生态文明建设步伐坚定有力"


def run(home: Path, name: str) -> list[dict]:
    con = duckdb.connect(str(home / "warehouse.duckdb"), read_only=True)
    try:
        cursor = con.execute((QUERIES / f"{name}.sql").read_text(encoding="utf-8"))
        columns = [d[0] for d in cursor.description]
        return [dict(zip(columns, row, strict=True)) for row in cursor.fetchall()]
    finally:
        con.close()


def columns_of(home: Path, name: str) -> list[str]:
    con = duckdb.connect(str(home / "warehouse.duckdb"), read_only=True)
    try:
        sql = (QUERIES / f"{name}.sql").read_text(encoding="utf-8")
        return [d[0] for d in con.execute(sql).description]
    finally:
        con.close()


def test_every_query_is_listed_documented_and_expected() -> None:
    names = sorted(p.stem for p in QUERIES.glob("*.sql"))
    assert len(names) >= 8
    assert names == sorted(EXPECTED_COLUMNS), "add the new query's columns to EXPECTED_COLUMNS"
    readme = (QUERIES / "README.md").read_text(encoding="utf-8")
    for name in names:
        assert f"{name}.sql" in readme, f"{name}.sql missing from queries/README.md"
        assert (QUERIES / f"{name}.sql").read_text(encoding="utf-8").startswith("-- Question: ")


@pytest.mark.parametrize("name", sorted(EXPECTED_COLUMNS))
def test_query_runs_with_expected_columns(examples_warehouse: Path, name: str) -> None:
    assert columns_of(examples_warehouse, name) == EXPECTED_COLUMNS[name]


def test_pm25_returns_the_flagged_liangshan_value(examples_warehouse: Path) -> None:
    rows = run(examples_warehouse, "pm25_by_city_and_year")
    xichang = [r for r in rows if r["region_name"] == "西昌市"]
    assert len(xichang) == 1
    row = xichang[0]
    assert (row["province"], row["city"], row["period_year"], row["value"], row["unit"]) == (
        "四川省",
        "凉山彝族自治州",
        2021,
        21.0,
        "克每立方米",
    )
    assert row["quality_flag"] == "unit_typo_suspected"
    assert all("PM2.5" in r["indicator"] and r["value_ug_m3"] is not None for r in rows)


def test_flagged_values_point_at_their_sentence(examples_warehouse: Path) -> None:
    rows = run(examples_warehouse, "flagged_indicator_values")
    assert rows and all(r["quality_flag"] for r in rows)
    pm25 = next(r for r in rows if r["indicator"].startswith("PM2.5"))
    assert "21.0克每立方米" in pm25["sentence"] and pm25["title"] == LIANGSHAN and pm25["uri"]


def test_people_queries_on_the_examples(examples_warehouse: Path) -> None:
    reporters = {(r["reporter"], r["primary_region"]) for r in run(examples_warehouse, "reporters_by_region")}
    assert {("陈璇", "凉山彝族自治州"), ("叶昌云", "凉山彝族自治州"), ("郝一萍", "天津市")} <= reporters
    quoted = {
        (r["organization"], r["person"]) for r in run(examples_warehouse, "quoted_officials_by_organisation")
    }
    assert ("天津社会科学院资源环境与生态研究所", "王会芝") in quoted
    assert all(
        r["reporter"] not in {"王会芝", "李金泽"} for r in run(examples_warehouse, "reporters_by_region")
    )


def test_regions_topics_and_groups_on_the_examples(examples_warehouse: Path) -> None:
    top = run(examples_warehouse, "top_regions_per_topic")
    per_topic: dict[str, int] = {}
    for row in top:
        per_topic[row["topic"]] = per_topic.get(row["topic"], 0) + 1
    assert per_topic and max(per_topic.values()) <= 5
    ecology = [
        (r["article_count"], r["mention_count"], r["region_name"])
        for r in top
        if r["topic"] == "ecology and environment"
    ]
    assert ecology == sorted(ecology, key=lambda r: (-r[0], -r[1]))
    assert ecology[0] == (1, 45, "天津市"), "the 京津冀 story names 天津 45 times"
    groups = {r["group_name"] for r in run(examples_warehouse, "region_group_coverage_over_time")}
    assert "京津冀" in groups
    series = run(examples_warehouse, "indicator_series_by_region")
    assert any(r["region_name"] == "西昌市" and r["flagged_count"] == 1 for r in series)


def test_no_story_is_syndicated_among_the_examples(examples_warehouse: Path) -> None:
    """Every example page comes from one source: a story repeated on one page is not syndication."""
    assert run(examples_warehouse, "syndicated_stories") == []


@pytest.fixture(scope="module")
def syndicated_home(tmp_path_factory: pytest.TempPathFactory, prefect_harness: None) -> Path:
    """A warehouse from two file sources: the sample page, and a second paper's reprint of its 凉山 story
    (own lead-in, its own page, different bytes), as syndication looks on regional portals."""
    root = tmp_path_factory.mktemp("syndication")
    (root / "sample").mkdir()
    (root / "sample" / "sample.txt").write_bytes(SAMPLE.read_bytes())
    original = next(a for a in split_text_dump(SAMPLE.read_text(encoding="utf-8")) if a.title == LIANGSHAN)
    reprint = "据凉山日报消息，" + original.body_text.replace("\n\n", "\n\n  ")
    (root / "reprints").mkdir()
    (root / "reprints" / "liangshan.txt").write_text(
        f"【{LIANGSHAN}】\n\n  {reprint}\n\n  （责任编辑：王芳）\n", encoding="utf-8"
    )
    (root / "sources.yml").write_text(
        "sources:\n"
        "  - id: sample\n    name: Sample\n    kind: files\n    paths: [sample]\n"
        "  - id: reprints\n    name: 转载\n    kind: files\n    paths: [reprints]\n",
        encoding="utf-8",
    )
    home = root / "var"
    result = CliRunner().invoke(
        app,
        ["--home", str(home), "run"],
        env={"RNW_SOURCES": str(root / "sources.yml")},
        catch_exceptions=False,
    )
    assert result.exit_code == 0, result.output
    return home


def test_syndicated_story_is_found_through_the_cli(syndicated_home: Path) -> None:
    result = CliRunner().invoke(
        app,
        [
            "--home",
            str(syndicated_home),
            "query",
            "--format",
            "json",
            "--file",
            str(QUERIES / "syndicated_stories.sql"),
        ],
        catch_exceptions=False,
    )
    assert result.exit_code == 0, result.output
    rows = json.loads(result.output)
    assert [(r["title"], r["source_ids"], r["source_count"]) for r in rows] == [
        (LIANGSHAN, ["reprints", "sample"], 2)
    ]
    assert 0.9 < rows[0]["min_similarity"] <= 1.0


def test_articles_per_source_count_the_reprint_for_each_source(syndicated_home: Path) -> None:
    rows = run(syndicated_home, "articles_per_source_per_day")
    per_source: dict[str, int] = {}
    for row in rows:
        per_source[row["source_id"]] = per_source.get(row["source_id"], 0) + row["article_count"]
    assert per_source == {"sample": 2, "reprints": 1}
