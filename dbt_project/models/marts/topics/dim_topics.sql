select
    topic_id::varchar as topic_id,
    name_en::varchar as name_en,
    name_zh::varchar as name_zh,
    string_split(keywords, '|')::varchar[] as keywords,
    weight::double as weight
from {{ ref('topic_taxonomy') }}
