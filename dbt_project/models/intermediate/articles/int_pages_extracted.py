"""One row per raw page with the articles extracted from it (Python: rnw.articles).

Incremental on page_id: a nightly run extracts only pages it has not extracted with the current
extractor version, so its cost follows the new pages; a page extracted by an older version is
extracted again (that is how a backfill picks up a better extractor).
"""

from rnw.articles import PAGE_SCHEMA, current_extractor_versions, extract_pages
from rnw.incremental import pending
from rnw.parallel import map_batches, spill


def model(dbt, session):
    dbt.config(materialized="incremental", unique_key="page_id", meta={"worker_pool": True})
    pages = dbt.ref("stg_raw__pages").project("page_id, page_text, content_type, uri")
    if dbt.is_incremental:
        versions = ", ".join(f"'{v}'" for v in current_extractor_versions())
        pages = pending(
            pages, "page_id", f"SELECT page_id FROM {dbt.this} WHERE extractor_version IN ({versions})"
        )
    return spill(session, map_batches(extract_pages, pages.to_arrow_reader(200), PAGE_SCHEMA, task_rows=50))
