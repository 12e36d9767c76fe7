"""Near-duplicate folding: the same story across pages and sources becomes one article.

Syndicated copies differ by a credit line, an editor's note, a corrected figure or a site's own
boilerplate, so exact hashes miss them. Each distinct body is reduced to a MinHash of its character
5-gram shingles (datasketch), candidate pairs come from LSH banding, and a pair is accepted only when
the exact Jaccard similarity of the shingle sets reaches the threshold. Clusters are the connected
components of accepted pairs and each cluster's canonical text is chosen by content (most shingles, then
smallest hash), so the result depends only on the set of texts, never on the order of ingestion.
"""

from __future__ import annotations

import itertools
import re
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from datasketch import MinHash, MinHashLSH

from rnw.incremental import rows_by_key

if TYPE_CHECKING:
    import duckdb

SHINGLE_CHARS = 5
NUM_PERM = 128
# Fixed seed: the same text always gets the same signature, on every machine and run.
SEED = 20260101
DEFAULT_THRESHOLD = 0.8
# Candidate pairs whose MinHash estimate is this far below the threshold skip the exact check.
ESTIMATE_MARGIN = 0.2
# Bodies whose text is read at once for the exact check (_ShingleSets).
TEXT_CHUNK = 2_500
# Bodies one query reads for their signatures (``int_body_signatures``): a DuckDB scan of long text
# holds native memory until the query ends (``rnw.incremental.batches_in_rowid_ranges``); 5,000
# bodies a query held what one query over all of 10k pages' bodies did.
BODIES_PER_READ = 5_000
# The new bodies and the candidate pairs, registered on the session by likely_pairs.
_FRESH_VIEW = "rnw_fresh_bodies"
_CANDIDATES_VIEW = "rnw_candidate_pairs"
_DROP = re.compile(r"[\s\W_]+")
_MULTIPLIER = np.uint64(1_000_003)
_MASK32 = np.uint64(0xFFFFFFFF)

# The text of one copy of each body (copies differ in white space and width only).
ONE_COPY_PER_BODY = "DISTINCT ON (body_hash) body_hash, body_text"

OUTPUT_SCHEMA = pa.schema(
    [("body_hash", pa.string()), ("cluster_hash", pa.string()), ("similarity", pa.float64())]
)


@dataclass(frozen=True)
class Text:
    body_hash: str
    body_text: str


def shingles(text: str) -> np.ndarray:
    """Hashes of the character 5-grams of the text, without white space and punctuation (width-folded).

    A vectorised polynomial hash over code points: per-shingle Python hashing was the hot spot,
    and Python's own ``hash`` is salted per process, which would break determinism.
    """
    folded = _DROP.sub("", unicodedata.normalize("NFKC", text))
    points = np.frombuffer(folded.encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)
    width = min(SHINGLE_CHARS, len(points))
    if width == 0:
        return np.empty(0, dtype=np.uint64)
    count = len(points) - width + 1
    hashes = np.zeros(count, dtype=np.uint64)
    for k in range(width):
        hashes = (hashes * _MULTIPLIER + points[k : k + count]) & _MASK32
    return np.unique(hashes)


def jaccard(a: np.ndarray, b: np.ndarray) -> float:
    """Exact Jaccard of two sorted sets of shingle hashes: a binary search of the smaller in the
    larger, several times faster than ``np.intersect1d``, which sorts both again."""
    if a.size == 0 and b.size == 0:
        return 1.0
    small, large = (a, b) if a.size <= b.size else (b, a)
    if small.size == 0:
        return 0.0
    found = np.searchsorted(large, small)
    common = int(np.count_nonzero(large[np.minimum(found, large.size - 1)] == small))
    return common / (a.size + b.size - common)


def _identity(value: np.uint64) -> np.uint64:
    return value


class _UnionFind:
    def __init__(self) -> None:
        self.parent: dict[str, str] = {}

    def find(self, item: str) -> str:
        """Iterative with path halving: a chain of thousands of syndicated copies must not hit
        Python's recursion limit."""
        parent = self.parent
        parent.setdefault(item, item)
        while parent[item] != item:
            parent[item] = parent[parent[item]]
            item = parent[item]
        return item

    def union(self, a: str, b: str) -> bool:
        """Join the two groups; False when they were one already."""
        ra, rb = self.find(a), self.find(b)
        if ra == rb:
            return False
        # Smaller hash becomes the root: deterministic whatever the union order.
        low, high = sorted((ra, rb))
        self.parent[high] = low
        return True


