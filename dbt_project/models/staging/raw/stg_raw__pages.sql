-- Raw pages without their content: their text is in stg_raw__page_parts, their bytes in the raw store.
with source as (
    select * from {{ source('raw', 'pages') }}
),

renamed as (
    select
        -- ids
        page_id,
        source_id,
        run_id,
        -- the page's place in the raw store (append-only): extraction reads the pages, and their
        -- parts, by ranges of it
        page_seq,
        -- provenance
        uri,
        http_status,
        http_headers,
        content_type,
        declared_charset,
        detected_encoding,
        -- content
        byte_size,
        -- timestamps
        fetched_at
    from source
)

select * from renamed
