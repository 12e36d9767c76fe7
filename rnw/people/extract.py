"""``extract_people``: credits, quoted and mentioned people of one article, merged per name."""

from __future__ import annotations

from collections.abc import Sequence

from rnw.people.config import CREDIT_ROLE_MAP, PHOTO_TITLE
from rnw.people.credit_finder import find_credits_in_text
from rnw.people.model import PersonMention
from rnw.people.organizations import index_organizations
from rnw.people.speakers import Speaker, find_speakers
from scrapers.article import Credit


def extract_people(text: str, credits: Sequence[Credit] = ()) -> list[PersonMention]:
    """People of one article: credited staff first, then quoted and mentioned people in text order.

    ``credits`` come from the page's metadata (``scrapers.credits``); credit lines still inside the
    text are read here too. A credited name is staff, so it is not also reported as a quoted person.
    """
    staff = _staff(text, credits)
    staff_names = {p.name for p in staff}
    orgs = index_organizations(text)
    speakers = [s for s in find_speakers(text, orgs) if s.name not in staff_names]
    return staff + _merge_by_name(speakers)


def _staff(text: str, credits: Sequence[Credit]) -> list[PersonMention]:
    in_text = find_credits_in_text(text)
    position = {
        (CREDIT_ROLE_MAP.get(f.credit.role, f.credit.role), f.credit.name): f.char_start for f in in_text
    }
    people: list[PersonMention] = []
    seen: set[tuple[str, str]] = set()
    for credit in [*credits, *(f.credit for f in in_text)]:
        role = CREDIT_ROLE_MAP.get(credit.role)
        if role is None or (role, credit.name) in seen:
            continue
        seen.add((role, credit.name))
        title = PHOTO_TITLE if credit.role == "photo" else None
        people.append(PersonMention(credit.name, role, title, None, position.get((role, credit.name))))
    return people


def _merge_by_name(speakers: list[Speaker]) -> list[PersonMention]:
    """One mention per name: quoted if any occurrence speaks, title and organisation from the fullest one."""
    by_name: dict[str, list[Speaker]] = {}
    for speaker in speakers:
        by_name.setdefault(speaker.name, []).append(speaker)
    people: list[PersonMention] = []
    for name, group in by_name.items():
        best = max(group, key=lambda s: (bool(s.organization), bool(s.title), s.quoted, -s.char_start))
        quotes = list(dict.fromkeys(q for s in group for q in s.quotes))
        people.append(
            PersonMention(
                name=name,
                role="quoted" if any(s.quoted for s in group) else "mentioned",
                title=best.title,
                organization=best.organization,
                char_start=min(s.char_start for s in group),
                quote_text=quotes[0] if quotes else None,
                quotes=quotes,
            )
        )
    return sorted(people, key=lambda p: p.char_start or 0)