SIGNATURE_SCHEMA = pa.schema(
    [("body_hash", pa.string()), ("shingle_count", pa.int32()), ("hashvalues", pa.list_(pa.uint64()))]
)


@lru_cache(maxsize=1)
def _template() -> MinHash:
    """Permutations are costly to draw: once per process."""
    return MinHash(num_perm=NUM_PERM, seed=SEED, hashfunc=_identity)


def _minhash(hashvalues: np.ndarray | None = None) -> MinHash:
    template = _template()
    return MinHash(
        num_perm=NUM_PERM,
        seed=SEED,
        permutations=template.permutations,
        scheme=template.scheme,
        hashfunc=_identity,
        hashvalues=hashvalues,
    )


def signature_rows(texts: Iterable[Text]) -> pa.Table:
    """MinHash signature and shingle count of each distinct body: computed once per body and kept
    (incrementally) so clustering never reads every body again."""
    rows = []
    for text in texts:
        found = shingles(text.body_text)
        signature = _minhash()
        signature.update_batch(found)
        rows.append(
            {
                "body_hash": text.body_hash,
                "shingle_count": int(found.size),
                "hashvalues": signature.hashvalues,
            }
        )
    return pa.Table.from_pylist(rows, schema=SIGNATURE_SCHEMA)


PAIR = "pair"
PLACED = "placed"
WITHDRAWN = "withdrawn"
PAIR_SCHEMA = pa.schema(
    [
        ("body_hash", pa.string()),
        ("other_hash", pa.string()),
        ("similarity", pa.float64()),
        ("row_kind", pa.string()),
    ]
)
NO_PAIRS = PAIR_SCHEMA.empty_table()  # what a full build starts from


@dataclass(frozen=True)
class Increment:
    """What a build must do to the stored pairs (rows keyed by body_hash, replaced per key)."""

    new: set[str]
    """Present bodies to place: never placed, withdrawn before, or in a group that lost a body."""
    withdrawn: list[str]
    """Placed bodies no longer present (an extractor change rewrote their pages)."""
    kept: pa.Table
    """Stored pairs that stay valid: both bodies present, the key not placed again."""


def plan_increment(present: set[str], stored: pa.Table) -> Increment:
    """Decide which bodies a build places, given the stored rows.

    Only a spanning forest of each group is stored, so when a body disappears its group may fall
    apart or stay joined through pairs never stored. Every present member of such a group is
    therefore placed again, which makes the groups equal those of a full build.
    """
    kind = stored.column("row_kind")
    placed = set(stored.filter(pc.equal(kind, PLACED)).column("body_hash").to_pylist())
    pairs = stored.filter(pc.equal(kind, PAIR))
    groups = _UnionFind()
    ends = list(
        zip(pairs.column("body_hash").to_pylist(), pairs.column("other_hash").to_pylist(), strict=True)
    )
    for a, b in ends:
        groups.union(a, b)
    withdrawn = sorted(placed - present)
    broken = {groups.find(h) for h in withdrawn}
    members = {h for pair in ends for h in pair} | placed
    new = (present - placed) | {h for h in members & present if groups.find(h) in broken}
    keep = [a not in new and a in present and b in present for a, b in ends]
    return Increment(new=new, withdrawn=withdrawn, kept=pairs.filter(pa.array(keep, pa.bool_())))


def place_bodies(
    signatures: pa.Table,
    stored: pa.Table,
    texts_of: Callable[[list[str]], dict[str, str]],
    threshold: float = DEFAULT_THRESHOLD,
) -> pa.Table:
    """``place_new_bodies`` for signatures held in memory (``cluster``, tests): the same DuckDB
    queries, on a connection of its own."""
    import duckdb

    with duckdb.connect() as con:
        with_band_keys(con.from_arrow(signatures), threshold).create("signatures")
        stored_rows = con.from_arrow(stored.cast(PAIR_SCHEMA)) if stored.num_rows else None
        return place_new_bodies(con, con.table("signatures"), stored_rows, texts_of, threshold)


