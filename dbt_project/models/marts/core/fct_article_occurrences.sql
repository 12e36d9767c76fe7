-- Incremental on occurrence_id: a nightly compares these small columns with what it stored,
-- rewrites the occurrences that differ (new, or moved to another article) and the post-hook drops
-- the ones that are gone.
{{ config(
    materialized='incremental',
    unique_key='occurrence_id',
    incremental_strategy='delete+insert',
    on_schema_change='fail',
    post_hook="{% if is_incremental() %}
        delete from {{ this }}
        where occurrence_id not in (select occurrence_id from {{ ref('int_articles_deduplicated') }})
    {% endif %}"
) }}

{% set occurrences %}
    select
        occurrence_id::varchar as occurrence_id,
        article_id::varchar as article_id,
        left(body_hash, 32)::varchar as body_id,
        page_id::varchar as page_id,
        source_id::varchar as source_id,
        uri::varchar as uri,
        seen_at::timestamptz as seen_at,
        position_in_page::integer as position_in_page,
        is_first::boolean as is_first,
        similarity::double as similarity
    from {{ ref('int_articles_deduplicated') }}
{% endset %}

{% if is_incremental() %}
    {% set changed = listed_keys('occurrence_id', "select occurrence_id from (" ~ occurrences ~ " except select * from " ~ this ~ ")") %}
{% else %}
    {% set changed = 'true' %}
{% endif %}

select * from ({{ occurrences }}) where {{ changed }}
