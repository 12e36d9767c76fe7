"""Build the region seeds from the GB/T 2260 history (yescallop/areacodes result.csv).

Run `python -m rnw.regions.build_seed` after replacing the reference file; output is deterministic.

Why two tables: a code is sometimes reused for a different name over time (130602 was 新市区 until
2015, then 竞秀区). `region_versions.csv` keeps every (code, name, period) row so that the matcher can
resolve an old name as of the publication date; `regions.csv` collapses to one row per code (its latest
version) so that marts can join on a unique `region_code` without fan-out.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

from rnw.regions.config import (
    LEVELS,
    REFERENCE_CSV,
    REGIONS_SEED,
    VERSIONS_SEED,
)
from rnw.regions.names import aliases, short_name


@dataclass
class Version:
    code: str
    province_name: str
    parent_name: str
    name: str
    level: str
    status: str
    valid_from: int
    valid_to: int | None
    successor_codes: list[str]
    parent_code: str = ""
    province_code: str = ""

    @property
    def version_id(self) -> str:
        return f"{self.code}:{self.valid_from}"


def _successors(raw: str) -> list[str]:
    """Codes that took over the territory; `[year]` marks earlier partial transfers, not successors."""
    parts = [p for p in raw.split(";") if p]
    plain = [p for p in parts if "[" not in p]
    return plain


def read_versions(path: Path = REFERENCE_CSV) -> list[Version]:
    status_map = {"在用": "current", "变更": "changed", "弃用": "retired"}
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return [
            Version(
                code=row["代码"],
                province_name=row["一级行政区"],
                parent_name=row["二级行政区"],
                name=row["名称"],
                level=LEVELS[row["级别"]],
                status=status_map[row["状态"]],
                valid_from=int(row["启用时间"]),
                valid_to=int(row["变更/弃用时间"]) if row["变更/弃用时间"] else None,
                successor_codes=_successors(row["新代码"]),
            )
            for row in csv.DictReader(handle)
        ]


def _overlap(a: Version, b: Version) -> int:
    end_a = a.valid_to or 9999
    end_b = b.valid_to or 9999
    return min(end_a, end_b) - max(a.valid_from, b.valid_from)


def link_parents(versions: list[Version]) -> None:
    """Resolve the source's parent *names* to codes, period by period.

    '直辖' (counties of 北京/天津/上海/重庆 and province-administered counties such as 仙桃市) hangs
    directly under the province: no 市辖区 placeholder level exists in this table.
    """
    provinces = {v.name: v.code for v in versions if v.level == "province"}
    prefectures: dict[tuple[str, str], list[Version]] = {}
    for v in versions:
        if v.level == "prefecture":
            prefectures.setdefault((v.province_name, v.name), []).append(v)
    for v in versions:
        v.province_code = provinces[v.province_name]
        if v.level == "province":
            continue
        if v.level == "prefecture" or v.parent_name in ("直辖", ""):
            v.parent_code = v.province_code
            continue
        candidates = prefectures.get((v.province_name, v.parent_name), [])
        if not candidates:
            raise ValueError(f"no prefecture {v.parent_name!r} for {v.code} {v.name}")
        v.parent_code = max(candidates, key=lambda p: _overlap(v, p)).code


def latest_by_code(versions: list[Version]) -> dict[str, Version]:
    latest: dict[str, Version] = {}
    for v in versions:
        if v.code not in latest or v.valid_from > latest[v.code].valid_from:
            latest[v.code] = v
    return latest


def region_rows(versions: list[Version]) -> list[dict[str, str]]:
    latest = latest_by_code(versions)
    first_year: dict[str, int] = {}
    for v in versions:
        first_year[v.code] = min(first_year.get(v.code, v.valid_from), v.valid_from)
    rows = []
    for code in sorted(latest):
        v = latest[code]
        parent = latest.get(v.parent_code)
        prefecture_code = v.parent_code if parent is not None and parent.level == "prefecture" else ""
        if v.level == "prefecture":
            prefecture_code = v.code
        rows.append(
            {
                "region_code": code,
                "name": v.name,
                "short_name": short_name(v.name, v.level),
                "aliases": "|".join(aliases(v.name, v.level)),
                "level": v.level,
                "parent_code": v.parent_code,
                "province_code": v.province_code,
                "prefecture_code": prefecture_code,
                "valid_from": str(first_year[code]),
                "valid_to": "" if v.valid_to is None else str(v.valid_to),
                "is_current": "true" if v.status == "current" else "false",
                "successor_code": "|".join(v.successor_codes) if v.status != "current" else "",
            }
        )
    return rows


def version_rows(versions: list[Version]) -> list[dict[str, str]]:
    ordered = sorted(versions, key=lambda v: (v.code, v.valid_from))
    return [
        {
            "version_id": v.version_id,
            "region_code": v.code,
            "name": v.name,
            "short_name": short_name(v.name, v.level),
            "aliases": "|".join(aliases(v.name, v.level)),
            "level": v.level,
            "parent_code": v.parent_code,
            "province_code": v.province_code,
            "valid_from": str(v.valid_from),
            "valid_to": "" if v.valid_to is None else str(v.valid_to),
            "status": v.status,
            "successor_codes": "|".join(v.successor_codes) if v.status != "current" else "",
        }
        for v in ordered
    ]


def _write(path: Path, rows: list[dict[str, str]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


def main() -> None:
    versions = read_versions()
    link_parents(versions)
    _write(REGIONS_SEED, region_rows(versions))
    _write(VERSIONS_SEED, version_rows(versions))
    print(f"wrote {REGIONS_SEED}, {VERSIONS_SEED}")


if __name__ == "__main__":
    main()