def place_new_bodies(
    session: duckdb.DuckDBPyConnection,
    signatures: duckdb.DuckDBPyRelation,
    stored: duckdb.DuckDBPyRelation | None,
    texts_of: Callable[[list[str]], dict[str, str]],
    threshold: float = DEFAULT_THRESHOLD,
) -> pa.Table:
    """The rows a build writes over the stored pairs (dbt incremental delete+insert on body_hash).

    ``signatures`` holds the bodies present now, with their band keys (``with_band_keys``);
    ``stored`` the rows of earlier builds (None for a full build). Signatures stay in DuckDB:
    only the candidate pairs' hashes come into Python (``likely_pairs``). Each withdrawn body
    gets one ``withdrawn`` row, which also deletes its pairs.
    """
    plan = plan_in_duckdb(session, signatures.project("body_hash"), stored)
    candidates = likely_pairs(session, signatures, plan.new, threshold)
    placed = near_duplicate_pairs(candidates, plan.new, texts_of, threshold, plan.kept)
    tombstones = pa.Table.from_pylist(
        [{"body_hash": h, "row_kind": WITHDRAWN} for h in plan.withdrawn], schema=PAIR_SCHEMA
    )
    return pa.concat_tables([placed, tombstones])


def plan_in_duckdb(
    session: duckdb.DuckDBPyConnection,
    present: duckdb.DuckDBPyRelation,
    stored: duckdb.DuckDBPyRelation | None,
) -> Increment:
    """``plan_increment``'s answer, worked out in DuckDB when no placed body has gone.

    That is every nightly short of an extractor change, and then the bodies to place are simply
    those without a ``placed`` row, and every stored pair stays (its ends are placed, hence present,
    and not placed again). Only when a body has gone do the stored groups matter, and then every
    stored row goes through ``plan_increment`` in Python.
    """
    if stored is None:
        return Increment(new=set(_first_column(present)), withdrawn=[], kept=NO_PAIRS)
    placed = stored.filter(f"row_kind = '{PLACED}'").project("body_hash")
    if placed.join(present, "body_hash", how="anti").limit(1).fetchone() is not None:
        return plan_increment(set(_first_column(present)), stored.to_arrow_table().cast(PAIR_SCHEMA))
    new = set(_first_column(present.join(placed, "body_hash", how="anti")))
    kept = stored.filter(f"row_kind = '{PAIR}'").to_arrow_table().cast(PAIR_SCHEMA)
    return Increment(new=new, withdrawn=[], kept=kept)


def _first_column(relation: duckdb.DuckDBPyRelation) -> list:
    return relation.to_arrow_table().column(0).to_pylist()


def with_band_keys(signatures: duckdb.DuckDBPyRelation, threshold: float) -> duckdb.DuckDBPyRelation:
    """``signatures`` with a ``band_keys`` column: DuckDB's hash of each LSH band's values (with
    the band's number), for the bands datasketch's ``MinHashLSH`` chooses for ``threshold``.

    Stored with the signature (int_body_signatures), so that candidate pairs come from a join on
    the keys (``likely_pairs``) instead of hashing the bands of every stored signature again. Two
    bands whose hashes collide only add a candidate, which the estimate and the exact check judge
    like any other.
    """
    bands, rows = lsh_bands(threshold)
    keys = ", ".join(f"hash({b}, hashvalues[{b * rows + 1}:{(b + 1) * rows}])" for b in range(bands))
    return signatures.project(f"*, [{keys}]::UBIGINT[] AS band_keys")


