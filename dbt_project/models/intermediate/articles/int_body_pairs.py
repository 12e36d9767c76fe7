"""Near-duplicate pairs of distinct bodies (Python: rnw.neardup, MinHash/LSH and the exact check).

Incremental, delete+insert on body_hash: a build places only the bodies it has not placed yet
(those without a `placed` row) and stores a spanning forest of the pairs, so its cost follows the
new bodies: candidate pairs come from a join of the new bodies' stored LSH band keys, and no
signature leaves DuckDB. When a placed body disappears (its pages were extracted again), the
bodies of its group are placed again and it gets a `withdrawn` row. Changing
`near_duplicate_threshold` needs `--full-refresh`.
"""

from rnw.neardup import body_texts, place_new_bodies


def model(dbt, session):
    dbt.config(materialized="incremental", unique_key="body_hash", incremental_strategy="delete+insert")
    threshold = float(dbt.config.get("near_duplicate_threshold"))
    extracted = dbt.ref("int_articles_extracted")
    signatures = dbt.ref("int_body_signatures").join(extracted.aggregate("body_hash"), "body_hash")
    stored = (
        session.sql(f"select body_hash, other_hash, similarity, row_kind from {dbt.this}")
        if dbt.is_incremental
        else None
    )
    return place_new_bodies(session, signatures, stored, body_texts(session, extracted), threshold)
