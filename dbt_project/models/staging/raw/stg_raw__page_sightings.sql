with source as (
    select * from {{ source('raw', 'page_sightings') }}
)

select
    sighting_id,
    page_id,
    source_id,
    run_id,
    uri,
    seen_at
from source
