"""MinHash signature of each distinct article body (Python: rnw.neardup).

Incremental on body_hash: a body is read and hashed once, ever; clustering then works on the
stored signatures, whose candidate pairs come from joins on the stored LSH band keys
(rnw.neardup.with_band_keys; changing `near_duplicate_threshold` needs `--full-refresh`). A
nightly's few new bodies are read by rowid ranges (rnw.incremental.rows_by_key): listed by key,
DuckDB read every stored body's text to find them. More bodies are read BODIES_PER_READ at a
time, by ranges of the occurrences' rowid.
"""

from rnw.incremental import READ_AT_ONCE, batches_in_rowid_ranges, pending_keys, rows_by_key, whole_table
from rnw.neardup import (
    BODIES_PER_READ,
    ONE_COPY_PER_BODY,
    SIGNATURE_SCHEMA,
    signature_batches,
    with_band_keys,
)
from rnw.parallel import map_batches, spill


def model(dbt, session):
    dbt.config(materialized="incremental", unique_key="body_hash", meta={"worker_pool": True})
    threshold = float(dbt.config.get("near_duplicate_threshold"))
    extracted = dbt.ref("int_articles_extracted")
    if dbt.is_incremental:
        keys = pending_keys(extracted, "body_hash", f"SELECT body_hash FROM {dbt.this}")
        if keys is not None and len(keys) <= READ_AT_ONCE:
            batches = rows_by_key(session, extracted, "body_hash", keys, ONE_COPY_PER_BODY).to_batches(1000)
            signed = spill(session, map_batches(signature_batches, batches, SIGNATURE_SCHEMA, task_rows=250))
            return with_band_keys(signed, threshold)
    occurrences = session.sql(f"SELECT *, rowid AS occurrence_rowid FROM {whole_table(extracted)}")
    if dbt.is_incremental:
        occurrences = occurrences.filter(f"body_hash NOT IN (SELECT body_hash FROM {dbt.this})")
    # One occurrence per body, chosen on the small columns and joined back for its text: grouping
    # the text itself (any_value) held every body in the aggregate, which ran out of 512 MB at 100k.
    first = occurrences.aggregate("body_hash, min(occurrence_id) AS occurrence_id", "body_hash")
    bodies = occurrences.join(
        first.project("occurrence_id").set_alias("first"), "occurrence_id", how="semi"
    ).project("body_hash, body_text, occurrence_rowid")
    batches = batches_in_rowid_ranges(session, bodies, "occurrence_rowid", BODIES_PER_READ, 1000)
    signed = spill(session, map_batches(signature_batches, batches, SIGNATURE_SCHEMA, task_rows=250))
    return with_band_keys(signed, threshold)
