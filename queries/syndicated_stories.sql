-- Question: which stories were carried by more than one source (syndication, reprints), by whom, and
-- who had them first? Copies fold into one article (exact or near-duplicate text); its occurrences keep
-- every source and URI it was seen at.
SELECT
    a.article_id,
    a.title,
    count(DISTINCT o.source_id) AS source_count,
    count(*) AS occurrence_count,
    list(DISTINCT o.source_id ORDER BY o.source_id) AS source_ids,
    arg_min(o.source_id, o.seen_at) AS first_source_id,
    min(o.seen_at) AS first_seen_at,
    max(o.seen_at) AS last_seen_at,
    min(o.similarity) AS min_similarity
FROM marts.fct_article_occurrences AS o
JOIN marts.dim_articles AS a USING (article_id)
GROUP BY a.article_id, a.title
HAVING count(DISTINCT o.source_id) > 1
ORDER BY source_count DESC, first_seen_at, a.article_id
