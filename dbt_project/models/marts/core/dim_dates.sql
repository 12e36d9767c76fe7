-- A fixed calendar wide enough for archives and the years ahead, so date joins never miss.
with days as (
    select unnest(generate_series(date '2000-01-01', date '2035-12-31', interval 1 day))::date as date_day
)

select
    date_day::date as date_day,
    year(date_day)::integer as year,
    quarter(date_day)::integer as quarter,
    month(date_day)::integer as month,
    day(date_day)::integer as day_of_month,
    weekofyear(date_day)::integer as iso_week,
    isodow(date_day)::integer as day_of_week
from days
