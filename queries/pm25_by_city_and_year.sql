-- Question: what PM2.5 concentrations do articles report, by city (prefecture) and year, and which
-- figures look wrong? One row per statement, in µg/m³; quality_flag marks values to check before use
-- (e.g. "21.0克每立方米", grams where micrograms were meant, is kept but flagged unit_typo_suspected).
SELECT
    prov.name AS province,
    coalesce(city.name, r.name) AS city,
    r.name AS region_name,
    o.region_code,
    o.period_year,
    o.indicator,
    o.value,
    o.unit,
    o.normalized_value AS value_ug_m3,
    o.quality_flag,
    a.title,
    o.sentence
FROM marts.fct_indicator_observations AS o
JOIN marts.dim_articles AS a USING (article_id)
LEFT JOIN marts.dim_regions AS r ON r.region_code = o.region_code
LEFT JOIN marts.dim_regions AS city ON city.region_code = coalesce(r.prefecture_code, r.region_code)
    AND city.level IN ('prefecture', 'province')
LEFT JOIN marts.dim_regions AS prov ON prov.region_code = r.province_code
WHERE upper(replace(o.indicator, '．', '.')) LIKE '%PM2.5%'
  AND o.normalized_unit = 'ug/m3'
ORDER BY province NULLS LAST, city NULLS LAST, o.period_year NULLS LAST, o.normalized_value
