-- Question: for each topic, which regions are written about most? An article counts for a topic when
-- the topic is among its three best-scored topics, and for every region it names (not only the primary).
-- Top 5 regions per topic by number of articles, then by mentions.
WITH topic_regions AS (
    SELECT
        t.topic_id,
        m.region_code,
        count(DISTINCT t.article_id) AS article_count,
        sum(m.mention_count) AS mention_count,
        count(DISTINCT t.article_id) FILTER (WHERE m.is_primary) AS primary_article_count
    FROM marts.fct_article_topics AS t
    JOIN marts.fct_region_mentions AS m USING (article_id)
    WHERE t.rank <= 3
    GROUP BY t.topic_id, m.region_code
)
SELECT
    d.name_en AS topic,
    d.name_zh AS topic_zh,
    r.name AS region_name,
    r.level AS region_level,
    tr.region_code,
    tr.article_count,
    tr.primary_article_count,
    tr.mention_count
FROM topic_regions AS tr
JOIN marts.dim_topics AS d USING (topic_id)
LEFT JOIN marts.dim_regions AS r USING (region_code)
QUALIFY row_number() OVER (
    PARTITION BY tr.topic_id ORDER BY tr.article_count DESC, tr.mention_count DESC, tr.region_code
) <= 5
ORDER BY topic, tr.article_count DESC, tr.mention_count DESC, tr.region_code
