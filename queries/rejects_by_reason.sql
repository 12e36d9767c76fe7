-- Question: what did ingestion and scraping refuse, from which source, and why? Quarantined inputs
-- (empty_file, binary_content, decode_error, http_404, robots_disallowed, ...) with an example each.
SELECT
    source_id,
    reason,
    count(*) AS reject_count,
    min(seen_at) AS first_seen_at,
    max(seen_at) AS last_seen_at,
    any_value(uri) AS example_uri,
    any_value(detail) AS example_detail
FROM staging.stg_raw__rejects
GROUP BY source_id, reason
ORDER BY reject_count DESC, source_id, reason
