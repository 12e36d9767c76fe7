"""Topic scores of each article and of each of its sections (Python: rnw.topics)."""

from rnw.enrich import topics


def model(dbt, session):
    dbt.config(materialized="table")
    articles = dbt.ref("int_articles_canonical").project("article_id, body_text, sections_json")
    return topics(articles.to_arrow_reader(500))
