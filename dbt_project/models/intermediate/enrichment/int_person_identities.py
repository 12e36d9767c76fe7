"""Which person mentions across articles are the same person (Python: rnw.people.identity)."""

from rnw.enrich import person_identities


def model(dbt, session):
    dbt.config(materialized="table")
    mentions = dbt.ref("int_person_mentions").project("mention_key, article_id, name, title, organization")
    return person_identities(mentions.to_arrow_reader(5000))
