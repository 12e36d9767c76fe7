-- Provenance contract: every observation's offsets slice dim_articles.body_text to text that
-- contains the number as written. Checks the articles no build has verified yet (the rows of an
-- article never change while its input does not; verify_all=true checks every article), a part of
-- them at a time (failing_in_article_parts: a first load's bodies do not fit in one hash table; a
-- part reads its own range of dim_articles).
{% call(part) failing_in_article_parts(ref('dim_articles'), 'fct_indicator_observations', 'observation_id') %}
with articles as (
    {{ unverified_rows(ref('dim_articles'), 'fct_indicator_observations', part) }}
)

select o.observation_id
from {{ ref('fct_indicator_observations') }} as o
inner join articles as a using (article_id)
where strpos(substr(a.body_text, o.char_start + 1, o.char_end - o.char_start), o.value_text) = 0
{% endcall %}
