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
from {{ ref('int_person_mentions') }} as mentions
inner join {{ ref('int_person_identities') }} as identities using (mention_key)
