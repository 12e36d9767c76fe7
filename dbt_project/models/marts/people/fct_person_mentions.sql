-- Incremental per article (macros in article_inputs.sql): a nightly writes the mentions of the
-- articles whose people changed and drops those no longer current. A mention's person can also
-- change without its article (identity re-resolved by a new mention of the same name elsewhere):
-- the post-hook in _people__models.yml brings those rows' person_id up to date.
{% set changed = per_article_mart('int_article_people', 'enricher_version') %}

with mentions as (
    select * from {{ ref('int_person_mentions') }}
    where {{ changed }}
)

select
    mentions.mention_key::varchar as person_mention_id,
    mentions.article_id::varchar as article_id,
    identities.person_id::varchar as person_id,
    mentions.name::varchar as name,
    mentions.role::varchar as role,
    mentions.title::varchar as title,
    mentions.organization::varchar as organization,
    mentions.char_start::integer as char_start,
    mentions.quote_text::varchar as quote_text
from mentions
inner join {{ ref('int_person_identities') }} as identities using (mention_key)
