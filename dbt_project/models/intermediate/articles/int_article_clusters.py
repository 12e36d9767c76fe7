"""Near-duplicate clusters of distinct article bodies (Python: rnw.neardup).

The connected components of the stored near-duplicate pairs (int_body_pairs) over the bodies
present now; bodies are read back only where a member's similarity to its canonical body is not
a stored pair.
"""

from rnw.neardup import body_texts, cluster_pairs


def model(dbt, session):
    dbt.config(materialized="table")
    extracted = dbt.ref("int_articles_extracted")
    signatures = (
        dbt.ref("int_body_signatures")
        .join(extracted.aggregate("body_hash"), "body_hash")
        .project("body_hash, shingle_count")
        .to_arrow_table()
    )
    pairs = dbt.ref("int_body_pairs").filter("row_kind = 'pair'").to_arrow_table()
    texts_of = body_texts(extracted)

    return cluster_pairs(signatures, pairs, texts_of)
