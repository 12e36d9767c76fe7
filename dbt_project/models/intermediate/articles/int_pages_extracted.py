"""One row per raw page with the articles extracted from it (Python: rnw.articles).

Incremental on page_id: a nightly run extracts only pages it has not extracted with the current
extractor version, so its cost follows the new pages; a page extracted by an older version is
extracted again (that is how a backfill picks up a better extractor). The pages are read with their
text (joined from its parts) PAGES_PER_READ at a time, by ranges of page_seq.
"""

from rnw.articles import (
    PAGE_SCHEMA,
    PAGES_PER_READ,
    current_extractor_versions,
    extract_pages,
    pages_with_text,
)
from rnw.incremental import pending
from rnw.parallel import map_batches, spill


def model(dbt, session):
    dbt.config(materialized="incremental", unique_key="page_id", meta={"worker_pool": True})
    pages = dbt.ref("stg_raw__pages").project("page_id, content_type, uri, page_seq, byte_size")
    if dbt.is_incremental:
        versions = ", ".join(f"'{v}'" for v in current_extractor_versions())
        pages = pending(
            pages, "page_id", f"SELECT page_id FROM {dbt.this} WHERE extractor_version IN ({versions})"
        )
    batches = pages_with_text(session, pages, dbt.ref("stg_raw__page_parts"), PAGES_PER_READ, 200)
    return spill(session, map_batches(extract_pages, batches, PAGE_SCHEMA, task_rows=50))
