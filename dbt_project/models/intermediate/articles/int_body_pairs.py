"""Near-duplicate pairs of distinct bodies (Python: rnw.neardup, MinHash/LSH and the exact check).

Incremental and append-only: a build checks only the candidate pairs that involve a body it has
not placed yet (marked by a row without other_hash), so its cost follows the new bodies. The
stored pairs are the accepted ones; changing `near_duplicate_threshold` needs `--full-refresh`.
"""

import pyarrow as pa

from rnw.neardup import PAIR_SCHEMA, body_texts, near_duplicate_pairs


def model(dbt, session):
    dbt.config(materialized="incremental")
    threshold = float(dbt.config.get("near_duplicate_threshold"))
    extracted = dbt.ref("int_articles_extracted")
    signatures = dbt.ref("int_body_signatures").join(extracted.aggregate("body_hash"), "body_hash")
    new = signatures.project("body_hash")
    if dbt.is_incremental:
        placed = session.sql(f"select body_hash from {dbt.this} where other_hash is null")
        new = new.join(placed, "body_hash", how="anti")
    new_hashes = {h for (h,) in new.fetchall()}
    texts_of = body_texts(extracted)

    if not new_hashes:
        return pa.Table.from_pylist([], schema=PAIR_SCHEMA)
    return near_duplicate_pairs(signatures.to_arrow_table(), new_hashes, texts_of, threshold)
