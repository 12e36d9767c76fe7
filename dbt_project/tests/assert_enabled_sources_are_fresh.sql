-- Freshness per source: an enabled source that has yielded no new page for 2 days warns (a site
-- redesign, a block, a dead feed). Warn, not fail: the rest of the warehouse is still good.
{{ config(severity='warn') }}

with last_page as (
    select source_id, max(fetched_at) as last_fetched_at
    from {{ ref('stg_raw__pages') }}
    group by source_id
)

select
    sources.source_id,
    last_page.last_fetched_at
from {{ ref('stg_raw__sources') }} as sources
left join last_page using (source_id)
where sources.enabled
  and sources.kind <> 'files'
  and (last_page.last_fetched_at is null or last_page.last_fetched_at < now() - interval 2 days)
