"""Numeric statements of each article with unit, period and region (Python: rnw.indicators).

Incremental on article_id (a content hash): only articles not yet enriched by the current version.
"""

from rnw.enrich import INDICATORS_SCHEMA, indicators, unenriched
from rnw.indicators import INDICATOR_EXTRACTOR_VERSION
from rnw.parallel import map_batches, spill


def model(dbt, session):
    dbt.config(materialized="incremental", unique_key="article_id")
    articles = unenriched(
        dbt,
        session,
        dbt.ref("int_articles_canonical"),
        "article_id, body_text, published_at",
        INDICATOR_EXTRACTOR_VERSION,
    )
    regions = dbt.ref("int_article_regions").project(
        "article_id, mentions, group_mentions, primary_region_code"
    )
    return spill(
        session,
        map_batches(indicators, articles.join(regions, "article_id").to_arrow_reader(500), INDICATORS_SCHEMA),
    )
