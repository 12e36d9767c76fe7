select
    group_id::varchar as group_id,
    name::varchar as name,
    coalesce(string_split(nullif(aliases, ''), '|'), [])::varchar[] as aliases,
    kind::varchar as kind,
    coalesce(string_split(nullif(alias_codes, ''), '|'), [])::varchar[] as alias_codes,
    definition_source::varchar as definition_source
from {{ ref('region_groups') }}
