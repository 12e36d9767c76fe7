"""Numeric statements of each article with unit, period and region (Python: rnw.indicators)."""

from rnw.enrich import indicators


def model(dbt, session):
    dbt.config(materialized="table")
    articles = dbt.ref("int_articles_canonical").project("article_id, body_text, published_at")
    regions = dbt.ref("int_article_regions").project("article_id, mentions, group_mentions, primary_region_code")
    joined = articles.join(regions, "article_id")
    return indicators(joined.to_arrow_reader(500))
