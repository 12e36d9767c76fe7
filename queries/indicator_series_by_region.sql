-- Question: for each region, which indicators do articles state, and how did each move from year to year?
-- One row per region x indicator x unit x year (marts.indicator_series), with readable region names.
-- Statements flagged as implausible are counted in flagged_count; see flagged_indicator_values.sql.
SELECT
    r.name AS region_name,
    s.region_code,
    s.indicator,
    s.normalized_unit,
    s.change_kind,
    s.period_year,
    s.observation_count,
    s.article_count,
    s.min_value,
    s.median_value,
    s.max_value,
    s.flagged_count
FROM marts.indicator_series AS s
LEFT JOIN marts.dim_regions AS r USING (region_code)
WHERE s.region_code IS NOT NULL
ORDER BY s.region_code, s.indicator, s.normalized_unit, s.period_year NULLS LAST
