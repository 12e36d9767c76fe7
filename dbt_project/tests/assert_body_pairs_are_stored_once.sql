-- Each body is placed once and each pair is stored once, by its smaller hash: a re-run or a
-- build resumed after a kill must not add a second copy.
select body_hash, other_hash
from {{ ref('int_body_pairs') }}
group by body_hash, other_hash
having count(*) > 1 or bool_or(other_hash is not null and other_hash <= body_hash)
