"""Topic scores of each article and of each of its sections (Python: rnw.topics).

Incremental on article_id (a content hash): only articles not yet enriched by the current version.
"""

from rnw.enrich import TOPICS_SCHEMA, TOPICS_VERSION, article_batches, topics, unenriched
from rnw.parallel import map_batches, spill


def model(dbt, session):
    dbt.config(materialized="incremental", unique_key="article_id", meta={"worker_pool": True})
    articles = unenriched(
        dbt,
        session,
        dbt.ref("int_articles_canonical"),
        "article_id, body_text, sections_json",
        TOPICS_VERSION,
    )
    return spill(
        session, map_batches(topics, article_batches(session, articles), TOPICS_SCHEMA), capped_write=True
    )
