"""The analyst report renders in a real browser with no network, and the dbt docs site is generated
from a real build and describes the marts with their column descriptions."""

from __future__ import annotations

import json
import os
import re
import shutil
import struct
import subprocess
import zlib
from pathlib import Path

import numpy as np
import pytest

from rnw.docs import build_docs
from rnw.report import PALETTE, write_report
from rnw.settings import Settings

pytestmark = pytest.mark.slow

CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--enable-logging=stderr",
    "--v=0",
]
WINDOW = (1280, 2000)


@pytest.fixture(scope="module")
def report(examples_warehouse: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("report") / "report.html"
    assert write_report(examples_warehouse / "warehouse.duckdb", out) == out
    return out


@pytest.fixture(scope="module")
def chromium() -> str:
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found is None:
        if os.environ.get("CI"):
            pytest.fail("chromium is not installed (CI installs Debian's chromium and fonts-noto-cjk)")
        pytest.skip("chromium is not installed: apt-get install chromium fonts-noto-cjk")
    return found


def browse(chromium: str, page: Path, tmp_path: Path, *action: str) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(
        [chromium, *CHROMIUM_FLAGS, f"--user-data-dir={tmp_path / 'profile'}", *action, page.as_uri()],
        check=False,  # the exit code is asserted with stderr as the message
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert "ERROR:CONSOLE" not in result.stderr and "Uncaught" not in result.stderr, result.stderr[-2000:]
    return result


def test_report_is_one_self_contained_file(report: Path) -> None:
    html = report.read_text(encoding="utf-8")
    assert "<script" not in html and "<link" not in html and "@import" not in html
    assert re.findall(r"(?:src|href)\s*=", html) == [], "nothing to fetch: no network where it is opened"
    assert set(re.findall(r"https?://[^\s\"'<>]+", html)) <= {"http://www.w3.org/2000/svg"}
    for title in ("Articles per source per day", "Regions by mentions", "Indicator series", "Topics share"):
        assert title in html
    assert "凉山彝族自治州" in html and "天津市" in html and "marts.dim_articles" in html
    if "ops.pipeline_runs" in html:  # the run history, once publish copies it
        assert "Latest run" in html


def test_report_renders_its_charts_in_chromium(chromium: str, report: Path, tmp_path: Path) -> None:
    dom = browse(chromium, report, tmp_path, "--dump-dom").stdout
    assert dom.count("<svg") >= 4
    assert dom.count('class="bar"') >= 10 and dom.count('class="point"') >= 1
    shot = tmp_path / "report.png"
    browse(chromium, report, tmp_path, f"--screenshot={shot}", f"--window-size={WINDOW[0]},{WINDOW[1]}")
    image = decode_png(shot.read_bytes())[:, :, :3]
    assert image.shape[:2] == (WINDOW[1], WINDOW[0])
    pixels = WINDOW[0] * WINDOW[1]
    white = int(np.all(image == 255, axis=2).sum())
    bar = [int(PALETTE[0][i : i + 2], 16) for i in (1, 3, 5)]
    assert white < 0.98 * pixels, "the page is blank"
    assert int(np.all(image == bar, axis=2).sum()) > 5_000, "the bars of the charts were not drawn"


def test_chinese_text_has_a_font(chromium: str) -> None:
    """Without a CJK font the charts' region names render as boxes (tofu)."""
    families = subprocess.run(
        ["fc-list", ":lang=zh", "family"], check=True, capture_output=True, text=True
    ).stdout
    assert families.strip(), "no CJK font: apt-get install fonts-noto-cjk"


def test_docs_describe_the_marts(
    examples_warehouse: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """On a copy of the examples' build (dbt opens build.duckdb for writing)."""
    home = tmp_path / "var"
    home.mkdir()
    for name in ("raw.duckdb", "build.duckdb", "build_marts.duckdb"):
        shutil.copy2(examples_warehouse / name, home / name)
    shutil.copytree(examples_warehouse / "dbt_target", home / "dbt_target")
    monkeypatch.setenv("RNW_HOME", str(home))  # run_dbt exports it; restored after the test
    page = build_docs(Settings(home=home), tmp_path / "docs")
    assert page == tmp_path / "docs" / "static_index.html"
    for name in ("static_index.html", "index.html", "manifest.json", "catalog.json"):
        assert (tmp_path / "docs" / name).stat().st_size > 0
    catalog = json.loads((tmp_path / "docs" / "catalog.json").read_text(encoding="utf-8"))
    node = catalog["nodes"]["model.rnw.dim_articles"]
    assert (node["metadata"]["schema"], node["metadata"]["name"]) == ("marts", "dim_articles")
    assert "Main text only" in node["columns"]["body_text"]["comment"]
    assert all(column["comment"] for column in node["columns"].values()), "every column is described"
    manifest = json.loads((tmp_path / "docs" / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["nodes"]["model.rnw.dim_articles"]["columns"]["title"]["description"]
    static = page.read_text(encoding="utf-8")
    assert "dim_articles" in static and "Main text only" in static, "manifest and catalog are inlined"


def decode_png(data: bytes) -> np.ndarray:
    """8-bit RGB or RGBA PNG (what Chromium writes) to a height x width x channels array: enough to tell
    a drawn page from a blank one without an imaging library. Up and Sub rows are undone with numpy,
    Average and Paeth rows pixel by pixel."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    offset, header, idat = 8, b"", b""
    while offset < len(data):
        (length,) = struct.unpack(">I", data[offset : offset + 4])
        kind, body = data[offset + 4 : offset + 8], data[offset + 8 : offset + 8 + length]
        (crc,) = struct.unpack(">I", data[offset + 8 + length : offset + 12 + length])
        assert zlib.crc32(kind + body) == crc, f"corrupt {kind!r} chunk"
        header = body if kind == b"IHDR" else header
        idat += body if kind == b"IDAT" else b""
        offset += 12 + length
    width, height, depth, colour = struct.unpack(">IIBB", header[:10])
    assert depth == 8 and colour in (2, 6), (depth, colour)
    bpp = 3 if colour == 2 else 4
    stride = width * bpp
    raw = np.frombuffer(zlib.decompress(idat), dtype=np.uint8)
    assert raw.size == height * (stride + 1)
    rows = raw.reshape(height, stride + 1)
    image = np.zeros((height, stride), dtype=np.uint8)
    previous = np.zeros(stride, dtype=np.uint8)
    for y in range(height):
        kind, line = rows[y, 0], rows[y, 1:]
        if kind == 0:
            current = line.copy()
        elif kind == 1:
            current = (np.cumsum(line.reshape(width, bpp), axis=0, dtype=np.uint64) & 0xFF).astype(np.uint8)
            current = current.reshape(stride)
        elif kind == 2:
            current = line + previous  # uint8 wraps modulo 256, as PNG wants
        else:
            current = np.array(_unfilter_sequential(kind, line.tolist(), previous.tolist(), bpp), np.uint8)
        image[y] = current
        previous = current
    return image.reshape(height, width, bpp)


def _unfilter_sequential(kind: int, line: list[int], previous: list[int], bpp: int) -> list[int]:
    for i in range(len(line)):
        a = line[i - bpp] if i >= bpp else 0
        b = previous[i]
        if kind == 3:
            line[i] = (line[i] + (a + b) // 2) & 0xFF
        else:
            c = previous[i - bpp] if i >= bpp else 0
            p = a + b - c
            pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
            line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 0xFF
    return line
