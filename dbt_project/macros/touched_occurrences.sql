{% macro touched_occurrences(occurrences, clusters, done) %}
    {#-
        The occurrences whose int_articles_deduplicated row may differ from the stored one
        (done): all current occurrences of every article that gains or loses an occurrence, or
        whose bodies moved between clusters or were measured anew. Its columns are computed per
        cluster, so recomputing these clusters whole is exact. Reads key columns only.
    -#}
    with clusters as (
        select body_hash, left(cluster_hash, 32) as article_id, similarity from {{ clusters }}
    ),

    present as (
        select occurrence_id, body_hash, extractor_version from {{ occurrences }}
    ),

    stored as (
        select occurrence_id, body_hash, extractor_version, article_id, similarity from {{ done }}
    ),

    arrived as (
        select * from present
        except
        select occurrence_id, body_hash, extractor_version from stored
    ),

    departed as (
        select occurrence_id, body_hash, extractor_version from stored
        except
        select * from present
    ),

    touched_articles as (
        select clusters.article_id from arrived inner join clusters using (body_hash)
        union
        select stored.article_id from departed inner join stored using (occurrence_id, body_hash, extractor_version)
        union
        select unnest([stored.article_id, clusters.article_id])
        from stored inner join clusters using (body_hash)
        where stored.article_id <> clusters.article_id or stored.similarity is distinct from clusters.similarity
    )

    select present.occurrence_id
    from present
    inner join clusters using (body_hash)
    where clusters.article_id in (select article_id from touched_articles)
{% endmacro %}
