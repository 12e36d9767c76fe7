with source as (
    select * from {{ source('raw', 'sources') }}
)

select
    source_id,
    name as source_name,
    kind,
    base_url,
    region_code,
    enabled,
    updated_at
from source
