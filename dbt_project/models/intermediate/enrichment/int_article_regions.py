"""Region and region-group mentions and the primary region of each article (Python: rnw.regions)."""

from rnw.enrich import regions


def model(dbt, session):
    dbt.config(materialized="table")
    articles = dbt.ref("int_articles_canonical").project(
        "article_id, title, body_text, published_at, source_region_code"
    )
    return regions(articles.to_arrow_reader(500))
