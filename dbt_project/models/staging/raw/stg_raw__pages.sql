-- Raw pages without their bytes: dbt and analysts work on the decoded text.
with source as (
    select *, rowid as raw_rowid from {{ source('raw', 'pages') }}
),

renamed as (
    select
        -- ids
        page_id,
        source_id,
        run_id,
        -- the raw store's row (append-only, so stable): extraction reads the pages by ranges of it
        raw_rowid,
        -- provenance
        uri,
        http_status,
        http_headers,
        content_type,
        declared_charset,
        detected_encoding,
        -- content
        text as page_text,
        octet_length(raw_bytes) as byte_size,
        -- timestamps
        fetched_at
    from source
)

select * from renamed
