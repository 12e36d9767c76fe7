-- Question: how many articles did each source carry per day? Counted per source that carried the story
-- (a syndicated story counts for every source), on its publication day in Asia/Shanghai, or on the day
-- the copy was seen when the page gave no date (date_basis says which).
SELECT
    o.source_id,
    s.name AS source_name,
    CAST(coalesce(a.published_at, o.seen_at) AT TIME ZONE 'Asia/Shanghai' AS DATE) AS day,
    CASE WHEN a.published_at IS NULL THEN 'seen' ELSE 'published' END AS date_basis,
    count(DISTINCT o.article_id) AS article_count
FROM marts.fct_article_occurrences AS o
JOIN marts.dim_articles AS a USING (article_id)
LEFT JOIN marts.dim_sources AS s ON s.source_id = o.source_id
GROUP BY ALL
ORDER BY day, o.source_id, date_basis
