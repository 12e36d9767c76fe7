"""The region seeds: reproducible from the reference file, unique keys, a consistent hierarchy."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from rnw.regions import build_seed
from rnw.regions.config import (
    GROUP_MEMBERS_SEED,
    GROUPS_SEED,
    REGIONS_SEED,
    STOPLIST_SEED,
    VERSIONS_SEED,
)


def read(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


@pytest.fixture(scope="module")
def regions() -> dict[str, dict[str, str]]:
    return {row["region_code"]: row for row in read(REGIONS_SEED)}


@pytest.fixture(scope="module")
def versions() -> list[dict[str, str]]:
    return read(VERSIONS_SEED)


def test_committed_seeds_equal_a_fresh_build() -> None:
    built = build_seed.read_versions()
    build_seed.link_parents(built)
    assert build_seed.region_rows(built) == read(REGIONS_SEED)
    assert build_seed.version_rows(built) == read(VERSIONS_SEED)


def test_keys_are_unique(regions: dict[str, dict[str, str]], versions: list[dict[str, str]]) -> None:
    assert len(regions) == len(read(REGIONS_SEED))
    assert len({v["version_id"] for v in versions}) == len(versions)
    assert {v["region_code"] for v in versions} == set(regions)


def test_seed_covers_every_level_and_all_provinces(regions: dict[str, dict[str, str]]) -> None:
    levels = [row["level"] for row in regions.values()]
    assert levels.count("province") == 34  # 31 mainland + 台湾, 香港, 澳门
    assert levels.count("prefecture") > 400 and levels.count("county") > 5000
    current = [row for row in regions.values() if row["is_current"] == "true"]
    assert len(current) == 3213  # the 2024 list


def test_every_region_hangs_under_a_parent_in_its_own_province(regions: dict[str, dict[str, str]]) -> None:
    allowed_parent_levels = {"county": {"prefecture", "province"}, "prefecture": {"province"}}
    for code, row in regions.items():
        if row["level"] == "province":
            assert row["parent_code"] == "" and row["province_code"] == code
            continue
        parent = regions[row["parent_code"]]
        assert parent["level"] in allowed_parent_levels[row["level"]], code
        assert parent["province_code"] == row["province_code"], code
        assert regions[row["province_code"]]["level"] == "province", code
        if row["prefecture_code"]:
            assert regions[row["prefecture_code"]]["level"] == "prefecture", code


def test_version_parents_exist_and_share_the_province(
    regions: dict[str, dict[str, str]], versions: list[dict[str, str]]
) -> None:
    for version in versions:
        if version["parent_code"]:
            assert regions[version["parent_code"]]["province_code"] == version["province_code"], version


def test_municipality_districts_hang_directly_under_the_municipality(
    regions: dict[str, dict[str, str]],
) -> None:
    for district in ("110112", "120105", "310115", "500106"):  # 通州区, 河北区, 浦东新区, 沙坪坝区
        row = regions[district]
        assert row["parent_code"] == row["province_code"] and row["prefecture_code"] == ""


@pytest.mark.parametrize(
    ("code", "short_name", "aliases"),
    [
        ("120000", "天津", ""),
        ("513400", "凉山", "凉山州"),
        ("450000", "广西", ""),
        ("150000", "内蒙古", ""),
        ("650000", "新疆", ""),
        ("810000", "香港", ""),
        ("130638", "雄县", ""),  # one character would remain
        ("429021", "神农架", ""),
    ],
)
def test_short_names_and_aliases(
    regions: dict[str, dict[str, str]], code: str, short_name: str, aliases: str
) -> None:
    assert (regions[code]["short_name"], regions[code]["aliases"]) == (short_name, aliases)


def test_retired_code_points_to_its_successor(regions: dict[str, dict[str, str]]) -> None:
    chongwen = regions["110103"]
    assert (chongwen["name"], chongwen["is_current"], chongwen["valid_to"], chongwen["successor_code"]) == (
        "崇文区",
        "false",
        "2010",
        "110101",
    )


def test_reused_code_keeps_each_name_in_versions(versions: list[dict[str, str]]) -> None:
    names = {(v["name"], v["valid_from"], v["valid_to"]) for v in versions if v["region_code"] == "130602"}
    assert names == {("新市区", "1983", "2015"), ("竞秀区", "2015", "")}


def test_group_members_are_known_regions(regions: dict[str, dict[str, str]]) -> None:
    groups = {row["group_id"]: row for row in read(GROUPS_SEED)}
    members = read(GROUP_MEMBERS_SEED)
    assert {m["group_id"] for m in members} == set(groups)
    assert all(m["region_code"] in regions for m in members)
    xiongan = {m["region_code"] for m in members if m["group_id"] == "xiongan"}
    assert xiongan == {"130638", "130629", "130632"}  # 雄县, 容城县, 安新县
    assert groups["xiongan"]["alias_codes"] == "133100"


def test_stoplist_only_holds_names_the_seed_knows(versions: list[dict[str, str]]) -> None:
    names = {v["name"] for v in versions} | {v["short_name"] for v in versions}
    stopped = [row["surface"] for row in read(STOPLIST_SEED)]
    assert len(stopped) == len(set(stopped))
    assert set(stopped) <= names
    assert {"合作", "资源"} <= set(stopped)
