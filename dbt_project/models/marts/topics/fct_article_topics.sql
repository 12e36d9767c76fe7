-- Incremental per article (macros in article_inputs.sql): a nightly rewrites the articles whose
-- enrichment changed and drops those no longer current.
{% set changed = per_article_mart('int_article_topics', 'enricher_version') %}

with scores as (
    select article_id, unnest(scores) as s from {{ ref('int_article_topics') }} semi join {{ ref('int_articles_canonical') }} using (article_id)
    where {{ changed }}
)

select
    (article_id || ':' || s.topic_id)::varchar as article_topic_id,
    article_id::varchar as article_id,
    s.topic_id::varchar as topic_id,
    s.score::double as score,
    s.rank::integer as rank
from scores
