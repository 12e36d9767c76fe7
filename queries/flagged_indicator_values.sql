-- Question: which extracted figures are implausible and need a human look before anyone charts them?
-- Every statement with a quality_flag, with the sentence, where it is in the body and where the page was.
SELECT
    o.quality_flag,
    o.indicator,
    o.value,
    o.unit,
    o.normalized_value,
    o.normalized_unit,
    r.name AS region_name,
    o.region_code,
    o.period_year,
    o.sentence,
    o.char_start,
    o.char_end,
    a.title,
    coalesce(a.canonical_uri, first_occurrence.uri) AS uri,
    o.observation_id
FROM marts.fct_indicator_observations AS o
JOIN marts.dim_articles AS a USING (article_id)
LEFT JOIN marts.dim_regions AS r ON r.region_code = o.region_code
LEFT JOIN marts.fct_article_occurrences AS first_occurrence
    ON first_occurrence.article_id = o.article_id AND first_occurrence.is_first
WHERE o.quality_flag IS NOT NULL
ORDER BY o.quality_flag, o.indicator, o.observation_id
