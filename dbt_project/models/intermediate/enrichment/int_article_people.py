"""People (credited staff, quoted and mentioned) and organisations of each article (Python: rnw.people)."""

from rnw.enrich import people


def model(dbt, session):
    dbt.config(materialized="table")
    articles = dbt.ref("int_articles_canonical").project("article_id, body_text, credits_json")
    return people(articles.to_arrow_reader(500))
