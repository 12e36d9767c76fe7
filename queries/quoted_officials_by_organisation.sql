-- Question: who speaks for which organisation, and what did they say? People quoted (role 'quoted')
-- grouped by the organisation named with them, with their title and one quote per article.
SELECT
    coalesce(pm.organization, '(no organisation)') AS organization,
    org.kind AS organization_kind,
    pm.name AS person,
    pm.title,
    count(DISTINCT pm.article_id) AS article_count,
    any_value(pm.quote_text) FILTER (WHERE pm.quote_text IS NOT NULL) AS sample_quote,
    list(DISTINCT a.title) AS article_titles
FROM marts.fct_person_mentions AS pm
JOIN marts.dim_articles AS a USING (article_id)
LEFT JOIN marts.dim_organizations AS org ON org.name = pm.organization
WHERE pm.role = 'quoted'
GROUP BY ALL
ORDER BY organization, article_count DESC, person
