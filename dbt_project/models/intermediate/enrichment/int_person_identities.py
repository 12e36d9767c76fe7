"""Which person mentions across articles are the same person (Python: rnw.people.identity).

Incremental per name: identity links only mentions of one name, so a run re-resolves just the
names whose set of mentions changed (a new mention, or one gone because its article's canonical
text changed) and writes the mentions whose person it changed (keyed on mention_key: a common
name's thousands of unchanged rows are not rewritten); the post-hook (in the folder's yml) then
drops the rows of mentions that are gone. Only the stored rows of those names are compared with
the new ones: set against every stored row, a 100k-page nightly hashed them all. Names are
resolved a part at a time (rnw.enrich.identities_in_name_parts): a first load's mentions at once
were its memory peak.
"""

from rnw.enrich import identities_in_name_parts
from rnw.parallel import spill


def model(dbt, session):
    dbt.config(
        materialized="incremental",
        unique_key="mention_key",
        incremental_strategy="delete+insert",
    )
    mentions = dbt.ref("int_person_mentions").project("mention_key, article_id, name, title, organization")
    if not dbt.is_incremental:
        return spill(session, identities_in_name_parts(mentions), capped_write=True)
    resolved = session.sql(f"select mention_key, name, person_id, person_key from {dbt.this}")
    current = mentions.project("mention_key, name")
    changed = session.from_arrow(  # read once: the two anti joins scan every mention and identity
        current.join(resolved.project("mention_key"), "mention_key", how="anti")
        .project("name")
        .union(resolved.join(current.project("mention_key"), "mention_key", how="anti").project("name"))
        .distinct()
        .to_arrow_table()
    )
    identities = identities_in_name_parts(mentions.join(changed, "name", how="semi")).read_all()
    return session.from_arrow(identities).except_(resolved.join(changed, "name", how="semi"))
