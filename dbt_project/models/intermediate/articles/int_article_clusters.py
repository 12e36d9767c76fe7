"""Near-duplicate clusters of distinct article bodies (Python: rnw.neardup, MinHash/LSH)."""

from rnw.neardup import cluster_batches


def model(dbt, session):
    dbt.config(materialized="table")
    threshold = float(dbt.config.get("near_duplicate_threshold"))
    bodies = dbt.ref("int_articles_extracted").aggregate("body_hash, any_value(body_text) AS body_text")
    return cluster_batches(bodies.to_arrow_reader(1000), threshold)
