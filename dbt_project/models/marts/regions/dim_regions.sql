-- Every GB/T 2260 province, prefecture and county code 1981-2024 (latest version of each code;
-- the full history is in the seed region_versions).
select
    region_code::varchar as region_code,
    name::varchar as name,
    short_name::varchar as short_name,
    coalesce(string_split(nullif(aliases, ''), '|'), [])::varchar[] as aliases,
    level::varchar as level,
    parent_code::varchar as parent_code,
    province_code::varchar as province_code,
    prefecture_code::varchar as prefecture_code,
    valid_from::integer as valid_from,
    valid_to::integer as valid_to,
    is_current::boolean as is_current,
    successor_code::varchar as successor_code
from {{ ref('regions') }}
