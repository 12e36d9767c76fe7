-- Incremental on article_id: a nightly rewrites the articles whose canonical copy, first copy or
-- copy count changed (their row is a function of those, read from key columns only) and the
-- post-hook drops articles that no longer exist (a longer copy gave the story a new id).
{{ config(
    materialized='incremental',
    unique_key='article_id',
    incremental_strategy='delete+insert',
    on_schema_change='fail',
    post_hook="{% if is_incremental() %}
        delete from {{ this }}
        where article_id not in (select article_id from {{ ref('int_articles_deduplicated') }})
    {% endif %}"
) }}

{% if is_incremental() %}
    {% set signature %}
        select
            canonical.article_id,
            canonical.occurrence_id as canonical_occurrence_id,
            canonical.extractor_version,
            canonical.occurrence_count,
            canonical.first_seen_at,
            first_seen.uri as canonical_uri
        from {{ ref('int_articles_deduplicated') }} as canonical
        inner join {{ ref('int_articles_deduplicated') }} as first_seen
            on first_seen.article_id = canonical.article_id and first_seen.is_first
        where canonical.is_canonical
    {% endset %}
    {% set changed = rows_by_key(ref('int_articles_deduplicated'), 'article_id', "select article_id from (" ~ signature ~ "
        except
        select article_id, canonical_occurrence_id, extractor_version, occurrence_count, first_seen_at, canonical_uri
        from " ~ this ~ ")") %}
{% else %}
    {% set changed = 'select * from ' ~ ref('int_articles_deduplicated') %}
{% endif %}

-- Not materialized (read twice): DuckDB would hold every body of a first load in its buffer pool,
-- as it did in int_articles_deduplicated.
with occurrences as not materialized (
    {{ changed }}
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
    canonical.extractor_version::varchar as extractor_version,
    canonical.occurrence_id::varchar as canonical_occurrence_id
from canonical
inner join first_seen using (article_id)
