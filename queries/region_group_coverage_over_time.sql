-- Question: how much coverage do regional groupings (京津冀, 长三角, 雄安新区 ...) get, month by month?
-- Month of publication (Asia/Shanghai); articles without a publication date count in the month they were
-- first seen (date_basis says which). Groups are counted when named, never through their members.
SELECT
    g.name AS group_name,
    gm.group_id,
    date_trunc('month', coalesce(a.published_at, a.first_seen_at) AT TIME ZONE 'Asia/Shanghai')::DATE AS month,
    CASE WHEN a.published_at IS NULL THEN 'first_seen' ELSE 'published' END AS date_basis,
    count(DISTINCT gm.article_id) AS article_count,
    sum(gm.mention_count) AS mention_count
FROM marts.fct_region_group_mentions AS gm
JOIN marts.dim_region_groups AS g USING (group_id)
JOIN marts.dim_articles AS a USING (article_id)
GROUP BY ALL
ORDER BY group_name, month, date_basis
