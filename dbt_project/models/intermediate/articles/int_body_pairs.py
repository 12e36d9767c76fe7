"""Near-duplicate pairs of distinct bodies (Python: rnw.neardup, MinHash/LSH and the exact check).

Incremental, delete+insert on body_hash: a build places only the bodies it has not placed yet
(those without a `placed` row) and stores a spanning forest of the pairs, so its cost follows the
new bodies: it reads the signatures of those and of the bodies sharing an LSH band with them only.
When a placed body disappears (its pages were extracted again), the bodies of its group are placed
again and it gets a `withdrawn` row. Changing `near_duplicate_threshold` needs
`--full-refresh`.
"""

from rnw.neardup import NO_PAIRS, PAIR_SCHEMA, body_texts, place_new_bodies


def model(dbt, session):
    dbt.config(materialized="incremental", unique_key="body_hash", incremental_strategy="delete+insert")
    threshold = float(dbt.config.get("near_duplicate_threshold"))
    extracted = dbt.ref("int_articles_extracted")
    signatures = dbt.ref("int_body_signatures").join(extracted.aggregate("body_hash"), "body_hash")
    if dbt.is_incremental:
        stored = session.sql(
            f"select body_hash, other_hash, similarity, row_kind from {dbt.this}"
        ).to_arrow_table()
    else:
        stored = NO_PAIRS
    return place_new_bodies(
        session, signatures, stored.cast(PAIR_SCHEMA), body_texts(session, extracted), threshold
    )
