"""One row per raw page with the articles extracted from it (Python: rnw.articles)."""

from rnw.articles import extract_pages


def model(dbt, session):
    dbt.config(materialized="table")
    pages = dbt.ref("stg_raw__pages").project("page_id, page_text, content_type, uri")
    return extract_pages(pages.to_arrow_reader(500))
