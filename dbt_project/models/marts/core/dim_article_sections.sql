-- Section headings of each article's canonical text; offsets index dim_articles.body_text.
-- Incremental per article (macros in article_inputs.sql): a nightly rewrites the articles whose
-- canonical copy or its extraction changed and drops those no longer current.
{% set changed = per_article_mart('dim_articles', 'canonical_occurrence_id || extractor_version', current_only=false) %}

with canonical as (
    select article_id, sections_json
    from {{ ref('int_articles_deduplicated') }}
    where is_canonical
        and {{ changed }}
),

sections as (
    select
        article_id,
        unnest(from_json(sections_json, '[{"heading": "VARCHAR", "char_start": "INTEGER", "char_end": "INTEGER"}]'))
            as section
    from canonical
)

select
    (article_id || ':' || row_number() over (partition by article_id order by section.char_start))::varchar
        as section_id,
    article_id::varchar as article_id,
    (row_number() over (partition by article_id order by section.char_start))::integer as section_no,
    section.heading::varchar as heading,
    section.char_start::integer as char_start,
    section.char_end::integer as char_end
from sections
