-- Incremental per article (macros in article_inputs.sql): a nightly rewrites the articles whose
-- enrichment changed and drops those no longer current.
{% set changed = per_article_mart('int_article_regions', 'enricher_version') %}

-- One row per article and region it names, plus the primary region (mention_count 0 when the
-- primary is inferred from its sub-regions rather than named). The CTEs read twice are not
-- materialized: DuckDB would hold all of a first load's rows in its buffer pool.
with regions as not materialized (
    select * from {{ ref('int_article_regions') }} semi join {{ ref('int_articles_canonical') }} using (article_id)
    where {{ changed }}
),

mentions as (
    select article_id, unnest(mentions) as m from regions
),

counted as not materialized (
    select
        article_id,
        m.region_code as region_code,
        count(*) as mention_count,
        min(m.char_start) as first_char_offset
    from mentions
    group by 1, 2
),

primaries as (
    select article_id, primary_region_code as region_code
    from regions
    where primary_region_code is not null
),

combined as (
    select article_id, region_code, mention_count, first_char_offset from counted
    union all
    select article_id, region_code, 0, null
    from primaries
    anti join counted using (article_id, region_code)
)

select
    (combined.article_id || ':' || combined.region_code)::varchar as region_mention_id,
    combined.article_id::varchar as article_id,
    combined.region_code::varchar as region_code,
    combined.mention_count::integer as mention_count,
    combined.first_char_offset::integer as first_char_offset,
    (primaries.article_id is not null)::boolean as is_primary
from combined
left join primaries using (article_id, region_code)
