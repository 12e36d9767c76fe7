"""Numeric statements of each article with unit, period and region (Python: rnw.indicators).

Incremental on article_id (a content hash): only articles not yet enriched by the current version.
"""

from rnw.enrich import INDICATORS_SCHEMA, indicators, up_to_date
from rnw.incremental import pending
from rnw.indicators import INDICATOR_EXTRACTOR_VERSION
from rnw.parallel import map_batches, spill


def model(dbt, session):
    dbt.config(materialized="incremental", unique_key="article_id")
    articles = dbt.ref("int_articles_canonical").project("article_id, body_text, published_at")
    if dbt.is_incremental:
        articles = pending(articles, "article_id", up_to_date(dbt.this, INDICATOR_EXTRACTOR_VERSION))
    regions = dbt.ref("int_article_regions").project(
        "article_id, mentions, group_mentions, primary_region_code"
    )
    return spill(
        session,
        map_batches(indicators, articles.join(regions, "article_id").to_arrow_reader(500), INDICATORS_SCHEMA),
    )
