"""People who speak or are named with a title: "X研究所副所长王会芝对记者表示：“...”", "据...主任吕云飞介绍".

A speaker is found from the speech verb backwards: the name sits right before the verb (or before a
short lead-in such as "在接受采访时"), the title right before the name, and the organisation before the
title. The surname list and the title lexicon decide where the name begins; the article's own
organisations decide what a short organisation name stands for.
"""

from __future__ import annotations

import re
from collections.abc import Container
from dataclasses import dataclass, field

from rnw.people.config import (
    APPOINTMENT_HONORIFICS,
    APPOINTMENT_WORDS,
    GENERIC_TITLES,
    POSTFIX_TITLES,
    SPEAKER_OPENERS,
    SPEECH_ADVERBS,
    SPEECH_LEADINS,
    SPEECH_VERB_BLOCKERS,
    SPEECH_VERBS,
    TITLE_CORES,
    WEAK_TITLES,
)
from rnw.people.names import TaggedNames, is_person_name, name_lengths
from rnw.people.organizations import OrgIndex
from rnw.people.titles import resolve_org, split_title, strip_openers

_VERB_RE = re.compile("|".join(map(re.escape, sorted(SPEECH_VERBS, key=len, reverse=True))))
_LEADIN_RE = re.compile("(?:" + "|".join(SPEECH_LEADINS) + ")$")
_CLAUSE_BREAK = '，。；！？：,;!?:“”"\n\r\t　 【】《》'
_TITLE_RE = re.compile("|".join(map(re.escape, sorted(set(TITLE_CORES), key=len, reverse=True))))
_POSTFIX = tuple(sorted(POSTFIX_TITLES, key=len, reverse=True))
_MAX_SPEAKER_CLAUSE = 60
# Punctuation that closes a name in a list of officials ("江苏省委书记信长星、浙江省委书记易炼红、").
_LIST_BREAKS = ("、", "，", ",", "。", "；")
_MAX_INDIRECT_QUOTE = 200
_COLON_QUOTE = re.compile(r"[：:]\s*“")
_INTERVIEW_TURN = re.compile(r"^\s*(?P<name>[\u4e00-\u9fff·]{2,8})[：:]", re.MULTILINE)
_MIN_INTERVIEW_TURNS = 2
_POSTFIX_RE = re.compile("|".join(map(re.escape, _POSTFIX)))
_APPOINTMENT_RE = re.compile(
    rf"(?P<name>[\u4e00-\u9fff]{{2,4}}?)(?:{'|'.join(APPOINTMENT_HONORIFICS)})?(?:{'|'.join(APPOINTMENT_WORDS)})"
)
# Every appointment word ends with the same character, so a match ends at one of its occurrences and
# starts within a bounded distance before it (name 2-4, honorific, word).
_APPOINTMENT_END_CHAR = APPOINTMENT_WORDS[0][-1]
_APPOINTMENT_WINDOW = (
    4 + max(map(len, APPOINTMENT_HONORIFICS)) + max(map(len, APPOINTMENT_WORDS)) - 1
    if all(w.endswith(_APPOINTMENT_END_CHAR) for w in APPOINTMENT_WORDS)
    else None
)
_QUOTE_OPEN = re.compile(r"[\s：:，,道]*“")
_SENTENCE_END = re.compile(r"[。！？!?\n]")


@dataclass
class Speaker:
    """One occurrence of a person in the text, before mentions of the same name are merged."""

    name: str
    char_start: int
    title: str | None
    organization: str | None
    quoted: bool
    quotes: list[str] = field(default_factory=list)


def find_speakers(text: str, orgs: OrgIndex) -> list[Speaker]:
    """Every attributed statement, titled mention, interview turn and appointment in ``text``."""
    names = TaggedNames(text)
    titled = _titled_mentions(text, orgs, names)
    known = {s.name for s in titled}
    found = _verb_speakers(text, orgs, names, known)
    found += _colon_speakers(text, orgs, names)
    found += _interview_speakers(text, names)
    found += titled
    found += _postfix_mentions(text, orgs, names)
    found += _appointments(text, orgs)
    return sorted(found, key=lambda s: s.char_start)


