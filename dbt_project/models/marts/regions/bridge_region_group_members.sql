select
    (group_id || ':' || region_code)::varchar as membership_id,
    group_id::varchar as group_id,
    region_code::varchar as region_code,
    coverage::varchar as coverage
from {{ ref('region_group_members') }}
