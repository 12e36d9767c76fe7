with source as (
    select * from {{ source('raw', 'rejects') }}
)

select
    reject_id,
    source_id,
    run_id,
    uri,
    reason,
    detail,
    seen_at
from source