def likely_pairs(
    session: duckdb.DuckDBPyConnection,
    signatures: duckdb.DuckDBPyRelation,
    new: set[str],
    threshold: float,
) -> list[tuple[str, str]]:
    """Body pairs (smaller hash first, in order), at least one of them ``new``, that share an LSH
    band and whose MinHash estimate is within ``ESTIMATE_MARGIN`` of the threshold: the exact
    check runs on these only.

    Joins on the stored band keys, with the estimate in SQL, so that no signature comes into
    Python: a first load at 100k pages read every signature (100 MB of hash values) and banded
    them with numpy, and the dbt process's heap never gave that memory back. A nightly joins only
    the new bodies' keys. With 128 permutations the estimate of a pair at the threshold has a
    standard deviation of about 0.035, so a true pair falls below the margin with a probability
    under 1e-8. ``signatures`` must be a relation over tables of ``session`` (its SQL is inlined).
    """
    if not new:  # a nightly without new bodies (only withdrawn ones, or none) has no candidate
        return []
    source = signatures.sql_query()
    everything = len(new) == signatures.aggregate("count(*)").fetchone()[0]
    if everything:  # every body is new: each pair once, from its smaller hash
        fresh, other = f"({source})", "f.body_hash < k.body_hash"
    else:
        session.register(_FRESH_VIEW, pa.table({"body_hash": pa.array(sorted(new), pa.string())}))
        fresh, other = f"({source}) SEMI JOIN {_FRESH_VIEW} USING (body_hash)", "f.body_hash <> k.body_hash"
    # Every body's keys against every body's, one band at a time: all at once, the join's hash
    # table ran out of DuckDB's 160 MB in the dbt process at 100k pages. A nightly's new bodies'
    # keys are few: one join, all bands (a join per band cost a 100k nightly 0.56 s, not 0.2).
    bands = range(1, lsh_bands(threshold)[0] + 1)
    keys = [f"band_keys[{band}]" for band in bands] if everything else ["unnest(band_keys)"]
    try:
        banded = [
            session.sql(
                f"""
                SELECT least(f.body_hash, k.body_hash) AS low, greatest(f.body_hash, k.body_hash) AS high
                FROM (SELECT body_hash, {key} AS band_key FROM {fresh}) AS f
                INNER JOIN (SELECT body_hash, {key} AS band_key FROM ({source})) AS k USING (band_key)
                WHERE {other}
                """
            ).to_arrow_table()
            for key in keys
        ]
    finally:
        if not everything:
            session.unregister(_FRESH_VIEW)
    session.register(_CANDIDATES_VIEW, pa.concat_tables(banded))
    try:
        rows = session.sql(
            f"""
            WITH c AS (SELECT DISTINCT low, high FROM {_CANDIDATES_VIEW}),
            involved AS MATERIALIZED (
                SELECT body_hash, hashvalues FROM ({source})
                SEMI JOIN (SELECT low AS body_hash FROM c UNION SELECT high FROM c) USING (body_hash)
            )
            SELECT c.low, c.high
            FROM c
            INNER JOIN involved AS a ON a.body_hash = c.low
            INNER JOIN involved AS b ON b.body_hash = c.high
            WHERE len(list_filter(list_zip(a.hashvalues, b.hashvalues), v -> v[1] = v[2])) / {NUM_PERM}
                >= '{threshold - ESTIMATE_MARGIN!r}'::DOUBLE
            ORDER BY c.low, c.high
            """
        ).fetchall()
    finally:
        session.unregister(_CANDIDATES_VIEW)
    return [(low, high) for low, high in rows]


def lsh_bands(threshold: float) -> tuple[int, int]:
    """(bands, rows per band) that datasketch's ``MinHashLSH`` chooses for ``threshold``."""
    lsh = MinHashLSH(threshold=threshold, num_perm=NUM_PERM)
    return lsh.b, lsh.r


