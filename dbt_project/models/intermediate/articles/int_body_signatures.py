"""MinHash signature of each distinct article body (Python: rnw.neardup).

Incremental on body_hash: a body is read and hashed once, ever; clustering then works on the
stored signatures.
"""

from rnw.neardup import SIGNATURE_SCHEMA, signature_batches
from rnw.parallel import map_batches, spill


def model(dbt, session):
    dbt.config(materialized="incremental", unique_key="body_hash")
    bodies = dbt.ref("int_articles_extracted").aggregate("body_hash, any_value(body_text) AS body_text")
    if dbt.is_incremental:
        bodies = bodies.filter(f"body_hash NOT IN (SELECT body_hash FROM {dbt.this})")
    return spill(
        session, map_batches(signature_batches, bodies.to_arrow_reader(1000), SIGNATURE_SCHEMA, task_rows=250)
    )
