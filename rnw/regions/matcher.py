"""Find region and region-group mentions in Chinese text, with character offsets and GB/T 2260 codes.

Pipeline per text: Aho-Corasick finds every known name -> drop candidates that are ordinary words
(stop-list), that do not sit on word boundaries (segmenter), or that name a village or street
(山南村, 北京路) -> keep leftmost-longest spans -> resolve each span to one code, using the publication
year for renamed and retired divisions and the article's other places for shared names (通州, 河北).
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from itertools import pairwise
from pathlib import Path

import ahocorasick

from rnw.regions.config import (
    ADJACENT_PARENT_SCORE,
    CONTEXT_ANCESTOR_SCORE,
    CONTEXT_DESCENDANT_SCORE,
    CONTEXT_PARENT_SCORE,
    CONTEXT_SAME_PROVINCE_SCORE,
    DESCEND_SHARE,
    FULL_NAME_SCORE,
    HOME_FACTOR,
    HOME_REGION_SCORE,
    IN_USE_SCORE,
    LEAD_CHARS,
    LEVEL_SCORE,
    MAX_SUCCESSOR_HOPS,
    PASSING_SPAN_CHARS,
    SEED_DIR,
    TITLE_WEIGHT,
)
from rnw.regions.gazetteer import (
    Hierarchy,
    RegionGroup,
    RegionVersion,
    load_groups,
    load_regions,
    load_stoplist,
    load_versions,
)
from rnw.regions.segmenter import Segmenter

# Region names are BMP characters; a text's astral characters (emoji) are masked with one BMP
# non-character so that every character is exactly one UTF-16 code unit.
_ASTRAL = re.compile("[\U00010000-\U0010ffff]")
_ASTRAL_MASK = "\uffff"
_SEED_FILES = (
    "region_versions.csv",
    "regions.csv",
    "region_name_stoplist.csv",
    "region_groups.csv",
    "region_group_members.csv",
)


def _code_units(text: str) -> str:
    """``text`` as the hex digits of its UTF-16 code units, four digits per BMP character.

    pyahocorasick scans a node's children linearly, and the root of a trie of Chinese names has
    about a thousand; over hex digits no node has more than 16, which makes matching several times
    faster. A match in this form is a real one only when it is aligned to whole characters.
    """
    return text.encode("utf-16-be", "surrogatepass").hex()


# 新华社北京5月19日电, 中国网5月13日讯: the place right before the date is where the wire was filed.
DATELINE_AFTER = re.compile(r"\d{1,2}月\d{1,2}日(?:电|讯)")


@dataclass(frozen=True)
class RegionMention:
    """One written region name. `role` says how it is used, which matters for the primary region:
    'qualifier' when its own sub-region follows at once (河北省|遵化市), 'dateline' for the wire
    dateline (新华社北京5月19日电), else 'mention'."""

    region_code: str
    char_start: int
    char_end: int
    surface: str
    role: str = "mention"


@dataclass(frozen=True)
class GroupMention:
    group_id: str
    char_start: int
    char_end: int
    surface: str


@dataclass(frozen=True)
class _Span:
    start: int
    end: int
    surface: str


@dataclass(frozen=True)
class _Context:
    """What the rest of the article says: the codes read elsewhere in it (anchors), their ancestors and
    provinces, and the source's home region."""

    anchors: frozenset[str]
    anchor_ancestors: frozenset[str]
    anchor_provinces: frozenset[str]
    home_region: str | None

    @classmethod
    def of(cls, anchors: list[str], hierarchy: Hierarchy, home_region: str | None) -> _Context:
        return cls(
            anchors=frozenset(anchors),
            anchor_ancestors=frozenset(a for code in set(anchors) for a in hierarchy.ancestors(code)),
            anchor_provinces=frozenset(filter(None, (hierarchy.province_of(code) for code in set(anchors)))),
            home_region=home_region,
        )


@dataclass(frozen=True)
class _Candidate:
    code: str
    full_name: bool
    in_use: bool