def near_duplicate_pairs(
    candidates: list[tuple[str, str]],
    new: set[str],
    texts_of: Callable[[list[str]], dict[str, str]],
    threshold: float = DEFAULT_THRESHOLD,
    known: pa.Table | None = None,
) -> pa.Table:
    """A spanning forest of the near-duplicate pairs among ``candidates``, and one ``placed`` row
    per ``new`` body.

    A candidate whose bodies are already joined (through ``known`` pairs or pairs accepted here) is
    skipped; the others are checked on the exact Jaccard of the shingle sets, read (``texts_of``)
    for candidate bodies only. Candidates come in the order of their hashes, so the forest depends
    only on the set of bodies. Storing a forest rather than every pair keeps a group of n copies at
    n - 1 rows: a story syndicated to 50 sites would otherwise store 1,225 pairs, and groups that
    chain grow with the square of their size. A pair row is keyed by its new body (the smaller
    hash when both are new), so placing that body again replaces it.
    """
    if not 0.0 < threshold <= 1.0:
        raise ValueError(f"near-duplicate threshold must be in (0, 1], got {threshold}")
    groups = _UnionFind()
    if known is not None:
        for a, b in zip(
            known.column("body_hash").to_pylist(), known.column("other_hash").to_pylist(), strict=True
        ):
            groups.union(a, b)
    unjoined = [pair for pair in candidates if groups.find(pair[0]) != groups.find(pair[1])]
    sets = _ShingleSets(texts_of, unjoined)
    rows = []
    for position, (a, b) in enumerate(unjoined):
        if groups.find(a) != groups.find(b):
            similarity = jaccard(*sets.of(a, b))
            if similarity >= threshold:
                groups.union(a, b)
                key, other = (a, b) if a in new else (b, a)
                rows.append(
                    {
                        "body_hash": key,
                        "other_hash": other,
                        "similarity": round(similarity, 6),
                        "row_kind": PAIR,
                    }
                )
        sets.done_with(position, a, b)
    accepted = pa.Table.from_pylist(rows, schema=PAIR_SCHEMA)
    placed = pa.table(
        {
            "body_hash": pa.array(sorted(new), pa.string()),
            "other_hash": pa.nulls(len(new), pa.string()),
            "similarity": pa.nulls(len(new), pa.float64()),
            "row_kind": pa.repeat(pa.scalar(PLACED, pa.string()), len(new)),
        },
        schema=PAIR_SCHEMA,
    )
    return pa.concat_tables([accepted, placed])


def cluster_pairs(
    signatures: pa.Table, pairs: pa.Table, texts_of: Callable[[list[str]], dict[str, str]]
) -> pa.Table:
    """Map every body hash to its cluster's canonical body hash and its similarity to it.

    Clusters are the connected components of the accepted pairs, so they depend only on the set of
    bodies, never on the order they arrived in; the canonical body has the most shingles (then the
    smallest hash). A member's similarity comes from its stored pair with the canonical body, and is
    computed from the texts only when the two are joined through others.
    """
    hashes = signatures.column("body_hash").to_pylist()
    counts = dict(zip(hashes, signatures.column("shingle_count").to_pylist(), strict=True))
    known: dict[tuple[str, str], float] = {}
    groups = _UnionFind()
    for row in pairs.filter(pc.equal(pairs.column("row_kind"), PAIR)).to_pylist():
        a, b = sorted((row["body_hash"], row["other_hash"]))
        if a in counts and b in counts:
            known[(a, b)] = row["similarity"]
            groups.union(a, b)
    members: dict[str, list[str]] = {}
    for body_hash in sorted(hashes):
        members.setdefault(groups.find(body_hash), []).append(body_hash)
    canonical_of = {h: min(group, key=lambda m: (-counts[m], m)) for group in members.values() for h in group}
    unknown = [(h, c) for h, c in canonical_of.items() if h != c and (min(h, c), max(h, c)) not in known]
    unknown.sort(key=lambda pair: (pair[1], pair[0]))  # a cluster's pairs side by side
    sets = _ShingleSets(texts_of, unknown)
    for position, (body_hash, canonical) in enumerate(unknown):
        known[(min(body_hash, canonical), max(body_hash, canonical))] = round(
            jaccard(*sets.of(body_hash, canonical)), 6
        )
        sets.done_with(position, body_hash, canonical)
    rows = []
    for body_hash in sorted(hashes):
        canonical = canonical_of[body_hash]
        similarity = (
            1.0 if body_hash == canonical else known[(min(body_hash, canonical), max(body_hash, canonical))]
        )
        rows.append({"body_hash": body_hash, "cluster_hash": canonical, "similarity": similarity})
    return pa.Table.from_pylist(rows, schema=OUTPUT_SCHEMA)


