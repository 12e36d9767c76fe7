-- Incremental per article (macros in article_inputs.sql): a nightly rewrites the articles whose
-- enrichment changed and drops those no longer current (the enrichment tables keep articles that
-- are no longer canonical, a re-extracted page's; the marts keep current ones only).
{% set changed = per_article_mart('int_article_regions', 'enricher_version') %}

with mentions as (
    select article_id, unnest(group_mentions) as g from {{ ref('int_article_regions') }} semi join {{ ref('int_articles_canonical') }} using (article_id)
    where {{ changed }}
)

select
    (article_id || ':' || g.group_id)::varchar as group_mention_id,
    article_id::varchar as article_id,
    g.group_id::varchar as group_id,
    count(*)::integer as mention_count,
    min(g.char_start)::integer as first_char_offset
from mentions
group by article_id, g.group_id
