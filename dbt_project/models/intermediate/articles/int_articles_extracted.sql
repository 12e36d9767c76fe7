-- One row per article found on a page (an occurrence), with the page's provenance.
with pages as (
    select * from {{ ref('stg_raw__pages') }}
),

extracted as (
    select page_id, extractor_version, unnest(articles) as article
    from {{ ref('int_pages_extracted') }}
),

flattened as (
    select
        -- ids
        left(sha256(extracted.page_id || ':' || article.position_in_page::varchar), 32) as occurrence_id,
        extracted.page_id,
        pages.source_id,
        article.position_in_page,
        article.body_hash,
        -- text
        article.title,
        article.subtitle,
        article.body_text,
        length(article.body_text) as char_count,
        -- metadata
        article.authors,
        article.credits_json,
        article.published_at,
        article.site_name,
        coalesce(article.canonical_url, pages.uri) as uri,
        article.links,
        article.sections_json,
        extracted.extractor_version,
        -- timestamps
        pages.fetched_at as seen_at
    from extracted
    inner join pages using (page_id)
)

select * from flattened