def _verb_speakers(
    text: str, orgs: OrgIndex, names: Container[tuple[int, int]], known: set[str]
) -> list[Speaker]:
    """Speakers before a speech verb. A bare name needs the tagger's agreement ("马上说" is no person)
    unless the article names the same person with a title elsewhere ("任立说")."""
    speakers: list[Speaker] = []
    untagged: list[Speaker] = []
    for verb in _VERB_RE.finditer(text):
        after = text[verb.end() : verb.end() + 1]
        if verb.group(0) in ("说", "称") and after and after in SPEECH_VERB_BLOCKERS:
            continue
        clause_start = _clause_start(text, verb.start())
        left = text[clause_start : verb.start()].rstrip(SPEECH_ADVERBS)
        while True:
            leadin = _LEADIN_RE.search(left)
            if not leadin or leadin.start() == 0:
                break
            left = left[: leadin.start()]
        left = left.rstrip(SPEECH_ADVERBS)
        parsed = parse_person_phrase(left, orgs)
        if parsed is None:
            continue
        name, offset, title, org = parsed
        start = clause_start + offset
        quote = _quote_after(text, verb.end()) or _quote_before(text, clause_start)
        quote = quote or _indirect_after(text, verb.end())
        speaker = Speaker(name, start, title, org, True, [quote] if quote else [])
        bare_untagged = title is None and (start, start + len(name)) not in names
        (untagged if bare_untagged else speakers).append(speaker)
    known = known | {s.name for s in speakers if s.title}
    return speakers + [s for s in untagged if s.name in known]


def parse_person_phrase(phrase: str, orgs: OrgIndex) -> tuple[str, int, str | None, str | None] | None:
    """(name, offset of the name, title, organisation) for a phrase that ends with a person, or None.

    The phrase is [organisation][title]name[postfix title]; a name with nothing before it counts only
    when the phrase is just the name (the subject of its clause).
    """
    postfix = next((p for p in _POSTFIX if phrase.endswith(p) and len(phrase) > len(p) + 1), None)
    core = phrase[: -len(postfix)] if postfix else phrase
    for length in name_lengths(core):
        name = core[-length:]
        if len(core) < length or not is_person_name(name):
            continue
        before = core[:-length]
        title, rest = split_title(before)
        bare = not strip_openers(before) or before in SPEAKER_OPENERS or before.endswith(("的", "、"))
        if title is None and not bare and not postfix:
            continue
        if title and title.endswith(GENERIC_TITLES):
            return None
        full_title = "、".join(t for t in (title, postfix) if t) or None
        org = resolve_org(rest, orgs) if title or postfix else resolve_org(before.rstrip("的"), orgs)
        return name, len(core) - length, full_title, org
    return None


def _colon_speakers(text: str, orgs: OrgIndex, names: Container[tuple[int, int]]) -> list[Speaker]:
    """ "木垮村村民卓玛满脸自豪：“...”": a titled person in a short clause that opens a quote."""
    speakers: list[Speaker] = []
    for colon in _COLON_QUOTE.finditer(text):
        clause_start = _clause_start(text, colon.start())
        clause = text[clause_start : colon.start()]
        shifted = _Shifted(names, clause_start)
        for mention in _titled_mentions(clause, orgs, shifted):
            quote = _quote_after(text, colon.start() + 1)
            mention.char_start += clause_start
            mention.quoted = True
            mention.quotes = [quote] if quote else []
            speakers.append(mention)
            break
    return speakers


class _Shifted:
    """``names`` with offsets counted from ``origin`` (a view, nothing is copied or tagged)."""

    __slots__ = ("names", "origin")

    def __init__(self, names: Container[tuple[int, int]], origin: int) -> None:
        self.names, self.origin = names, origin

    def __contains__(self, span: object) -> bool:
        if not isinstance(span, tuple) or len(span) != 2:
            return False
        return (span[0] + self.origin, span[1] + self.origin) in self.names


def _interview_speakers(text: str, names: Container[tuple[int, int]]) -> list[Speaker]:
    """Interview transcripts: a name that opens several paragraphs with a colon is quoted."""
    turns: dict[str, list[re.Match[str]]] = {}
    for turn in _INTERVIEW_TURN.finditer(text):
        span = (turn.start("name"), turn.end("name"))
        if is_person_name(turn.group("name")) and span in names:
            turns.setdefault(turn.group("name"), []).append(turn)
    speakers: list[Speaker] = []
    for name, matches in turns.items():
        if len(matches) >= _MIN_INTERVIEW_TURNS:
            first = matches[0]
            line_end = text.find("\n", first.end())
            said = text[first.end() : line_end if line_end > 0 else None].strip()
            speakers.append(Speaker(name, first.start("name"), None, None, True, [said] if said else []))
    return speakers


def _titled_mentions(text: str, orgs: OrgIndex, names: Container[tuple[int, int]]) -> list[Speaker]:
    """ "国家发展改革委主任郑栅洁、上海市委书记陈吉宁": a title directly followed by a name."""
    mentions: list[Speaker] = []
    for match in _TITLE_RE.finditer(text):
        if match.group(0) in GENERIC_TITLES or match.group(0) in WEAK_TITLES:
            continue
        name = _name_after(text, match.end(), names)
        if name is None:
            continue
        clause_start = _clause_start(text, match.start())
        title, rest = split_title(text[clause_start : match.end()])
        if title is None:
            continue
        postfix = next((p for p in _POSTFIX if text.startswith(p, match.end() + len(name))), None)
        full_title = "、".join(t for t in (title, postfix) if t)
        mentions.append(Speaker(name, match.end(), full_title, resolve_org(rest, orgs), False))
    return mentions


