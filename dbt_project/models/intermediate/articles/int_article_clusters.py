"""Near-duplicate clusters of distinct article bodies (Python: rnw.neardup).

The connected components of the stored near-duplicate pairs (int_body_pairs) over the bodies
present now. Only the bodies with a stored pair go through Python; every other body is a cluster
of its own and is selected in SQL. Those are most bodies (95% at 100k pages), and as Python rows
they were most of this model's time in a nightly. Bodies are read back only where a member's
similarity to its canonical body is not a stored pair.

Incremental, delete+insert on body_hash: a build clusters again only the clusters that gained or
lost a body (rnw.neardup.recluster), and writes a row without a cluster for each body gone, which
replaces its stored row and which the post-hook then deletes. Made whole each time, the table cost
a 100k-page nightly about a second whatever it brought.
"""

from rnw.neardup import body_texts, cluster_pairs, recluster


def model(dbt, session):
    dbt.config(
        materialized="incremental", unique_key="body_hash", incremental_strategy="delete+insert"
    )  # its post-hook (no Jinja in Python models) is in _articles__models.yml
    extracted = dbt.ref("int_articles_extracted")
    present = (
        dbt.ref("int_body_signatures")
        .join(extracted.aggregate("body_hash"), "body_hash")
        .project("body_hash, shingle_count")
    )
    pairs = dbt.ref("int_body_pairs").filter("row_kind = 'pair'")
    ends = pairs.project("body_hash").union(pairs.project("other_hash AS body_hash"))
    paired = present.join(ends, "body_hash", how="semi").to_arrow_table()
    alone = present.join(ends, "body_hash", how="anti")
    if not dbt.is_incremental:
        clustered = cluster_pairs(paired, pairs.to_arrow_table(), body_texts(session, extracted))
        return session.from_arrow(clustered).union(
            alone.project("body_hash, body_hash AS cluster_hash, 1.0::DOUBLE AS similarity")
        )
    stored = session.sql(f"SELECT body_hash, cluster_hash FROM {dbt.this}")
    gone = stored.join(present, "body_hash", how="anti")
    left_behind = stored.join(gone.project("cluster_hash"), "cluster_hash", how="semi").join(
        present, "body_hash", how="semi"
    )
    seeds = session.from_arrow(  # read once: recluster wants them in Python, `alone` in DuckDB
        present.join(stored, "body_hash", how="anti")
        .project("body_hash")
        .union(left_behind.project("body_hash"))
        .to_arrow_table()
    )
    seeded = set(seeds.to_arrow_table().column("body_hash").to_pylist())
    clustered = recluster(paired, pairs.to_arrow_table(), seeded, body_texts(session, extracted))
    return (
        session.from_arrow(clustered)
        .union(
            alone.join(seeds, "body_hash", how="semi").project(
                "body_hash, body_hash AS cluster_hash, 1.0::DOUBLE AS similarity"
            )
        )
        .union(gone.project("body_hash, NULL::VARCHAR AS cluster_hash, NULL::DOUBLE AS similarity"))
    )
