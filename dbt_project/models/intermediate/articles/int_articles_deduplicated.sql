-- Occurrences folded into articles. Copies whose bodies agree after white-space and width
-- folding share a body_hash; near-duplicates (int_article_clusters) share a cluster. The
-- canonical occurrence, whose text and metadata the article shows, is chosen by content (the
-- cluster's canonical body, then the most complete copy of it), so ingestion order cannot change it.
--
-- Incremental on occurrence_id: every column is computed within one cluster, so a nightly
-- recomputes the occurrences of the clusters it touches (macro touched_occurrences) and leaves the
-- others as they are. The post-hook drops occurrences whose page no longer yields them.
{{ config(
    materialized='incremental',
    unique_key='occurrence_id',
    incremental_strategy='delete+insert',
    post_hook="{% if is_incremental() %}
        delete from {{ this }}
        where occurrence_id not in (select occurrence_id from {{ ref('int_articles_extracted') }})
    {% endif %}"
) }}

{% if is_incremental() %}
    {% set touched = rows_by_key(ref('int_articles_extracted'), 'occurrence_id', touched_occurrences(
        ref('int_articles_extracted'), ref('int_article_clusters'), this)) %}
{% else %}
    {% set touched = 'select * from ' ~ ref('int_articles_extracted') %}
{% endif %}

-- Not materialized: read twice, DuckDB would otherwise materialize it, every body of a first load
-- in its buffer pool (at 100k pages it filled the 160 MB cap and spilled; the dbt process peaked
-- 83 MB higher than at 10k). Scanned twice, the ranking reads only the small columns.
with occurrences as not materialized (
    {{ touched }}
),

clusters as (
    select * from {{ ref('int_article_clusters') }}
),

-- Ranked on the small columns only: sorting whole occurrences (bodies included) held every body in
-- the window operator at once.
ranked as (
    select
        occurrences.occurrence_id,
        left(clusters.cluster_hash, 32) as article_id,
        clusters.similarity,
        row_number() over (
            partition by clusters.cluster_hash
            order by
                occurrences.body_hash = clusters.cluster_hash desc,
                len(occurrences.authors) desc,
                length(coalesce(occurrences.title, '')) desc,
                length(coalesce(occurrences.subtitle, '')) desc,
                occurrences.page_id,
                occurrences.position_in_page
        ) as canonical_rank,
        row_number() over (
            partition by clusters.cluster_hash
            order by occurrences.seen_at, occurrences.page_id, occurrences.position_in_page
        ) as arrival_rank,
        count(*) over (partition by clusters.cluster_hash) as occurrence_count,
        min(occurrences.seen_at) over (partition by clusters.cluster_hash) as first_seen_at
    from occurrences
    inner join clusters using (body_hash)
)

select
    occurrences.*,
    ranked.article_id,
    ranked.similarity,
    ranked.occurrence_count,
    ranked.first_seen_at,
    ranked.canonical_rank = 1 as is_canonical,
    ranked.arrival_rank = 1 as is_first
from occurrences
inner join ranked using (occurrence_id)
