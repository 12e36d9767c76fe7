-- Incremental per article (macros in article_inputs.sql): a nightly rewrites the articles whose
-- enrichment changed and drops those no longer current.
{% set changed = per_article_mart('int_article_people', 'enricher_version') %}

with mentions as (
    select
        article_id,
        unnest(organizations) as o,
        generate_subscripts(organizations, 1) as mention_no
    from {{ ref('int_article_people') }} semi join {{ ref('int_articles_canonical') }} using (article_id)
    where {{ changed }}
)

select
    (article_id || ':' || mention_no::varchar)::varchar as organization_mention_id,
    article_id::varchar as article_id,
    left(sha256(o.name), 16)::varchar as organization_id,
    o.name::varchar as name,
    o.surface::varchar as surface,
    o.kind::varchar as kind,
    o.char_start::integer as char_start
from mentions
