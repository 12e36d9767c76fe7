"""Near-duplicate folding: the same story across pages and sources becomes one article.

Syndicated copies differ by a credit line, an editor's note, a corrected figure or a site's own
boilerplate, so exact hashes miss them. Each distinct body is reduced to a MinHash of its character
5-gram shingles (datasketch), candidate pairs come from LSH banding, and a pair is accepted only when
the exact Jaccard similarity of the shingle sets reaches the threshold. Clusters are the connected
components of accepted pairs and each cluster's canonical text is chosen by content (most shingles, then
smallest hash), so the result depends only on the set of texts, never on the order of ingestion.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
import pyarrow as pa
from datasketch import MinHash, MinHashLSH

SHINGLE_CHARS = 5
NUM_PERM = 128
# Fixed seed: the same text always gets the same signature, on every machine and run.
SEED = 20260101
DEFAULT_THRESHOLD = 0.8
_DROP = re.compile(r"[\s\W_]+")
_MULTIPLIER = np.uint64(1_000_003)
_MASK32 = np.uint64(0xFFFFFFFF)

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
    if a.size == 0 and b.size == 0:
        return 1.0
    common = np.intersect1d(a, b, assume_unique=True).size
    return common / (a.size + b.size - common)


def _identity(value: np.uint64) -> np.uint64:
    return value


class _UnionFind:
    def __init__(self) -> None:
        self.parent: dict[str, str] = {}

    def find(self, item: str) -> str:
        parent = self.parent.setdefault(item, item)
        if parent != item:
            parent = self.parent[item] = self.find(parent)
        return parent

    def union(self, a: str, b: str) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            # Smaller hash becomes the root: deterministic whatever the union order.
            low, high = sorted((ra, rb))
            self.parent[high] = low


def cluster(texts: Iterable[Text], threshold: float = DEFAULT_THRESHOLD) -> pa.Table:
    """Map every distinct body hash to its cluster's canonical body hash and its similarity to it."""
    if not 0.0 < threshold <= 1.0:
        raise ValueError(f"near-duplicate threshold must be in (0, 1], got {threshold}")
    by_hash = {t.body_hash: t for t in texts}
    order = sorted(by_hash)
    sets = {h: shingles(by_hash[h].body_text) for h in order}
    lsh = MinHashLSH(threshold=threshold, num_perm=NUM_PERM)
    template = MinHash(num_perm=NUM_PERM, seed=SEED, hashfunc=_identity)  # permutations are costly: once
    signatures: dict[str, MinHash] = {}
    for body_hash in order:
        signature = MinHash(
            num_perm=NUM_PERM,
            seed=SEED,
            permutations=template.permutations,
            scheme=template.scheme,
            hashfunc=_identity,
        )
        signature.update_batch(sets[body_hash])
        signatures[body_hash] = signature
        lsh.insert(body_hash, signature)
    groups = _UnionFind()
    for body_hash in order:
        groups.find(body_hash)
        for other in lsh.query(signatures[body_hash]):
            # Pairs already joined need no check; the exact check runs on the rest only.
            if (
                other > body_hash
                and groups.find(other) != groups.find(body_hash)
                and jaccard(sets[body_hash], sets[other]) >= threshold
            ):
                groups.union(body_hash, other)
    members: dict[str, list[str]] = {}
    for body_hash in order:
        members.setdefault(groups.find(body_hash), []).append(body_hash)
    rows = []
    for group in members.values():
        canonical = min(group, key=lambda h: (-sets[h].size, h))
        for body_hash in group:
            similarity = 1.0 if body_hash == canonical else jaccard(sets[body_hash], sets[canonical])
            rows.append(
                {"body_hash": body_hash, "cluster_hash": canonical, "similarity": round(similarity, 6)}
            )
    return pa.Table.from_pylist(rows, schema=OUTPUT_SCHEMA)


def cluster_batches(batches: Iterable[pa.RecordBatch], threshold: float = DEFAULT_THRESHOLD) -> pa.Table:
    """dbt entry point: batches with columns body_hash, body_text (one row per distinct body)."""
    return cluster(
        (Text(row["body_hash"], row["body_text"]) for batch in batches for row in batch.to_pylist()),
        threshold,
    )
