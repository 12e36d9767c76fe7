-- Region x indicator x period: the same indicator stated by several articles lines up in one row.
with observations as (
    select * from {{ ref('fct_indicator_observations') }}
    where region_code is not null and period_year is not null and change_kind in ('level', 'share', 'count')
)

select
    md5(region_code || '|' || indicator || '|' || normalized_unit || '|' || change_kind || '|' || period_year::varchar)::varchar
        as series_point_id,
    region_code::varchar as region_code,
    indicator::varchar as indicator,
    normalized_unit::varchar as normalized_unit,
    change_kind::varchar as change_kind,
    period_year::integer as period_year,
    count(*)::integer as observation_count,
    count(distinct article_id)::integer as article_count,
    min(normalized_value)::double as min_value,
    max(normalized_value)::double as max_value,
    median(normalized_value)::double as median_value,
    list(distinct article_id order by article_id)::varchar[] as article_ids,
    count(*) filter (where quality_flag is not null)::integer as flagged_count
from observations
group by region_code, indicator, normalized_unit, change_kind, period_year
