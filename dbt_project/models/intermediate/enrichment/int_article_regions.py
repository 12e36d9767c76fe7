"""Region and region-group mentions and the primary region of each article (Python: rnw.regions).

Incremental on article_id (a content hash): only articles not yet enriched by the current version.
"""

from rnw.enrich import REGIONS_SCHEMA, REGIONS_VERSION, article_batches, regions, unenriched
from rnw.parallel import map_batches, spill


def model(dbt, session):
    dbt.config(materialized="incremental", unique_key="article_id", meta={"worker_pool": True})
    articles = unenriched(
        dbt,
        session,
        dbt.ref("int_articles_canonical"),
        "article_id, title, body_text, published_at, source_region_code",
        REGIONS_VERSION,
    )
    return spill(
        session, map_batches(regions, article_batches(session, articles), REGIONS_SCHEMA), capped_write=True
    )
