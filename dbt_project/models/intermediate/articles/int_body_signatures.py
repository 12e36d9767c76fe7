"""MinHash signature of each distinct article body (Python: rnw.neardup).

Incremental on body_hash: a body is read and hashed once, ever; clustering then works on the
stored signatures.
"""

from rnw.incremental import pending
from rnw.neardup import SIGNATURE_SCHEMA, signature_batches
from rnw.parallel import map_batches, spill


def model(dbt, session):
    dbt.config(materialized="incremental", unique_key="body_hash")
    extracted = dbt.ref("int_articles_extracted")
    if dbt.is_incremental:
        extracted = pending(extracted, "body_hash", f"SELECT body_hash FROM {dbt.this}")
    # One occurrence per body, chosen on the small columns and joined back for its text: grouping
    # the text itself (any_value) held every body in the aggregate, which ran out of 512 MB at 100k.
    first = extracted.aggregate("body_hash, min(occurrence_id) AS occurrence_id", "body_hash")
    bodies = extracted.join(
        first.project("occurrence_id").set_alias("first"), "occurrence_id", how="semi"
    ).project("body_hash, body_text")
    return spill(
        session, map_batches(signature_batches, bodies.to_arrow_reader(1000), SIGNATURE_SCHEMA, task_rows=250)
    )
