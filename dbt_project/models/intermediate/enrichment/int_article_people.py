"""People (credited staff, quoted and mentioned) and organisations of each article (Python: rnw.people).

Incremental on article_id (a content hash): only articles not yet enriched by the current version.
"""

from rnw.enrich import PEOPLE_SCHEMA, PEOPLE_VERSION, article_batches, people, unenriched
from rnw.parallel import map_batches, spill


def model(dbt, session):
    dbt.config(materialized="incremental", unique_key="article_id", meta={"worker_pool": True})
    articles = unenriched(
        dbt, session, dbt.ref("int_articles_canonical"), "article_id, body_text, credits_json", PEOPLE_VERSION
    )
    return spill(
        session, map_batches(people, article_batches(session, articles), PEOPLE_SCHEMA), capped_write=True
    )
