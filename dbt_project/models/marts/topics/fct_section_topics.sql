-- Incremental per article (macros in article_inputs.sql): a nightly rewrites the articles whose
-- enrichment changed and drops those no longer current.
{% set changed = per_article_mart('int_article_topics', 'enricher_version') %}

-- Topic scores per section of an article (sections as in dim_article_sections, by offset).
with sections as (
    select article_id, unnest(sections) as sec from {{ ref('int_article_topics') }} semi join {{ ref('int_articles_canonical') }} using (article_id)
    where {{ changed }}
),

scores as (
    select article_id, sec.char_start, sec.char_end, sec.heading, unnest(sec.scores) as s from sections
)

select
    (article_id || ':' || char_start::varchar || ':' || s.topic_id)::varchar as section_topic_id,
    article_id::varchar as article_id,
    char_start::integer as section_char_start,
    char_end::integer as section_char_end,
    heading::varchar as heading,
    s.topic_id::varchar as topic_id,
    s.score::double as score,
    s.rank::integer as rank
from scores
