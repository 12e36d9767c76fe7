"""People (credited staff, quoted and mentioned) and organisations of each article (Python: rnw.people).

Incremental on article_id (a content hash): only articles not yet enriched by the current version.
"""

from rnw.enrich import PEOPLE_SCHEMA, PEOPLE_VERSION, people, up_to_date
from rnw.incremental import pending
from rnw.parallel import map_batches, spill


def model(dbt, session):
    dbt.config(materialized="incremental", unique_key="article_id")
    articles = dbt.ref("int_articles_canonical").project("article_id, body_text, credits_json")
    if dbt.is_incremental:
        articles = pending(articles, "article_id", up_to_date(dbt.this, PEOPLE_VERSION))
    return spill(session, map_batches(people, articles.to_arrow_reader(500), PEOPLE_SCHEMA))
