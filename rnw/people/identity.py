"""When are two mentions of a name the same person?

Rule: within one article, one name is one person. Across articles, the same name is the same person
only when the organisation agrees or the job title agrees (a shared title word, ignoring "原"/"前"
and similar qualifiers); a bare name with neither title nor organisation is never merged across
articles, because common names (王伟, 李强) are shared by thousands of people. The rule is not
transitive on purpose-built keys, so clustering takes the connected components of the rule and names
each cluster by the most informative mention in it.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

from rnw.people.config import TITLE_JOINERS, TITLE_MODIFIERS

_KEY_SEPARATOR = "|"
_TITLE_SPLIT = re.compile("[" + TITLE_JOINERS + "，,]")
_SOFT_MODIFIERS = tuple(m for m in TITLE_MODIFIERS if m not in ("副", "总", "常务", "执行"))


@dataclass(frozen=True)
class NameMention:
    """One article's mention of a person, as far as identity needs it."""

    article_id: str
    name: str
    title: str | None
    organization: str | None


def person_key(name: str, title: str | None, organization: str | None) -> str:
    """A stable key for a person: name plus organisation, else name plus title words, else the name.

    Two mentions with equal keys are always the same person; unequal keys may still be (see
    ``cluster_same_person``), which is why the warehouse stores the cluster's key, not each mention's.
    """
    org = (organization or "").strip()
    words = "、".join(sorted(title_words(title)))
    return _KEY_SEPARATOR.join((name.strip(), org, words if not org else ""))


@lru_cache(maxsize=65536)
def title_words(title: str | None) -> frozenset[str]:
    """Title words without soft qualifiers: "原党组书记、主席" -> {"党组书记", "主席"}.

    Cached: a warehouse has few distinct titles and many mentions of each (the identity of 138k
    mentions spent a fifth of its time here)."""
    words: set[str] = set()
    for word in _TITLE_SPLIT.split(title or ""):
        word = word.strip()
        for modifier in _SOFT_MODIFIERS:
            if word.startswith(modifier) and len(word) > len(modifier):
                word = word[len(modifier) :]
        if word:
            words.add(word)
    return frozenset(words)


def same_person(a: NameMention, b: NameMention) -> bool:
    """The pairwise rule: same article, or same name with agreeing organisation or title."""
    if a.name != b.name:
        return False
    if a.article_id == b.article_id:
        return True
    if a.organization and b.organization and a.organization == b.organization:
        return True
    return bool(title_words(a.title) & title_words(b.title))


def cluster_same_person(mentions: Sequence[NameMention]) -> list[str]:
    """One person key per mention; mentions judged the same person share a key."""
    return cluster_columns(
        [m.article_id for m in mentions],
        [m.name for m in mentions],
        [m.title for m in mentions],
        [m.organization for m in mentions],
    ).to_pylist()


def cluster_columns(
    article_ids: Sequence[str] | pa.Array,
    names: Sequence[str] | pa.Array,
    titles: Sequence[str | None] | pa.Array,
    organizations: Sequence[str | None] | pa.Array,
) -> pa.Array:
    """``cluster_same_person`` over columns: the connected components of mentions and the blocking
    keys they carry (same name and article, same name and organisation, same name and title word).

    Two mentions share a blocking key exactly when ``same_person`` holds for them, so the components
    are the clusters pairwise linking gives, in time linear in the mentions. Arrow encodes the blocks
    and scipy solves the graph: a Python union-find over the 140k mentions of a 100k page warehouse
    took 1.3 s of the nightly's identity model, which re-resolves every mention of a name that has a
    new one. Title words are split once per distinct title.
    """
    article_ids, names, titles, organizations = (
        pa.array(column, pa.string()) for column in (article_ids, names, titles, organizations)
    )
    count = len(names)
    if count == 0:
        return pa.array([], pa.string())
    rows = np.arange(count)
    has_org = pc.fill_null(pc.not_equal(organizations, ""), False)
    has_title = pc.fill_null(pc.not_equal(titles, ""), False)
    title_codes = pc.dictionary_encode(titles)
    words_per_title = pa.array(
        [sorted(title_words(t)) for t in title_codes.dictionary.to_pylist()], pa.list_(pa.string())
    )
    words = pc.take(words_per_title, title_codes.indices)
    word_rows = pc.list_parent_indices(words)
    blocks = pa.concat_arrays(
        [
            pc.binary_join_element_wise(names, article_ids, "\x1fa\x1f"),
            pc.binary_join_element_wise(names.filter(has_org), organizations.filter(has_org), "\x1fo\x1f"),
            pc.binary_join_element_wise(pc.take(names, word_rows), pc.list_flatten(words), "\x1ft\x1f"),
        ]
    )
    block_rows = np.concatenate([rows, rows[_flags(has_org)], word_rows.to_numpy()])
    block_ids = pc.dictionary_encode(blocks).indices.to_numpy()
    graph = coo_matrix(
        (np.ones(len(block_rows), dtype=np.int8), (block_rows, block_ids + count)),
        shape=(count + int(block_ids.max()) + 1,) * 2,
    )
    _, labels = connected_components(graph, directed=False)
    labels = labels[:count]
    # Best mention per cluster: most informative (organisation, then title), then the earliest.
    score = 2 * _flags(has_org).astype(np.int8) + _flags(has_title)
    order = np.lexsort((rows, -score, labels))
    first = np.ones(count, dtype=bool)
    first[1:] = labels[order][1:] != labels[order][:-1]
    best = np.empty(labels.max() + 1, dtype=np.int64)
    best[labels[order][first]] = order[first]
    chosen = pa.array(best)
    keys = pa.array(
        [
            person_key(name, title, org)
            for name, title, org in zip(
                pc.take(names, chosen).to_pylist(),
                pc.take(titles, chosen).to_pylist(),
                pc.take(organizations, chosen).to_pylist(),
                strict=True,
            )
        ],
        pa.string(),
    )
    return pc.take(keys, pa.array(labels))


def _flags(mask: pa.Array) -> np.ndarray:
    return mask.to_numpy(zero_copy_only=False)