class RegionGazetteer:
    """All region knowledge needed at match time; build once with `load()` and reuse (it is immutable)."""

    def __init__(
        self,
        versions: list[RegionVersion],
        hierarchy: Hierarchy,
        stoplist: frozenset[str],
        groups: list[RegionGroup],
    ) -> None:
        self.hierarchy = hierarchy
        self.groups = {group.group_id: group for group in groups}
        self._versions_by_code: dict[str, list[RegionVersion]] = {}
        self._by_surface: dict[str, list[tuple[RegionVersion, bool]]] = {}
        for version in versions:
            self._versions_by_code.setdefault(version.region_code, []).append(version)
            for surface in (version.name, *version.aliases):
                self._by_surface.setdefault(surface, []).append((version, True))
            if version.short_name != version.name:
                self._by_surface.setdefault(version.short_name, []).append((version, False))
        self._group_by_surface = {
            surface: group.group_id for group in groups for surface in (group.name, *group.aliases)
        }
        self._full_names = {
            surface for surface, entries in self._by_surface.items() if any(e[1] for e in entries)
        }
        surfaces = (set(self._by_surface) | set(self._group_by_surface)) - stoplist
        self._automaton = ahocorasick.Automaton()
        for surface in surfaces:
            if len(surface) >= 2:
                if _ASTRAL.search(surface) or _ASTRAL_MASK in surface:
                    raise ValueError(f"region name outside the Basic Multilingual Plane: {surface!r}")
                self._automaton.add_word(_code_units(surface), surface)
        self._automaton.make_automaton()
        self._segmenter = Segmenter(surfaces)
        self._candidate_cache: dict[tuple[str, int | None], list[_Candidate]] = {}
        # find_mentions and find_group_mentions of one text share its spans: (text, spans).
        self._last_spans: tuple[str, list[_Span]] = ("", [])

    @classmethod
    def load(cls, seed_dir: Path = SEED_DIR) -> RegionGazetteer:
        """The gazetteer of the seeds in `seed_dir`, built once per process while the files are
        unchanged (building takes a few hundred milliseconds; the result is immutable)."""
        stamps = []
        for name in _SEED_FILES:
            stat = (seed_dir / name).stat()
            stamps.append((stat.st_mtime_ns, stat.st_size))
        with _LOADING:  # a worker's warm-up thread and its first regions task may ask at once
            return _load(seed_dir, tuple(stamps))

    @classmethod
    def build(cls, seed_dir: Path = SEED_DIR) -> RegionGazetteer:
        """A new gazetteer read from the seed files (uncached)."""
        return cls(
            versions=load_versions(seed_dir / "region_versions.csv"),
            hierarchy=Hierarchy(load_regions(seed_dir / "regions.csv")),
            stoplist=load_stoplist(seed_dir / "region_name_stoplist.csv"),
            groups=load_groups(seed_dir / "region_groups.csv", seed_dir / "region_group_members.csv"),
        )

    # ---- spans -------------------------------------------------------------------------------------

    def _spans(self, text: str) -> list[_Span]:
        """Accepted, non-overlapping name spans (regions and groups), leftmost-longest."""
        last_text, last_spans = self._last_spans
        if text == last_text:
            return last_spans
        spans = self._find_spans(text)
        self._last_spans = (text, spans)
        return spans

    def _find_spans(self, text: str) -> list[_Span]:
        units = _code_units(text)
        if len(units) != 4 * len(text):
            units = _code_units(_ASTRAL.sub(_ASTRAL_MASK, text))
        # `end` is the match's last hex digit; it ends a character when end % 4 == 3.
        raw = [
            ((end + 1) // 4 - len(surface), (end + 1) // 4, surface)
            for end, surface in self._automaton.iter(units)
            if end & 3 == 3
        ]
        if not raw:
            return []
        text.encode("utf-8")  # as jieba would, refuse a text with a lone surrogate
        segmentation = self._segmenter.segment_around(text, {(start, end) for start, end, _ in raw})
        accepted = [
            (start, end, surface)
            for start, end, surface in raw
            if segmentation.accepts(start, end)
            and not (self._is_short_form(surface) and segmentation.followed_by_smaller_place(end))
        ]
        accepted.sort(key=lambda item: (item[0], -(item[1] - item[0])))
        spans: list[_Span] = []
        last_end = 0
        for start, end, surface in accepted:
            if start >= last_end:
                spans.append(_Span(start, end, surface))
                last_end = end
        return spans

    def _is_short_form(self, surface: str) -> bool:
        """Only short forms can name a smaller place (山南村); 天津市路网 still names Tianjin."""
        return surface not in self._full_names and surface not in self._group_by_surface

    # ---- groups ------------------------------------------------------------------------------------

    def find_group_mentions(self, text: str) -> list[GroupMention]:
        """京津冀, 长三角, 大湾区 ...: groups are reported here only, never expanded into member mentions."""
        return [
            GroupMention(self._group_by_surface[span.surface], span.start, span.end, span.surface)
            for span in self._spans(text)
            if span.surface in self._group_by_surface and span.surface not in self._by_surface
        ]

    # ---- regions -----------------------------------------------------------------------------------

    def find_mentions(
        self, text: str, published: date | None = None, home_region: str | None = None
    ) -> list[RegionMention]:
        """Every explicit region name in `text`, resolved to the code valid at `published`.

        Without a date, an old name resolves to its own (possibly retired) code rather than a successor:
        the text names that division, and guessing "now" would silently rewrite history.
        """
        year = published.year if published is not None else None
        spans = [span for span in self._spans(text) if span.surface in self._by_surface]
        candidates = [self._candidates(span.surface, year) for span in spans]
        # Two passes: names with one reading anchor the first; the second lets every first-pass reading
        # vote, so 南通 (also an old county name) still tells 通州 which 通州 it is.
        context = _Context.of([c[0].code for c in candidates if len(c) == 1], self.hierarchy, home_region)
        mentions = self._resolve(spans, candidates, context)
        if any(len(c) > 1 for c in candidates):
            context = _Context.of([m.region_code for m in mentions], self.hierarchy, home_region)
            mentions = self._resolve(spans, candidates, context)
        return self._with_roles(text, mentions)

    def _resolve(
        self, spans: list[_Span], candidates: list[list[_Candidate]], context: _Context
    ) -> list[RegionMention]:
        mentions: list[RegionMention] = []
        for span, cands in zip(spans, candidates, strict=True):
            previous = mentions[-1] if mentions and mentions[-1].char_end == span.start else None
            best = max(cands, key=lambda cand: (self._score(cand, previous, context), -int(cand.code)))
            mentions.append(RegionMention(best.code, span.start, span.end, span.surface))
        return mentions

    def _with_roles(self, text: str, mentions: list[RegionMention]) -> list[RegionMention]:
        with_roles = []
        for index, mention in enumerate(mentions):
            following = mentions[index + 1] if index + 1 < len(mentions) else None
            role = "mention"
            if DATELINE_AFTER.match(text, mention.char_end):
                role = "dateline"
            elif (
                following is not None
                and following.char_start == mention.char_end
                and self.hierarchy.is_within(following.region_code, mention.region_code)
                and following.region_code != mention.region_code
            ):
                role = "qualifier"
            with_roles.append(
                RegionMention(
                    mention.region_code, mention.char_start, mention.char_end, mention.surface, role
                )
            )
        return with_roles

    def _candidates(self, surface: str, year: int | None) -> list[_Candidate]:
        """Codes a name can mean in `year`; cached because the seeds never change after loading."""
        key = (surface, year)
        if key not in self._candidate_cache:
            self._candidate_cache[key] = self._resolve_candidates(surface, year)
        return self._candidate_cache[key]

    def _resolve_candidates(self, surface: str, year: int | None) -> list[_Candidate]:
        merged: dict[str, _Candidate] = {}
        for version, full_name in self._by_surface[surface]:
            if year is None:
                code, in_use = version.region_code, version.status == "current"
            elif version.valid_in(year):
                code, in_use = version.region_code, True
            elif version.valid_to is not None and year > version.valid_to:
                code, in_use = self._code_in(version, year), False
            else:
                code, in_use = version.region_code, False
            old = merged.get(code)
            if old is None or (in_use, full_name) > (old.in_use, old.full_name):
                merged[code] = _Candidate(code, full_name, in_use)
        return list(merged.values())

    def _code_in(self, version: RegionVersion, year: int) -> str:
        """Follow successor codes from a retired version to the code in use in `year`."""
        frontier = [version]
        for _ in range(MAX_SUCCESSOR_HOPS):
            next_frontier: list[RegionVersion] = []
            for old in frontier:
                for code in old.successor_codes:
                    versions = self._versions_by_code.get(code, [])
                    if any(v.valid_in(year) for v in versions):
                        return code
                    next_frontier.extend(v for v in versions if v.valid_to is not None and v.valid_to < year)
            if not next_frontier:
                break
            frontier = next_frontier
        return version.region_code

    def _score(self, cand: _Candidate, previous: RegionMention | None, context: _Context) -> int:
        ancestors = self.hierarchy.ancestors(cand.code)
        score = LEVEL_SCORE.get(self.hierarchy.level_of(cand.code) or "county", 0)
        if previous is not None and previous.region_code in ancestors:
            score += ADJACENT_PARENT_SCORE
        if cand.full_name:
            score += FULL_NAME_SCORE
        if cand.in_use:
            score += IN_USE_SCORE
        related = False
        if ancestors and ancestors[0] in context.anchors:
            score += CONTEXT_PARENT_SCORE
            related = True
        elif not context.anchors.isdisjoint(ancestors):
            score += CONTEXT_ANCESTOR_SCORE
            related = True
        if cand.code in context.anchor_ancestors:
            score += CONTEXT_DESCENDANT_SCORE
            related = True
        if not related and self.hierarchy.province_of(cand.code) in context.anchor_provinces:
            score += CONTEXT_SAME_PROVINCE_SCORE
        if context.home_region is not None and self.hierarchy.is_within(cand.code, context.home_region):
            score += HOME_REGION_SCORE
        return score

    # ---- primary region ----------------------------------------------------------------------------

    def primary_region(
        self,
        mentions: list[RegionMention],
        title: str | None = None,
        home_region: str | None = None,
        published: date | None = None,
    ) -> str | None:
        """The region the article is about, or None when it names none (datelines do not count).

        Every mention adds weight to its region and all of that region's ancestors (title mentions
        weigh TITLE_WEIGHT, qualifiers such as 河北省 in 河北省遵化市 nothing, since the next name
        carries the place). Start from the heaviest province (regions in the source's home region get
        HOME_FACTOR) and walk down while one child holds at least DESCEND_SHARE of the weight: an
        article about 遵化市 ends at 遵化市, one about several Yunnan cities stays at 云南.

        None also when the body names regions only in passing (`_only_in_passing`): an example or an
        aside deep inside a national or foreign story is not where the story happens.
        """
        title_mentions = self.find_mentions(title, published, home_region) if title else []
        if not any(m.role == "mention" for m in title_mentions) and self._only_in_passing(
            mentions, home_region
        ):
            return None
        weighted = [(m, 1.0) for m in mentions]
        weighted += [(m, TITLE_WEIGHT) for m in title_mentions]
        subtree: dict[str, float] = {}
        first_seen: dict[str, int] = {}
        children: dict[str, set[str]] = {}
        for order, (mention, weight) in enumerate(weighted):
            if mention.role != "mention":
                continue
            chain = [mention.region_code, *self.hierarchy.ancestors(mention.region_code)]
            for child, parent in pairwise(chain):
                children.setdefault(parent, set()).add(child)
            for code in chain:
                subtree[code] = subtree.get(code, 0.0) + weight
                first_seen.setdefault(code, order)
        if not subtree:
            return None
        roots = {code for code in subtree if not self.hierarchy.ancestors(code)}

        def root_weight(code: str) -> tuple[float, int]:
            factor = (
                HOME_FACTOR
                if home_region is not None and self.hierarchy.is_within(home_region, code)
                else 1.0
            )
            return subtree[code] * factor, -first_seen[code]

        current = max(roots, key=root_weight)
        while children.get(current):
            heaviest = max(children[current], key=lambda code: (subtree[code], -first_seen[code]))
            if subtree[heaviest] < DESCEND_SHARE * subtree[current]:
                break
            current = heaviest
        return current

    def _only_in_passing(self, mentions: list[RegionMention], home_region: str | None) -> bool:
        """True when every body mention sits in one short passage (PASSING_SPAN_CHARS, about a
        sentence) after the lead (LEAD_CHARS) and none is in the source's home region: a story that
        happens somewhere says where in its lead or keeps naming the place; one that names a place once,
        deep inside, uses it as an example or an aside. A local source may name its own place only once
        (it writes 我市 or 全市 instead), hence the home-region exemption."""
        body = [m for m in mentions if m.role == "mention"]
        if not body:
            return False
        start = min(m.char_start for m in body)
        end = max(m.char_end for m in body)
        if start < LEAD_CHARS or end - start > PASSING_SPAN_CHARS:
            return False
        return home_region is None or not any(
            self.hierarchy.is_within(m.region_code, home_region)
            or self.hierarchy.is_within(home_region, m.region_code)
            for m in body
        )


# Held while a gazetteer is looked up or built, so that two threads asking at once build one (75 MB
# and a few hundred milliseconds each), not two.
_LOADING = threading.Lock()


@lru_cache(maxsize=8)
def _load(seed_dir: Path, stamps: tuple[tuple[int, int], ...]) -> RegionGazetteer:
    return RegionGazetteer.build(seed_dir)
