"""Near-duplicate clusters of distinct article bodies (Python: rnw.neardup, MinHash/LSH).

Works on the stored signatures of the bodies present now; only bodies in an LSH candidate pair are
read back for the exact similarity check.
"""

from rnw.neardup import cluster_signatures


def model(dbt, session):
    dbt.config(materialized="table")
    threshold = float(dbt.config.get("near_duplicate_threshold"))
    extracted = dbt.ref("int_articles_extracted")
    present = extracted.aggregate("body_hash")
    signatures = dbt.ref("int_body_signatures").join(present, "body_hash").to_arrow_table()

    def texts_of(body_hashes: list[str]) -> dict[str, str]:
        wanted = ", ".join(f"'{h}'" for h in body_hashes)  # sha256 hex: safe to inline
        rows = extracted.filter(f"body_hash IN ({wanted})").aggregate("body_hash, any_value(body_text)")
        return dict(rows.fetchall())

    return cluster_signatures(signatures, texts_of, threshold)
