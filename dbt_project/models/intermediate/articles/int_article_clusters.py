"""Near-duplicate clusters of distinct article bodies (Python: rnw.neardup).

The connected components of the stored near-duplicate pairs (int_body_pairs) over the bodies
present now. Only the bodies with a stored pair go through Python; every other body is a cluster
of its own and is selected in SQL. Those are most bodies (95% at 100k pages), and as Python rows
they were most of this model's time in a nightly. Bodies are read back only where a member's
similarity to its canonical body is not a stored pair.

The enrichment models come next: the pool's workers start loading what those need meanwhile
(rnw.warmup).
"""

from rnw.neardup import body_texts, cluster_pairs
from rnw.parallel import prewarm
from rnw.warmup import warm_enrichers_in_background


def model(dbt, session):
    dbt.config(materialized="table")
    prewarm(warm_enrichers_in_background)
    extracted = dbt.ref("int_articles_extracted")
    present = (
        dbt.ref("int_body_signatures")
        .join(extracted.aggregate("body_hash"), "body_hash")
        .project("body_hash, shingle_count")
    )
    pairs = dbt.ref("int_body_pairs").filter("row_kind = 'pair'")
    ends = pairs.project("body_hash").union(pairs.project("other_hash AS body_hash"))
    clustered = cluster_pairs(
        present.join(ends, "body_hash", how="semi").to_arrow_table(),
        pairs.to_arrow_table(),
        body_texts(extracted),
    )
    alone = present.join(ends, "body_hash", how="anti").project(
        "body_hash, body_hash AS cluster_hash, 1.0::DOUBLE AS similarity"
    )
    return session.from_arrow(clustered).union(alone)
