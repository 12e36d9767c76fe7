-- Every pair names both bodies and is stored once, in one direction, and each body has one
-- `placed` or `withdrawn` row: a re-run or a build resumed after a kill must not add a second copy.
with pairs as (
    select least(body_hash, other_hash) as low, greatest(body_hash, other_hash) as high
    from {{ ref('int_body_pairs') }}
    where row_kind = 'pair'
),

markers as (
    select body_hash
    from {{ ref('int_body_pairs') }}
    where row_kind in ('placed', 'withdrawn')
)

select low as body_hash, high as other_hash from pairs group by low, high having count(*) > 1
union all
select body_hash, other_hash from {{ ref('int_body_pairs') }} where row_kind = 'pair' and other_hash is null
union all
select body_hash, null from markers group by body_hash having count(*) > 1
