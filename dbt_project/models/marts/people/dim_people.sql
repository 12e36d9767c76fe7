-- One row per person as resolved across articles; title and organisation are the most frequent
-- ones stated for them.
with mentions as (
    select * from {{ ref('fct_person_mentions') }}
)

select
    person_id::varchar as person_id,
    any_value(name)::varchar as name,
    mode(title)::varchar as title,
    mode(organization)::varchar as organization,
    count(*)::integer as mention_count,
    count(distinct article_id)::integer as article_count,
    list(distinct role order by role)::varchar[] as roles
from mentions
group by person_id
