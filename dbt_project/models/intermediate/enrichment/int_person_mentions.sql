-- One row per person mention, with a stable key for identity resolution. Incremental per article
-- (macros in article_inputs.sql): a nightly flattens the articles whose people changed and drops
-- those no longer current, instead of remaking every mention.
{% set changed = per_article_mart('int_article_people', 'enricher_version') %}

with people as (
    select article_id, unnest(people) as person, generate_subscripts(people, 1) as person_no
    from {{ ref('int_article_people') }} semi join {{ ref('int_articles_canonical') }} using (article_id)
    where {{ changed }}
)

select
    article_id || ':' || person_no::varchar as mention_key,
    article_id,
    person_no,
    person.name,
    person.role,
    person.title,
    person.organization,
    person.char_start,
    person.quote_text
from people
