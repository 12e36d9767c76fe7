"""Region and region-group mentions and the primary region of each article (Python: rnw.regions).

Incremental on article_id (a content hash): only articles not yet enriched by the current version.
"""

from rnw.enrich import REGIONS_SCHEMA, REGIONS_VERSION, regions, up_to_date
from rnw.incremental import pending
from rnw.parallel import map_batches, spill


def model(dbt, session):
    dbt.config(materialized="incremental", unique_key="article_id")
    articles = dbt.ref("int_articles_canonical").project(
        "article_id, title, body_text, published_at, source_region_code"
    )
    if dbt.is_incremental:
        articles = pending(articles, "article_id", up_to_date(dbt.this, REGIONS_VERSION))
    return spill(session, map_batches(regions, articles.to_arrow_reader(500), REGIONS_SCHEMA))
