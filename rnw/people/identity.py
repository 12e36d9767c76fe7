"""When are two mentions of a name the same person?

Rule: within one article, one name is one person. Across articles, the same name is the same person
only when the organisation agrees or the job title agrees (a shared title word, ignoring "原"/"前"
and similar qualifiers); a bare name with neither title nor organisation is never merged across
articles, because common names (王伟, 李强) are shared by thousands of people. The rule is not
transitive on purpose-built keys, so clustering links mentions pairwise (union-find) and names each
cluster by the most informative mention in it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache

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
    """One person key per mention; mentions judged the same person share a key.

    Linear in the number of mentions (plus title words): instead of testing ``same_person`` on every
    pair of mentions of a name, each mention is joined to the first earlier mention that shares a
    blocking key with it: same name and article, same name and organisation, or same name and title
    word. Two mentions share a blocking key exactly when ``same_person`` holds for them, so the
    clusters (the connected components of that rule) are the same as pairwise linking gives.
    """
    keys = cluster_names(mentions)
    return [key if key is not None else "" for key in keys]


def cluster_names(mentions: Sequence[NameMention], names: Iterable[str] | None = None) -> list[str | None]:
    """Person keys for the mentions whose name is in ``names`` (all mentions when ``names`` is None);
    None for the other mentions.

    A cluster never spans two names, so the key a mention gets here equals the key
    ``cluster_same_person`` gives it over the whole list, as long as the mentions of those names keep
    their relative order (the tie-break between equally informative mentions is the earlier one).
    An incremental model can therefore recluster only the names that have new mentions, passing all
    mentions (old and new) of those names in the usual order (sorted by mention key).
    """
    wanted = None if names is None else set(names)
    parent: dict[int, int] = {}

    def find(i: int) -> int:
        root = i
        while parent[root] != root:
            root = parent[root]
        while parent[i] != root:
            parent[i], i = root, parent[i]
        return root

    first_with: dict[tuple[str, str, str], int] = {}
    for i, mention in enumerate(mentions):
        if wanted is not None and mention.name not in wanted:
            continue
        parent[i] = i
        for block in _blocking_keys(mention):
            j = first_with.setdefault(block, i)
            if j != i:
                root_i, root_j = find(i), find(j)
                if root_i != root_j:
                    parent[root_i] = root_j
    best: dict[int, int] = {}
    for i in parent:  # ascending: insertion order of the loop above
        root = find(i)
        chosen = best.get(root)
        if chosen is None or _informative(mentions[i]) > _informative(mentions[chosen]):
            best[root] = i
    keys: list[str | None] = [None] * len(mentions)
    chosen_key: dict[int, str] = {}
    for i in parent:
        root = find(i)
        key = chosen_key.get(root)
        if key is None:
            m = mentions[best[root]]
            key = chosen_key[root] = person_key(m.name, m.title, m.organization)
        keys[i] = key
    return keys


def _blocking_keys(mention: NameMention) -> list[tuple[str, str, str]]:
    """Keys two mentions share exactly when ``same_person`` links them."""
    blocks = [(mention.name, "article", mention.article_id)]
    if mention.organization:
        blocks.append((mention.name, "organization", mention.organization))
    blocks.extend((mention.name, "title", word) for word in title_words(mention.title))
    return blocks


def _informative(mention: NameMention) -> tuple[bool, bool]:
    """How much a mention says about the person: organisation first, then title."""
    return bool(mention.organization), bool(mention.title)
