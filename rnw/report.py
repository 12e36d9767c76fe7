"""A static HTML report on the published warehouse: charts and a run summary in one file.

Analysts forward the report by mail and open it on machines with no network, so it is one file
with no scripts, no CDN and no fonts of its own: charts are inline SVG drawn here, text uses the
reader's CJK fonts through a font-family stack. The report only reads ``warehouse.duckdb``
(read-only), like any other analyst, so it never blocks the nightly run.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime
from html import escape
from pathlib import Path

import duckdb

# Text renders in whichever CJK font the reader has (Noto/Source Han on Linux, YaHei, PingFang).
FONT_STACK = (
    "'Noto Sans CJK SC', 'Source Han Sans SC', 'WenQuanYi Micro Hei', 'Microsoft YaHei', "
    "'PingFang SC', 'Hiragino Sans GB', 'Noto Sans', 'DejaVu Sans', sans-serif"
)
# Tableau 10: distinguishable colours, also for most colour-blind readers.
PALETTE = (
    "#4e79a7",
    "#f28e2b",
    "#e15759",
    "#76b7b2",
    "#59a14f",
    "#edc948",
    "#b07aa1",
    "#ff9da7",
    "#9c755f",
    "#bab0ac",
)
TOP_REGIONS = 15
TOP_INDICATORS = 6
# Above this many distinct days the per-day chart would be unreadable bars: it is drawn per month.
MAX_DAY_BARS = 60
CHART_WIDTH = 900


@dataclass
class Panel:
    """One small multiple: an indicator in one unit, a series of (year, value) points per region."""

    title: str
    unit: str
    series: dict[str, list[tuple[int, float]]]


def write_report(warehouse: Path, out: Path) -> Path:
    """Write the report for ``warehouse`` (a warehouse.duckdb file) to ``out``; returns ``out``."""
    if not warehouse.exists():
        raise FileNotFoundError(f"no warehouse at {warehouse}: run `rnw run` first")
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        sections = [
            _articles_per_source(con),
            _regions_by_mentions(con),
            _indicator_panels(con),
            _topic_share(con),
            _run_summary(con),
        ]
    finally:
        con.close()
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(_page(sections, warehouse), encoding="utf-8")
    return out


# --- data -----------------------------------------------------------------------------------------


def _articles_per_source(con: duckdb.DuckDBPyConnection) -> str:
    rows = con.execute(
        """
        SELECT CAST(coalesce(a.published_at, o.seen_at) AT TIME ZONE 'Asia/Shanghai' AS DATE) AS day,
               coalesce(s.name, o.source_id) AS source, count(DISTINCT o.article_id)
        FROM marts.fct_article_occurrences o
        JOIN marts.dim_articles a USING (article_id)
        LEFT JOIN marts.dim_sources s ON s.source_id = o.source_id
        GROUP BY ALL ORDER BY 1, 2
        """
    ).fetchall()
    days = sorted({day for day, _, _ in rows})
    by_month = len(days) > MAX_DAY_BARS
    counts: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for day, source, n in rows:
        counts[source][day.strftime("%Y-%m") if by_month else day.isoformat()] += n
    categories = sorted({c for per_source in counts.values() for c in per_source})
    series = {source: [per[c] for c in categories] for source, per in counts.items()}
    unit = "month" if by_month else "day"
    chart = stacked_bars(
        categories,
        series,
        x_label=f"{unit} of publication (Asia/Shanghai; day seen when undated)",
        y_label="articles",
    )
    note = (
        "A story carried by several sources counts once for each. "
        f"Only {unit}s with articles are shown, in order."
    )
    return _section(f"Articles per source per {unit}", chart, note)


def _regions_by_mentions(con: duckdb.DuckDBPyConnection) -> str:
    rows = con.execute(
        f"""
        SELECT coalesce(r.name, m.region_code) || CASE WHEN r.level = 'county' AND p.name IS NOT NULL
                   THEN ' (' || p.name || ')' ELSE '' END AS label,
               sum(m.mention_count) AS mentions, count(DISTINCT m.article_id) AS articles
        FROM marts.fct_region_mentions m
        LEFT JOIN marts.dim_regions r USING (region_code)
        LEFT JOIN marts.dim_regions p ON p.region_code = r.parent_code
        GROUP BY m.region_code, label ORDER BY mentions DESC, articles DESC, m.region_code
        LIMIT {TOP_REGIONS}
        """
    ).fetchall()
    chart = horizontal_bars(
        [label for label, _, _ in rows],
        [float(mentions) for _, mentions, _ in rows],
        x_label="mentions in article bodies",
        annotations=[f"{m} in {a} article{'s' if a != 1 else ''}" for _, m, a in rows],
    )
    return _section(
        f"Regions by mentions (top {TOP_REGIONS})",
        chart,
        "Every region an article names, with its parent for counties. Groups (京津冀 ...) are not counted here.",
    )


def _indicator_panels(con: duckdb.DuckDBPyConnection) -> str:
    rows = con.execute(
        f"""
        WITH points AS (
            SELECT o.indicator, o.normalized_unit, coalesce(r.name, o.region_code) AS region,
                   o.period_year, median(o.normalized_value) AS value
            FROM marts.fct_indicator_observations o
            LEFT JOIN marts.dim_regions r USING (region_code)
            WHERE o.quality_flag IS NULL AND o.period_year IS NOT NULL AND o.region_code IS NOT NULL
              AND o.normalized_value IS NOT NULL AND trim(o.indicator) <> ''
            GROUP BY ALL
        ), top AS (
            SELECT indicator, normalized_unit, count(*) AS n FROM points
            GROUP BY ALL ORDER BY n DESC, indicator, normalized_unit LIMIT {TOP_INDICATORS}
        )
        SELECT p.indicator, p.normalized_unit, p.region, p.period_year, p.value
        FROM points p JOIN top USING (indicator, normalized_unit)
        ORDER BY top.n DESC, p.indicator, p.normalized_unit, p.region, p.period_year
        """
    ).fetchall()
    panels: dict[tuple[str, str], Panel] = {}
    for indicator, unit, region, year, value in rows:
        panel = panels.setdefault((indicator, unit), Panel(indicator, unit, defaultdict(list)))
        panel.series[region].append((year, value))
    flagged = con.execute(
        "SELECT count(*) FROM marts.fct_indicator_observations WHERE quality_flag IS NOT NULL"
    ).fetchone()[0]
    note = (
        "The indicators stated for the most region-years; median per region and year, in normalized units. "
        f"{flagged} flagged statement{'s are' if flagged != 1 else ' is'} left out "
        "(see queries/flagged_indicator_values.sql)."
    )
    body = small_multiples(list(panels.values())) if panels else _empty("No dated, located indicator yet.")
    return _section("Indicator series by region and year", body, note)


def _topic_share(con: duckdb.DuckDBPyConnection) -> str:
    rows = con.execute(
        """
        WITH top_topic AS (
            SELECT topic_id, count(*) AS articles FROM marts.fct_article_topics WHERE rank = 1 GROUP BY ALL
        )
        SELECT d.name_zh || ' ' || d.name_en AS label, t.articles,
               t.articles / sum(t.articles) OVER () AS share
        FROM top_topic t JOIN marts.dim_topics d USING (topic_id)
        ORDER BY t.articles DESC, label
        """
    ).fetchall()
    chart = horizontal_bars(
        [label for label, _, _ in rows],
        [100.0 * share for _, _, share in rows],
        x_label="share of articles (%)",
        annotations=[f"{100 * share:.0f}% ({n})" for _, n, share in rows],
    )
    return _section("Topics share", chart, "Each article counts once, for its best-scored topic.")


def _run_summary(con: duckdb.DuckDBPyConnection) -> str:
    tables = con.execute(
        "SELECT schema_name, table_name FROM duckdb_tables() "
        "WHERE schema_name IN ('marts', 'staging', 'ops') ORDER BY 1, 2"
    ).fetchall()
    counts = [
        (f"{schema}.{name}", con.execute(f'SELECT count(*) FROM "{schema}"."{name}"').fetchone()[0])
        for schema, name in tables
    ]
    rejects = con.execute(
        "SELECT reason, source_id, count(*) FROM staging.stg_raw__rejects GROUP BY ALL ORDER BY 3 DESC, 1, 2"
    ).fetchall()
    parts = [
        "<h3>Rows per table</h3>",
        _table(["table", "rows"], counts, numeric={1}),
        "<h3>Rejected inputs by reason</h3>",
        _table(["reason", "source", "rejects"], rejects, numeric={2}) if rejects else _empty("No rejects."),
    ]
    if ("ops", "pipeline_runs") in tables:
        cursor = con.execute("SELECT * FROM ops.pipeline_runs ORDER BY started_at DESC LIMIT 1")
        row = cursor.fetchone()
        if row is not None:
            columns = [d[0] for d in cursor.description]
            parts += ["<h3>Latest run</h3>", _table(["field", "value"], list(zip(columns, row, strict=True)))]
    return _section("Run summary", "\n".join(parts), "")


# --- charts (inline SVG) ----------------------------------------------------------------------------


def stacked_bars(categories: list[str], series: dict[str, list[int]], x_label: str, y_label: str) -> str:
    """Vertical bars per category, stacked by series, with a legend; categories in the given order."""
    if not categories:
        return _empty("No articles yet.")
    left, right, top, bottom = 60, 20, 20, 110
    width = CHART_WIDTH
    legend_rows = math.ceil(len(series) / 3)
    height = 320 + 22 * legend_rows
    plot_h = height - top - bottom - 22 * legend_rows
    totals = [sum(values[i] for values in series.values()) for i in range(len(categories))]
    ticks = _ticks(max(totals))
    y_max = ticks[-1]
    step = (width - left - right) / len(categories)
    bar_w = max(2.0, min(48.0, step * 0.7))
    parts = [_svg_open(width, height, "stacked bar chart")]
    parts += _y_axis(ticks, left, top, plot_h, width - right, y_label)
    base = [0.0] * len(categories)
    for index, (name, values) in enumerate(series.items()):
        colour = PALETTE[index % len(PALETTE)]
        for i, value in enumerate(values):
            if value:
                h = plot_h * value / y_max
                x = left + step * i + (step - bar_w) / 2
                y = top + plot_h - base[i] - h
                parts.append(
                    f'<rect class="bar" x="{x:.1f}" y="{y:.1f}" width="{bar_w:.1f}" height="{h:.1f}" '
                    f'fill="{colour}"><title>{escape(name)} · {escape(categories[i])}: {value}</title></rect>'
                )
                base[i] += h
    label_every = max(1, math.ceil(len(categories) / 30))
    for i, category in enumerate(categories):
        if i % label_every == 0:
            x = left + step * (i + 0.5)
            parts.append(
                f'<text x="{x:.1f}" y="{top + plot_h + 12}" font-size="11" text-anchor="end" '
                f'transform="rotate(-45 {x:.1f} {top + plot_h + 12})">{escape(category)}</text>'
            )
    parts.append(
        f'<text x="{left + (width - left - right) / 2:.0f}" y="{top + plot_h + 85}" font-size="12" '
        f'text-anchor="middle" class="axis-label">{escape(x_label)}</text>'
    )
    legend_y = height - 22 * legend_rows + 4
    for index, name in enumerate(series):
        x = left + (index % 3) * ((width - left) / 3)
        y = legend_y + 22 * (index // 3)
        parts.append(
            f'<rect x="{x:.0f}" y="{y}" width="12" height="12" fill="{PALETTE[index % len(PALETTE)]}"/>'
        )
        parts.append(f'<text x="{x + 18:.0f}" y="{y + 11}" font-size="12">{escape(_clip(name, 40))}</text>')
    parts.append("</svg>")
    return "\n".join(parts)


def horizontal_bars(labels: list[str], values: list[float], x_label: str, annotations: list[str]) -> str:
    """One bar per label, longest first as given; each bar annotated with its figure."""
    if not labels:
        return _empty("Nothing to show yet.")
    left, right, top, row_h = 330, 130, 10, 26
    width = CHART_WIDTH
    plot_w = width - left - right
    plot_h = row_h * len(labels)
    height = top + plot_h + 50
    ticks = _ticks(max(values))
    x_max = ticks[-1]
    parts = [_svg_open(width, height, "horizontal bar chart")]
    for tick in ticks:
        x = left + plot_w * tick / x_max
        parts.append(
            f'<line x1="{x:.1f}" y1="{top}" x2="{x:.1f}" y2="{top + plot_h}" stroke="#ddd" stroke-width="1"/>'
        )
        parts.append(
            f'<text x="{x:.1f}" y="{top + plot_h + 16}" font-size="11" text-anchor="middle">{_num(tick)}</text>'
        )
    for i, (label, value, note) in enumerate(zip(labels, values, annotations, strict=True)):
        y = top + row_h * i
        w = plot_w * value / x_max
        parts.append(
            f'<text x="{left - 8}" y="{y + row_h / 2 + 4:.1f}" font-size="13" text-anchor="end">'
            f"{escape(_clip(label, 34))}</text>"
        )
        parts.append(
            f'<rect class="bar" x="{left}" y="{y + 4}" width="{w:.1f}" height="{row_h - 8}" fill="{PALETTE[0]}">'
            f"<title>{escape(label)}: {escape(note)}</title></rect>"
        )
        parts.append(
            f'<text x="{left + w + 6:.1f}" y="{y + row_h / 2 + 4:.1f}" font-size="11" fill="#444">'
            f"{escape(note)}</text>"
        )
    parts.append(
        f'<text x="{left + plot_w / 2:.0f}" y="{height - 8}" font-size="12" text-anchor="middle" '
        f'class="axis-label">{escape(x_label)}</text>'
    )
    parts.append("</svg>")
    return "\n".join(parts)


def small_multiples(panels: list[Panel]) -> str:
    """A grid of small line charts (year x value, one colour per region), each with its own y scale."""
    return '<div class="multiples">' + "\n".join(_panel_svg(p) for p in panels) + "</div>"


def _panel_svg(panel: Panel) -> str:
    width, height = 430, 270
    left, right, top, bottom = 64, 12, 34, 76
    plot_w, plot_h = width - left - right, height - top - bottom
    years = sorted({year for points in panel.series.values() for year, _ in points})
    values = [v for points in panel.series.values() for _, v in points]
    ticks = _ticks(max(max(values), 0.0), min(min(values), 0.0))
    y_min, y_max = ticks[0], ticks[-1]
    y_span = y_max - y_min or 1.0
    first, last = years[0] - 1, years[-1] + 1  # a year of margin on both sides

    def px(year: int) -> float:
        return left + plot_w * (year - first) / (last - first)

    def py(value: float) -> float:
        return top + plot_h - plot_h * (value - y_min) / y_span

    parts = [_svg_open(width, height, f"indicator {panel.title}")]
    parts.append(
        f'<text x="{left}" y="16" font-size="13" font-weight="bold">{escape(_clip(panel.title, 28))}</text>'
    )
    parts.append(f'<text x="{left}" y="29" font-size="11" fill="#555">unit: {escape(panel.unit)}</text>')
    parts += _y_axis(ticks, left, top, plot_h, width - right, "", y_min=y_min)
    year_every = max(1, math.ceil((last - first) / 8))
    for year in range(first + 1, last):
        if (year - first - 1) % year_every == 0:
            parts.append(
                f'<text x="{px(year):.1f}" y="{top + plot_h + 15}" font-size="11" '
                f'text-anchor="middle">{year}</text>'
            )
    parts.append(
        f'<text x="{left + plot_w / 2:.0f}" y="{top + plot_h + 31}" font-size="11" text-anchor="middle" '
        'class="axis-label">year</text>'
    )
    for index, (region, points) in enumerate(sorted(panel.series.items())):
        colour = PALETTE[index % len(PALETTE)]
        coords = [(px(y), py(v)) for y, v in points]
        if len(coords) > 1:
            path = " ".join(f"{x:.1f},{y:.1f}" for x, y in coords)
            parts.append(f'<polyline points="{path}" fill="none" stroke="{colour}" stroke-width="2"/>')
        for (x, y), (year, value) in zip(coords, points, strict=True):
            parts.append(
                f'<circle class="point" cx="{x:.1f}" cy="{y:.1f}" r="4" fill="{colour}">'
                f"<title>{escape(region)} {year}: {_num(value)} {escape(panel.unit)}</title></circle>"
            )
        lx = left + (index % 3) * (plot_w / 3)
        ly = top + plot_h + 46 + 14 * (index // 3)
        parts.append(f'<rect x="{lx:.0f}" y="{ly - 9}" width="10" height="10" fill="{colour}"/>')
        parts.append(f'<text x="{lx + 14:.0f}" y="{ly}" font-size="11">{escape(_clip(region, 9))}</text>')
    parts.append("</svg>")
    return "\n".join(parts)


def _y_axis(
    ticks: list[float], left: int, top: int, plot_h: float, right_x: int, label: str, y_min: float = 0.0
) -> list[str]:
    span = (ticks[-1] - y_min) or 1.0
    parts = []
    for tick in ticks:
        y = top + plot_h - plot_h * (tick - y_min) / span
        parts.append(
            f'<line x1="{left}" y1="{y:.1f}" x2="{right_x}" y2="{y:.1f}" stroke="#ddd" stroke-width="1"/>'
        )
        parts.append(
            f'<text x="{left - 6}" y="{y + 4:.1f}" font-size="11" text-anchor="end">{_num(tick)}</text>'
        )
    parts.append(
        f'<line x1="{left}" y1="{top}" x2="{left}" y2="{top + plot_h:.1f}" stroke="#888" stroke-width="1"/>'
    )
    if label:
        mid = top + plot_h / 2
        parts.append(
            f'<text x="14" y="{mid:.0f}" font-size="12" text-anchor="middle" class="axis-label" '
            f'transform="rotate(-90 14 {mid:.0f})">{escape(label)}</text>'
        )
    return parts


def _ticks(high: float, low: float = 0.0, count: int = 5) -> list[float]:
    """Round tick values (1, 2, 5 x 10^k) from ``low`` to at least ``high``."""
    if high <= low:
        high = low + 1.0
    raw = (high - low) / count
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 5, 10) if m * magnitude >= raw)
    start = math.floor(low / step) * step
    ticks = [start]
    while ticks[-1] < high:
        ticks.append(ticks[-1] + step)
    return ticks


def _num(value: float) -> str:
    """Compact figures for axes: 1.65B, 21M, 3.5k, 0.25."""
    for scale, suffix in ((1e12, "T"), (1e9, "B"), (1e6, "M"), (1e3, "k")):
        if abs(value) >= scale:
            return f"{value / scale:.3g}{suffix}"
    return f"{value:.3g}"


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _svg_open(width: int, height: float, label: str) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" width="{width}" height="{height:.0f}" '
        f'viewBox="0 0 {width} {height:.0f}" role="img" aria-label="{escape(label)}">'
    )


# --- page ---------------------------------------------------------------------------------------


def _section(title: str, body: str, note: str) -> str:
    note_html = f'<p class="note">{escape(note)}</p>' if note else ""
    return f"<section><h2>{escape(title)}</h2>{note_html}\n{body}</section>"


def _empty(message: str) -> str:
    return f'<p class="empty">{escape(message)}</p>'


def _table(header: list[str], rows: list[tuple], numeric: set[int] | None = None) -> str:
    numeric = numeric or set()
    head = "".join(f"<th>{escape(h)}</th>" for h in header)
    body = "".join(
        "<tr>"
        + "".join(
            f"<td{' class=num' if i in numeric else ''}>{escape('' if v is None else str(v))}</td>"
            for i, v in enumerate(row)
        )
        + "</tr>"
        for row in rows
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _page(sections: list[str], warehouse: Path) -> str:
    generated = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    return f"""<!DOCTYPE html>
<html lang="zh-Hans">
<head>
<meta charset="utf-8">
<title>Regional News Warehouse report</title>
<style>
body {{ font-family: {FONT_STACK}; color: #222; margin: 24px auto; max-width: 940px; line-height: 1.4; }}
svg text {{ font-family: {FONT_STACK}; fill: #222; }}
h1 {{ font-size: 24px; margin-bottom: 4px; }}
h2 {{ font-size: 19px; border-bottom: 1px solid #ccc; padding-bottom: 4px; margin-top: 32px; }}
h3 {{ font-size: 15px; }}
.note, .meta {{ color: #555; font-size: 13px; }}
.axis-label {{ fill: #444; }}
.multiples {{ display: flex; flex-wrap: wrap; gap: 8px; }}
table {{ border-collapse: collapse; font-size: 13px; }}
th, td {{ border: 1px solid #ddd; padding: 3px 8px; text-align: left; vertical-align: top; }}
td.num {{ text-align: right; font-variant-numeric: tabular-nums; }}
.empty {{ color: #777; font-style: italic; }}
</style>
</head>
<body>
<h1>Regional News Warehouse</h1>
<p class="meta">From {escape(str(warehouse))}, generated {generated}.</p>
{"".join(sections)}
</body>
</html>
"""
