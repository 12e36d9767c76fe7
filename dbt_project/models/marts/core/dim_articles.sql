with occurrences as (
    select * from {{ ref('int_articles_deduplicated') }}
),

canonical as (
    select * from occurrences where is_canonical
),

first_seen as (
    select article_id, uri as canonical_uri from occurrences where is_first
)

select
    canonical.article_id::varchar as article_id,
    canonical.title::varchar as title,
    canonical.subtitle::varchar as subtitle,
    canonical.body_text::varchar as body_text,
    canonical.char_count::integer as char_count,
    canonical.authors::varchar[] as authors,
    canonical.published_at::timestamptz as published_at,
    canonical.site_name::varchar as site_name,
    canonical.source_id::varchar as source_id,
    first_seen.canonical_uri::varchar as canonical_uri,
    canonical.first_seen_at::timestamptz as first_seen_at,
    canonical.occurrence_count::integer as occurrence_count,
    canonical.extractor_version::varchar as extractor_version
from canonical
inner join first_seen using (article_id)
