-- One row per article found on a page (an occurrence), with the page's provenance.
-- Incremental on page_id: a nightly unnests only the pages extracted since the last build (or
-- re-extracted by a newer extractor). The post-hook drops what is left of an older extraction,
-- which covers a re-extracted page that no longer yields any article.
{{ config(
    materialized='incremental',
    unique_key='page_id',
    incremental_strategy='delete+insert',
    post_hook="{% if is_incremental() %}
        delete from {{ this }} as done
        where not exists (
            select 1 from {{ ref('int_pages_extracted') }} as pages
            where pages.page_id = done.page_id and pages.extractor_version = done.extractor_version
        )
    {% endif %}"
) }}

{% if is_incremental() %}
    {% set pending_sql %}
        select pages.page_id from {{ ref('int_pages_extracted') }} as pages
        where not exists (
            select 1 from {{ this }} as done
            where done.page_id = pages.page_id and done.extractor_version = pages.extractor_version
        )
    {% endset %}
    {#- Raw pages are looked up in the raw store's primary-key index, extractions by rowid. #}
    {% set pending_pages = listed_keys('page_id', pending_sql) %}
    {% set pending_extractions = rows_by_key(ref('int_pages_extracted'), 'page_id', pending_sql) %}
{% else %}
    {% set pending_pages = 'true' %}
    {% set pending_extractions = 'select * from ' ~ ref('int_pages_extracted') %}
{% endif %}

with pages as (
    select * from {{ ref('stg_raw__pages') }}
    where {{ pending_pages }}
),

extracted as (
    select page_id, extractor_version, unnest(articles) as article
    from ({{ pending_extractions }})
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
