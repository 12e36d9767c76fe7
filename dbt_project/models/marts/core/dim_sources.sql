-- Every source that has pages or is registered, so each occurrence's source_id resolves.
with registered as (
    select * from {{ ref('stg_raw__sources') }}
),

seen as (
    select distinct source_id from {{ ref('stg_raw__pages') }}
)

select
    coalesce(registered.source_id, seen.source_id)::varchar as source_id,
    coalesce(registered.source_name, seen.source_id)::varchar as name,
    coalesce(registered.kind, 'files')::varchar as kind,
    registered.base_url::varchar as base_url,
    registered.region_code::varchar as region_code
from registered
full outer join seen using (source_id)