def _postfix_mentions(text: str, orgs: OrgIndex, names: Container[tuple[int, int]]) -> list[Speaker]:
    """ "周其仁教授", "CCER的宋国青教授": a name at a clause start or after 的, followed by its title."""
    mentions: list[Speaker] = []
    for match in _POSTFIX_RE.finditer(text):
        clause_start = _clause_start(text, match.start())
        before = text[clause_start : match.start()]
        for length in name_lengths(before):
            name = before[-length:]
            lead = before[:-length]
            tagged = (match.start() - length, match.start()) in names
            if tagged and is_person_name(name) and (not strip_openers(lead) or lead.endswith("的")):
                org = resolve_org(lead, orgs) if lead else None
                mentions.append(Speaker(name, match.start() - length, match.group(0), org, False))
                break
    return mentions


def _appointments(text: str, orgs: OrgIndex) -> list[Speaker]:
    """ "李金泽同志现任...公司党委书记、董事长兼总经理": title and organisation from an appointment."""
    found: list[Speaker] = []
    for match in _appointment_matches(text):
        name = match.group("name")
        if not is_person_name(name) or (match.start() > 0 and text[match.start() - 1] not in _CLAUSE_BREAK):
            continue
        end = match.end()
        while end < len(text) and text[end] not in _CLAUSE_BREAK:
            end += 1
        title, rest = split_title(text[match.end() : end])
        if title:
            found.append(Speaker(name, match.start(), title, resolve_org(rest, orgs), False))
    return found


def _appointment_matches(text: str) -> list[re.Match[str]]:
    """``_APPOINTMENT_RE.finditer(text)``, trying only the start positions a match can have."""
    if _APPOINTMENT_WINDOW is None:
        return list(_APPOINTMENT_RE.finditer(text))
    matches: list[re.Match[str]] = []
    resume = 0  # where finditer would scan on from: after the last match and the last tried start
    at = text.find(_APPOINTMENT_END_CHAR)
    while at >= 0:
        for start in range(max(resume, at - _APPOINTMENT_WINDOW), at - 1):
            if start < resume:
                continue
            match = _APPOINTMENT_RE.match(text, start)
            if match:
                matches.append(match)
                resume = match.end()
            else:
                resume = start + 1
        at = text.find(_APPOINTMENT_END_CHAR, max(at + 1, resume))
    return matches


def _name_after(text: str, pos: int, names: Container[tuple[int, int]]) -> str | None:
    """The personal name starting at ``pos`` (after a title), or None.

    A name closed by list punctuation is certain. Otherwise the tagger's word boundaries decide:
    the surname list alone would read "都会" after "校长" as a name.
    """
    for length in (3, 2):
        name = text[pos : pos + length]
        if is_person_name(name) and text[pos + length : pos + length + 1] in _LIST_BREAKS:
            return name
    for length in (3, 2, 4):
        if (pos, pos + length) in names and is_person_name(text[pos : pos + length]):
            return text[pos : pos + length]
    return None


def _is_postfix(text: str, pos: int) -> bool:
    return text.startswith(_POSTFIX, pos)


def _clause_start(text: str, pos: int) -> int:
    start = pos
    while start > 0 and text[start - 1] not in _CLAUSE_BREAK and pos - start < _MAX_SPEAKER_CLAUSE:
        start -= 1
    return start


def _quote_after(text: str, pos: int) -> str | None:
    """The “...” that follows a speech verb (after optional punctuation), or None."""
    match = _QUOTE_OPEN.match(text[pos : pos + 4])
    if not match:
        return None
    return _closed_quote(text, pos + match.end())


def _quote_before(text: str, clause_start: int) -> str | None:
    """The “...” that ends right before the speaker's clause ("“...”任立说"), or None."""
    close_at = len(text[:clause_start].rstrip(" \u3000\n\r\t")) - 1
    if close_at < 0 or text[close_at] != "”":
        return None
    open_at = text.rfind("“", 0, close_at)
    return text[open_at + 1 : close_at] if open_at >= 0 else None


def _closed_quote(text: str, start: int) -> str | None:
    depth, i = 1, start
    while i < len(text):
        if text[i] == "“":
            depth += 1
        elif text[i] == "”":
            depth -= 1
            if depth == 0:
                return text[start:i]
        i += 1
    return None


def _indirect_after(text: str, pos: int) -> str | None:
    """Reported speech: the rest of the sentence after the verb."""
    rest = text[pos : pos + _MAX_INDIRECT_QUOTE].lstrip("，,：: ")
    sentence = _SENTENCE_END.split(rest, maxsplit=1)[0].strip()
    return sentence or None
