-- The canonical copy of each article with what the enrichers need: text, dates, credits, sections
-- and the home region of its source (a hint for ambiguous place names). A view: as a table it
-- copied every body on every build (21 s of a 100k-page nightly), while its readers want either
-- article ids only (the marts) or the few articles an enricher has not seen. Those it reads by the
-- rowids of int_articles_deduplicated, which the view passes on (rnw.incremental.pending_rows):
-- filtered on a list of ids, DuckDB read every body's text.
{{ config(materialized='view') }}

with canonical as (
    select *, rowid as deduplicated_rowid from {{ ref('int_articles_deduplicated') }} where is_canonical
),

sources as (
    select * from {{ ref('stg_raw__sources') }}
)

select
    canonical.article_id,
    canonical.title,
    canonical.body_text,
    canonical.published_at,
    canonical.credits_json,
    canonical.sections_json,
    canonical.source_id,
    sources.region_code as source_region_code,
    canonical.deduplicated_rowid
from canonical
left join sources using (source_id)
