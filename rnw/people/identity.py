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
from collections.abc import Sequence
from dataclasses import dataclass

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


def title_words(title: str | None) -> set[str]:
    """Title words without soft qualifiers: "原党组书记、主席" -> {"党组书记", "主席"}."""
    words: set[str] = set()
    for word in _TITLE_SPLIT.split(title or ""):
        word = word.strip()
        for modifier in _SOFT_MODIFIERS:
            if word.startswith(modifier) and len(word) > len(modifier):
                word = word[len(modifier) :]
        if word:
            words.add(word)
    return words


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
    parent = list(range(len(mentions)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    by_name: dict[str, list[int]] = {}
    for i, mention in enumerate(mentions):
        by_name.setdefault(mention.name, []).append(i)
    for indices in by_name.values():
        for x, i in enumerate(indices):
            for j in indices[x + 1 :]:
                if same_person(mentions[i], mentions[j]):
                    parent[find(i)] = find(j)
    clusters: dict[int, list[int]] = {}
    for i in range(len(mentions)):
        clusters.setdefault(find(i), []).append(i)
    keys = [""] * len(mentions)
    for members in clusters.values():
        best = max(members, key=lambda i: (bool(mentions[i].organization), bool(mentions[i].title), -i))
        key = person_key(mentions[best].name, mentions[best].title, mentions[best].organization)
        for i in members:
            keys[i] = key
    return keys
