-- Incremental per article (macros in article_inputs.sql): a nightly rewrites the articles whose
-- enrichment changed and drops those no longer current.
{% set changed = per_article_mart('int_article_indicators', 'enricher_version') %}

-- Every numeric statement, traceable to its sentence: char_start/char_end slice
-- dim_articles.body_text to exactly the number and unit as written.
with observations as (
    select
        article_id,
        unnest(observations) as o,
        generate_subscripts(observations, 1) as observation_no
    from {{ ref('int_article_indicators') }} semi join {{ ref('int_articles_canonical') }} using (article_id)
    where {{ changed }}
)

select
    (article_id || ':' || observation_no::varchar)::varchar as observation_id,
    article_id::varchar as article_id,
    o.region_code::varchar as region_code,
    o.indicator::varchar as indicator,
    o.value::double as value,
    o.value_high::double as value_high,
    o.value_text::varchar as value_text,
    o.unit::varchar as unit,
    o.normalized_value::double as normalized_value,
    o.normalized_unit::varchar as normalized_unit,
    o.dimension::varchar as dimension,
    o.change_kind::varchar as change_kind,
    o.period_year::integer as period_year,
    o.period_label::varchar as period_label,
    o.sentence::varchar as sentence,
    o.char_start::integer as char_start,
    o.char_end::integer as char_end,
    o.quality_flag::varchar as quality_flag
from observations