def recluster(
    signatures: pa.Table, pairs: pa.Table, seeds: set[str], texts_of: Callable[[list[str]], dict[str, str]]
) -> pa.Table:
    """``cluster_pairs``' rows for the clusters that hold a ``seeds`` body, and for no other.

    An incremental build's seeds are the bodies that arrived and the members left in each cluster
    that lost one. Pairs change only around the bodies a build places (``plan_increment``), and
    those are among the seeds, so every other cluster is as stored.
    """
    present = set(signatures.column("body_hash").to_pylist())
    groups = _UnionFind()
    joined = pairs.filter(pc.equal(pairs.column("row_kind"), PAIR))
    for a, b in zip(
        joined.column("body_hash").to_pylist(), joined.column("other_hash").to_pylist(), strict=True
    ):
        if a in present and b in present:
            groups.union(a, b)
    roots = {groups.find(h) for h in seeds & present}
    touched = pa.array(
        [groups.find(h) in roots for h in signatures.column("body_hash").to_pylist()], pa.bool_()
    )
    return cluster_pairs(signatures.filter(touched), pairs, texts_of)


def cluster(texts: Iterable[Text], threshold: float = DEFAULT_THRESHOLD) -> pa.Table:
    """Cluster texts held in memory (signatures computed on the spot, every text new)."""
    by_hash = {t.body_hash: t.body_text for t in texts}
    signatures = signature_rows(Text(h, t) for h, t in by_hash.items())

    def texts_of(wanted: list[str]) -> dict[str, str]:
        return {h: by_hash[h] for h in wanted}

    pairs = place_bodies(signatures, NO_PAIRS, texts_of, threshold)
    return cluster_pairs(signatures, pairs, texts_of)


def signature_batches(batches: Iterable[pa.RecordBatch]) -> pa.Table:
    """dbt entry point: batches with columns body_hash, body_text (one row per distinct body)."""
    return signature_rows(
        Text(r["body_hash"], r["body_text"]) for batch in batches for r in batch.to_pylist()
    )


def body_texts(
    session: duckdb.DuckDBPyConnection, extracted: duckdb.DuckDBPyRelation
) -> Callable[[list[str]], dict[str, str]]:
    """``texts_of`` for the dbt models: bodies read back from ``int_articles_extracted`` by hash
    (``rows_by_key``: a nightly's few bodies without reading every body's text)."""

    def texts_of(body_hashes: list[str]) -> dict[str, str]:
        rows = rows_by_key(session, extracted, "body_hash", body_hashes, ONE_COPY_PER_BODY)
        return dict(zip(rows.column(0).to_pylist(), rows.column(1).to_pylist(), strict=True))

    return texts_of


class _ShingleSets:
    """Shingle sets of the bodies of ``pairs`` for the exact check, each held only from the first
    pair that needs it to the last.

    Texts are read ``TEXT_CHUNK`` at a time, in the order the pairs first need them, and kept as
    32-bit values (the hashes are masked to 32 bits). Holding the set of every body of a first
    load's candidates at once grew with the archive: 20,705 bodies, 142 MB of sets, at 200k pages
    (bench/RESULTS.md, twenty-fifth session). Candidates come sorted by hash, so most bodies'
    pairs are next to each other and at most a few hundred sets outlive their chunk.
    """

    def __init__(self, texts_of: Callable[[list[str]], dict[str, str]], pairs: list[tuple[str, str]]) -> None:
        self._texts_of = texts_of
        self._last: dict[str, int] = {}
        for position, pair in enumerate(pairs):
            for body_hash in pair:
                self._last[body_hash] = position
        self._to_read = iter(self._last)  # dicts keep insertion order: the order of first need
        self._sets: dict[str, np.ndarray] = {}

    def of(self, a: str, b: str) -> tuple[np.ndarray, np.ndarray]:
        """The two bodies' sets, reading the next chunk of texts while either is missing."""
        while a not in self._sets or b not in self._sets:
            chunk = list(itertools.islice(self._to_read, TEXT_CHUNK))
            if not chunk:
                raise KeyError(f"no text for body {a if a not in self._sets else b}")
            for body_hash, text in self._texts_of(chunk).items():
                self._sets[body_hash] = shingles(text).astype(np.uint32)
        return self._sets[a], self._sets[b]

    def done_with(self, position: int, a: str, b: str) -> None:
        """Drop the sets that no pair after ``position`` needs."""
        for body_hash in (a, b):
            if self._last[body_hash] == position:
                self._sets.pop(body_hash, None)
