select article_id
from {{ ref('fct_region_mentions') }}
group by article_id
having count(*) filter (where is_primary) > 1
