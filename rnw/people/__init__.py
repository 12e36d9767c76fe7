"""People, quotes and organisations named by Chinese news articles."""

from rnw.people.credit_finder import credits_in_line, find_credits_in_text
from rnw.people.extract import extract_people
from rnw.people.identity import NameMention, cluster_same_person, person_key, same_person
from rnw.people.model import OrgMention, PersonMention
from rnw.people.organizations import extract_organizations

__all__ = [
    "NameMention",
    "OrgMention",
    "PersonMention",
    "cluster_same_person",
    "credits_in_line",
    "extract_organizations",
    "extract_people",
    "find_credits_in_text",
    "person_key",
    "same_person",
]
