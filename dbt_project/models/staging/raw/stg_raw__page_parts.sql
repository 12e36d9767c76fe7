-- Each raw page's decoded text, in the consecutive parts the raw store keeps it in (bytes left there).
with source as (
    select * from {{ source('raw', 'page_parts') }}
),

renamed as (
    select
        -- ids
        page_id,
        page_seq,
        part,
        -- content
        text as text_part
    from source
)

select * from renamed
