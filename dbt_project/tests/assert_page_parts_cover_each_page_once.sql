-- A page's text is its parts joined in order: a missing, repeated or stray part would change it
-- without any other test noticing. Parts are written with their page in one transaction.
with parts as (
    select
        page_seq,
        any_value(page_id) as page_id,
        count(distinct page_id) as page_ids,
        count(*) as parts,
        count(distinct part) as numbers,
        min(part) as first_part,
        max(part) as last_part
    from {{ ref('stg_raw__page_parts') }}
    group by page_seq
)

select pages.page_seq as page_seq, parts.page_seq as parts_page_seq
from {{ ref('stg_raw__pages') }} as pages
full join parts on pages.page_seq = parts.page_seq
where pages.page_seq is null
    or parts.page_seq is null
    or parts.page_ids <> 1
    or pages.page_id <> parts.page_id
    or parts.parts <> parts.numbers
    or parts.first_part <> 0
    or parts.last_part <> parts.parts - 1
