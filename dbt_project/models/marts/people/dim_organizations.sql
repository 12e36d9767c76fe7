select
    organization_id::varchar as organization_id,
    any_value(name)::varchar as name,
    mode(kind)::varchar as kind,
    count(*)::integer as mention_count,
    count(distinct article_id)::integer as article_count
from {{ ref('fct_organization_mentions') }}
group by organization_id
