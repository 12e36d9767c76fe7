-- Question: which reporters cover which regions, and how much? Reporters and correspondents credited
-- on an article x the article's primary region (the region it is mainly about).
SELECT
    p.name AS reporter,
    pm.person_id,
    coalesce(r.name, '(no region)') AS primary_region,
    m.region_code,
    count(DISTINCT pm.article_id) AS article_count,
    list(DISTINCT pm.role ORDER BY pm.role) AS roles,
    min(a.published_at) AS first_published_at,
    max(a.published_at) AS last_published_at
FROM marts.fct_person_mentions AS pm
JOIN marts.dim_people AS p USING (person_id)
JOIN marts.dim_articles AS a USING (article_id)
LEFT JOIN marts.fct_region_mentions AS m ON m.article_id = pm.article_id AND m.is_primary
LEFT JOIN marts.dim_regions AS r ON r.region_code = m.region_code
WHERE pm.role IN ('reporter', 'correspondent')
GROUP BY ALL
ORDER BY article_count DESC, reporter, primary_region
