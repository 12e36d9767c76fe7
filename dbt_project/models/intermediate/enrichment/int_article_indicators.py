"""Numeric statements of each article with unit, period and region (Python: rnw.indicators).

Incremental on article_id (a content hash): only articles not yet enriched by the current version.
Joined with their regions a part at a time, each part's regions read by key (rnw.enrich.with_regions):
joined whole, a first load's hash table held every body.
"""

from rnw.enrich import INDICATORS_SCHEMA, indicators, unenriched, with_regions
from rnw.indicators import INDICATOR_EXTRACTOR_VERSION
from rnw.parallel import map_batches, spill


def model(dbt, session):
    dbt.config(materialized="incremental", unique_key="article_id", meta={"worker_pool": True})
    articles = unenriched(
        dbt,
        session,
        dbt.ref("int_articles_canonical"),
        "article_id, body_text, published_at",
        INDICATOR_EXTRACTOR_VERSION,
    )
    regions = dbt.ref("int_article_regions")
    joined = with_regions(session, articles, regions, "mentions, group_mentions, primary_region_code")
    return spill(session, map_batches(indicators, joined, INDICATORS_SCHEMA), capped_write=True)
