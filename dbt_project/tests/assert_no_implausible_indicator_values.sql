-- Quality flags warn: implausible values are kept (and flagged) in the marts for analysts to
-- review; the run summary counts them as dbt warnings.
{{ config(severity='warn') }}

select observation_id, indicator, value_text, unit, quality_flag
from {{ ref('fct_indicator_observations') }}
where quality_flag is not null
