"""Article enrichment for the dbt Python models: regions, indicators, people, organisations, topics.

Each function takes Arrow record batches of canonical articles and returns one row per article with
its findings as lists, so a dbt SQL model can unnest them and an article without findings still has
a row. The heavy objects (gazetteer, taxonomy) are built once per call, not per article.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Iterator
from datetime import date, datetime
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

import pyarrow as pa
import pyarrow.compute as pc

from rnw.incremental import batches_in_rowid_ranges, in_rowid_ranges, pending_rows, rows_by_key

if TYPE_CHECKING:
    import duckdb

SHANGHAI = ZoneInfo("Asia/Shanghai")
REGIONS_VERSION = "regions-2"
PEOPLE_VERSION = "people-2"
TOPICS_VERSION = "topics-1"
# Articles whose bodies one query reads (``article_batches``, ``with_regions``): few enough that
# the scan's native memory stays at what one query over 10k pages' bodies holds
# (``rnw.incremental.batches_in_rowid_ranges``). A part keeps the blocks its rowid range read
# cached until the next part empties DuckDB's cache: 28 MB for 2,000 articles at 100k bench pages
# (about 13 MB of their text), 41-56 MB for 5,000, with which the bench's first loads peaked in
# int_article_indicators 20 MiB (10k) and 30 MiB (100k) higher, in the same time (bench/RESULTS.md,
# thirty-fourth session). Each part also scans the regions' key column (``rows_by_key``).
ARTICLES_PER_READ = 2_000
# The rowid of int_articles_deduplicated that int_articles_canonical passes on.
ROWID = "deduplicated_rowid"
# Person mentions per part of an identity resolution (``identities_in_name_parts``). At 100k bench
# pages, hash parts of up to 73,000 mentions took the process 80-90 MB above its imports, ranges of
# about 10,000 (the commonest name alone 17,718) 36 MB (bench/RESULTS.md, twentieth session).
IDENTITY_PART_MENTIONS = 10_000

_MENTION = pa.struct(
    [
        ("region_code", pa.string()),
        ("char_start", pa.int32()),
        ("char_end", pa.int32()),
        ("surface", pa.string()),
        ("role", pa.string()),
    ]
)
_GROUP = pa.struct(
    [
        ("group_id", pa.string()),
        ("char_start", pa.int32()),
        ("char_end", pa.int32()),
        ("surface", pa.string()),
    ]
)
REGIONS_SCHEMA = pa.schema(
    [
        ("article_id", pa.string()),
        ("enricher_version", pa.string()),
        ("mentions", pa.list_(_MENTION)),
        ("group_mentions", pa.list_(_GROUP)),
        ("primary_region_code", pa.string()),
    ]
)
_OBSERVATION = pa.struct(
    [
        ("indicator", pa.string()),
        ("value", pa.float64()),
        ("value_high", pa.float64()),
        ("value_text", pa.string()),
        ("unit", pa.string()),
        ("normalized_value", pa.float64()),
        ("normalized_unit", pa.string()),
        ("dimension", pa.string()),
        ("change_kind", pa.string()),
        ("period_year", pa.int32()),
        ("period_label", pa.string()),
        ("region_code", pa.string()),
        ("sentence", pa.string()),
        ("char_start", pa.int32()),
        ("char_end", pa.int32()),
        ("quality_flag", pa.string()),
    ]
)
INDICATORS_SCHEMA = pa.schema(
    [("article_id", pa.string()), ("enricher_version", pa.string()), ("observations", pa.list_(_OBSERVATION))]
)
_PERSON = pa.struct(
    [
        ("name", pa.string()),
        ("role", pa.string()),
        ("title", pa.string()),
        ("organization", pa.string()),
        ("char_start", pa.int32()),
        ("quote_text", pa.string()),
    ]
)
_ORG = pa.struct(
    [("name", pa.string()), ("surface", pa.string()), ("char_start", pa.int32()), ("kind", pa.string())]
)
PEOPLE_SCHEMA = pa.schema(
    [
        ("article_id", pa.string()),
        ("enricher_version", pa.string()),
        ("people", pa.list_(_PERSON)),
        ("organizations", pa.list_(_ORG)),
    ]
)
_TOPIC = pa.struct([("topic_id", pa.string()), ("score", pa.float64()), ("rank", pa.int32())])
_SECTION_TOPICS = pa.struct(
    [
        ("char_start", pa.int32()),
        ("char_end", pa.int32()),
        ("heading", pa.string()),
        ("scores", pa.list_(_TOPIC)),
    ]
)
TOPICS_SCHEMA = pa.schema(
    [
        ("article_id", pa.string()),
        ("enricher_version", pa.string()),
        ("scores", pa.list_(_TOPIC)),
        ("sections", pa.list_(_SECTION_TOPICS)),
    ]
)
IDENTITY_INPUT_SCHEMA = pa.schema(
    [
        ("mention_key", pa.string()),
        ("article_id", pa.string()),
        ("name", pa.string()),
        ("title", pa.string()),
        ("organization", pa.string()),
    ]
)
IDENTITY_SCHEMA = pa.schema(
    [
        ("mention_key", pa.string()),
        ("name", pa.string()),
        ("person_id", pa.string()),
        ("person_key", pa.string()),
    ]
)


def _rows(batches: Iterable[pa.RecordBatch]) -> Iterator[dict]:
    for batch in batches:
        yield from batch.to_pylist()


def _published_date(value: datetime | None) -> date | None:
    return value.astimezone(SHANGHAI).date() if value is not None else None


def regions(batches: Iterable[pa.RecordBatch]) -> pa.Table:
    """Columns in: article_id, title, body_text, published_at, source_region_code."""
    from rnw.regions import RegionGazetteer

    gazetteer = RegionGazetteer.load()
    out = []
    for row in _rows(batches):
        published = _published_date(row["published_at"])
        home = row["source_region_code"]
        mentions = gazetteer.find_mentions(row["body_text"], published=published, home_region=home)
        groups = gazetteer.find_group_mentions(row["body_text"])
        primary = gazetteer.primary_region(
            mentions, title=row["title"], home_region=home, published=published
        )
        out.append(
            {
                "article_id": row["article_id"],
                "enricher_version": REGIONS_VERSION,
                "mentions": [
                    {
                        "region_code": m.region_code,
                        "char_start": m.char_start,
                        "char_end": m.char_end,
                        "surface": m.surface,
                        "role": m.role,
                    }
                    for m in mentions
                ],
                "group_mentions": [
                    {
                        "group_id": g.group_id,
                        "char_start": g.char_start,
                        "char_end": g.char_end,
                        "surface": g.surface,
                    }
                    for g in groups
                ],
                "primary_region_code": primary,
            }
        )
    return pa.Table.from_pylist(out, schema=REGIONS_SCHEMA)


def article_batches(
    session: duckdb.DuckDBPyConnection, articles: duckdb.DuckDBPyRelation
) -> Iterator[pa.RecordBatch]:
    """The rows of ``articles`` (from ``unenriched``) in batches of 500, ``ARTICLES_PER_READ``
    articles per query (``rnw.incremental.batches_in_rowid_ranges``)."""
    return batches_in_rowid_ranges(session, articles, ROWID, ARTICLES_PER_READ, 500)


def with_regions(
    session: duckdb.DuckDBPyConnection,
    articles: duckdb.DuckDBPyRelation,
    regions: duckdb.DuckDBPyRelation,
    columns: str,
) -> Iterator[pa.RecordBatch]:
    """Each of ``articles`` (from ``unenriched``) with the ``columns`` of its row of ``regions``
    (int_article_regions as ``dbt.ref`` gives it), ``ARTICLES_PER_READ`` articles at a time
    (``rnw.incremental.in_rowid_ranges``).

    A part's regions are read by its articles' keys (``rnw.incremental.rows_by_key``), within the
    rowid ranges that hold them: a full build writes the regions in the articles' order. Joined
    with the whole table instead, every part scanned every article's mentions (20 scans of the
    whole table at 100k pages) and cached their blocks through the part. The bench's peak did not
    move either way (bench/RESULTS.md, twenty-eighth session); the work per part no longer grows
    with the archive.
    """
    for part in in_rowid_ranges(session, articles, ROWID, ARTICLES_PER_READ):
        keys = [key for (key,) in part.project("article_id").fetchall()]
        found = rows_by_key(session, regions, "article_id", keys, f"article_id, {columns}")
        joined = part.join(session.from_arrow(found), "article_id").project(f"* EXCLUDE ({ROWID})")
        yield from joined.to_arrow_reader(500)


def indicators(batches: Iterable[pa.RecordBatch]) -> pa.Table:
    """Columns in: article_id, body_text, published_at, mentions, group_mentions, primary_region_code."""
    from rnw.indicators import INDICATOR_EXTRACTOR_VERSION, extract_observations

    out = []
    for row in _rows(batches):
        spans = [
            (m["char_start"], m["char_end"], m["region_code"])
            for m in row["mentions"] or []
            if m["role"] != "qualifier"
        ]
        spans += [(g["char_start"], g["char_end"], None) for g in row["group_mentions"] or []]
        observations = extract_observations(
            row["body_text"],
            published=_published_date(row["published_at"]),
            region_mentions=sorted(spans, key=lambda s: (s[0], s[1])),
            primary_region=row["primary_region_code"],
        )
        out.append(
            {
                "article_id": row["article_id"],
                "enricher_version": INDICATOR_EXTRACTOR_VERSION,
                "observations": [{f: getattr(o, f) for f in _OBSERVATION.names} for o in observations],
            }
        )
    return pa.Table.from_pylist(out, schema=INDICATORS_SCHEMA)


def people(batches: Iterable[pa.RecordBatch]) -> pa.Table:
    """Columns in: article_id, body_text, credits_json."""
    from rnw.people import extract_organizations, extract_people
    from scrapers.article import Credit

    out = []
    for row in _rows(batches):
        credits = [Credit(**c) for c in json.loads(row["credits_json"] or "[]")]
        persons = extract_people(row["body_text"], credits)
        orgs = extract_organizations(row["body_text"])
        out.append(
            {
                "article_id": row["article_id"],
                "enricher_version": PEOPLE_VERSION,
                "people": [{f: getattr(p, f) for f in _PERSON.names} for p in persons],
                "organizations": [{f: getattr(o, f) for f in _ORG.names} for o in orgs],
            }
        )
    return pa.Table.from_pylist(out, schema=PEOPLE_SCHEMA)


def person_identities(batches: Iterable[pa.RecordBatch]) -> pa.Table:
    """Columns in: mention_key, article_id, name, title, organization. One person_id per mention.

    Mentions are sorted first so the chosen key of a cluster never depends on row order. A cluster
    never spans two names, so given every mention of some names this returns exactly the rows a
    run over all mentions would give for them: the incremental model passes only changed names.
    Read by column, not as row dicts: a nightly can re-resolve most mentions of a common name.
    """
    from rnw.people.identity import cluster_columns

    batches = list(batches)
    table = pa.Table.from_batches(batches) if batches else IDENTITY_INPUT_SCHEMA.empty_table()
    table = table.sort_by("mention_key")
    keys = cluster_columns(
        table["article_id"].combine_chunks(),
        table["name"].combine_chunks(),
        table["title"].combine_chunks(),
        table["organization"].combine_chunks(),
    )
    distinct = pc.dictionary_encode(keys)
    person_ids = pa.array(
        [hashlib.sha256(k.encode()).hexdigest()[:16] for k in distinct.dictionary.to_pylist()], pa.string()
    )
    return pa.table(
        [table["mention_key"], table["name"], pc.take(person_ids, distinct.indices), keys],
        schema=IDENTITY_SCHEMA,
    )


def identities_in_name_parts(
    mentions: duckdb.DuckDBPyRelation, part_mentions: int = IDENTITY_PART_MENTIONS
) -> pa.RecordBatchReader:
    """``person_identities`` over ``mentions``, a range of names at a time (``name_ranges``). A
    cluster never spans two names, so the parts give the rows one call over all would. One call
    held every mention of a first load in Python, the 100k-page build's peak (bench/RESULTS.md,
    fifteenth session); parts by a hash of the name held up to 73,000 of the 100k bench's 139,000
    mentions, since its 24 names are far from even (twentieth session)."""
    ranges = name_ranges(mentions, part_mentions)

    def resolved() -> Iterator[pa.RecordBatch]:
        for low, high in ranges:
            named = mentions.filter(_name_range_filter(low, high)) if len(ranges) > 1 else mentions
            yield from person_identities(named.to_arrow_reader(5000)).to_batches()

    return pa.RecordBatchReader.from_batches(IDENTITY_SCHEMA, resolved())


def name_ranges(mentions: duckdb.DuckDBPyRelation, part_mentions: int) -> list[tuple[str | None, str | None]]:
    """Consecutive ranges of ``mentions``' names in DuckDB's order, from ``low`` (inclusive) to
    ``high`` (exclusive; None: unbounded), each of at most ``part_mentions`` mentions unless one
    name alone has more."""
    ranges: list[tuple[str | None, str | None]] = []
    low, held = None, 0
    for name, count in mentions.aggregate("name, count(*)", "name").order("name").fetchall():
        if held and held + count > part_mentions:
            ranges.append((low, name))
            low, held = name, 0
        held += count
    ranges.append((low, None))
    return ranges


def _name_range_filter(low: str | None, high: str | None) -> duckdb.Expression:
    from duckdb import ColumnExpression, ConstantExpression  # the workers import this module too

    name = ColumnExpression("name")
    within = ConstantExpression(True)
    if low is not None:
        within = within & (name >= ConstantExpression(low))
    if high is not None:
        within = within & (name < ConstantExpression(high))
    return within


def topics(batches: Iterable[pa.RecordBatch]) -> pa.Table:
    """Columns in: article_id, body_text, sections_json."""
    from rnw.topics import score_topics

    out = []
    for row in _rows(batches):
        sections = [
            (s["heading"], s["char_start"], s["char_end"]) for s in json.loads(row["sections_json"] or "[]")
        ]
        result = score_topics(row["body_text"], sections)
        out.append(
            {
                "article_id": row["article_id"],
                "enricher_version": TOPICS_VERSION,
                "scores": [{"topic_id": s.topic_id, "score": s.score, "rank": s.rank} for s in result.scores],
                "sections": [
                    {
                        "char_start": s.char_start,
                        "char_end": s.char_end,
                        "heading": s.heading,
                        "scores": [
                            {"topic_id": t.topic_id, "score": t.score, "rank": t.rank} for t in s.scores
                        ],
                    }
                    for s in result.sections
                ],
            }
        )
    return pa.Table.from_pylist(out, schema=TOPICS_SCHEMA)


def unenriched(
    dbt: Any,
    session: duckdb.DuckDBPyConnection,
    articles: duckdb.DuckDBPyRelation,
    columns: str,
    version: str,
) -> duckdb.DuckDBPyRelation:
    """The ``columns`` of the canonical ``articles`` (int_articles_canonical) an enricher model of
    ``version`` has to process, with the rowid the view passes on: all on a full build, else those
    it holds from no or another version, read by that rowid (a nightly's few articles, not every
    body's text). Read them with ``article_batches`` or ``with_regions``."""
    columns = f"{columns}, {ROWID}"
    if not dbt.is_incremental:
        return articles.project(columns)
    done = f"SELECT article_id FROM {dbt.this} WHERE enricher_version = '{version}'"
    return pending_rows(session, articles, "article_id", done, columns, rowid=ROWID)
