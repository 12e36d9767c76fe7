select
    occurrence_id::varchar as occurrence_id,
    article_id::varchar as article_id,
    page_id::varchar as page_id,
    source_id::varchar as source_id,
    uri::varchar as uri,
    seen_at::timestamptz as seen_at,
    position_in_page::integer as position_in_page,
    is_first::boolean as is_first,
    similarity::double as similarity
from {{ ref('int_articles_deduplicated') }}
