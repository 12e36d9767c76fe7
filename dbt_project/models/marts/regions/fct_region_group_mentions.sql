-- Incremental enrichment tables may hold articles that no longer exist (a re-extracted page); marts keep current ones only.
with mentions as (
    select article_id, unnest(group_mentions) as g from {{ ref('int_article_regions') }} semi join {{ ref('int_articles_canonical') }} using (article_id)
)

select
    (article_id || ':' || g.group_id)::varchar as group_mention_id,
    article_id::varchar as article_id,
    g.group_id::varchar as group_id,
    count(*)::integer as mention_count,
    min(g.char_start)::integer as first_char_offset
from mentions
group by article_id, g.group_id
