-- Occurrences folded into articles: copies whose bodies agree after white-space and width
-- folding share a body_hash and become one article. The canonical occurrence, whose text and
-- metadata the article shows, is the most complete copy, chosen by content so that ingestion
-- order cannot change it.
with occurrences as (
    select * from {{ ref('int_articles_extracted') }}
),

ranked as (
    select
        *,
        left(body_hash, 32) as article_id,
        row_number() over (
            partition by body_hash
            order by
                len(authors) desc,
                length(coalesce(title, '')) desc,
                length(coalesce(subtitle, '')) desc,
                page_id,
                position_in_page
        ) as canonical_rank,
        row_number() over (
            partition by body_hash
            order by seen_at, page_id, position_in_page
        ) as arrival_rank,
        count(*) over (partition by body_hash) as occurrence_count,
        min(seen_at) over (partition by body_hash) as first_seen_at
    from occurrences
)

select
    * exclude (canonical_rank, arrival_rank),
    canonical_rank = 1 as is_canonical,
    arrival_rank = 1 as is_first,
    1.0::double as similarity
from ranked
