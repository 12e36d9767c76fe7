{% macro quoted_keys(keys_sql) %}
    {#- The keys keys_sql returns (first column) as SQL string literals; none above
        var('max_listed_keys'), where a literal list would cost more to parse than it saves. -#}
    {%- set keys = run_query(keys_sql).columns[0].values() -%}
    {%- if keys | length > var('max_listed_keys') -%}
        {{ return(none) }}
    {%- endif -%}
    {%- set quoted = [] -%}
    {%- for k in keys -%}
        {%- do quoted.append("'" ~ (k | string | replace("'", "''")) ~ "'") -%}
    {%- endfor -%}
    {{ return(quoted) }}
{% endmacro %}


{% macro listed_keys(key, keys_sql) %}
    {#-
        A filter "key IN (...)" on the keys keys_sql returns, spelled out as literals. DuckDB looks a
        literal list up in a primary-key index (the raw store); on other tables it still reads every
        row's text, and rows_by_key reads such a table by rowid ranges instead. The SQL twin of
        rnw.incremental.pending (same threshold).
    -#}
    {%- if not execute -%}
        {{ return(key ~ ' in (' ~ keys_sql ~ ')') }}
    {%- endif -%}
    {%- set keys = quoted_keys(keys_sql) -%}
    {%- if keys is none -%}
        {{ return(key ~ ' in (' ~ keys_sql ~ ')') }}
    {%- elif not keys -%}
        {{ return('false') }}
    {%- endif -%}
    {{ return(key ~ ' in (' ~ keys | join(', ') ~ ')') }}
{% endmacro %}


{% macro rows_by_key(relation, key, keys_sql) %}
    {#-
        A query for the rows of table ``relation`` whose ``key`` is among those keys_sql returns:
        the SQL twin of rnw.incremental.rows_by_key. DuckDB 1.5 applies a list of keys after the
        scan, so a nightly's few rows cost reading every row's text, while a rowid range is applied
        inside the scan. The keys' rowids are looked up first (the key column only) and the rows
        read within a few ranges around them.

        dbt runs that lookup and the model's query in separate transactions, and a checkpoint in
        between may renumber the rows (it vacuums deletes). So the query counts the rows its ranges
        found against the lookup and, when they differ, reads by the key list alone.
    -#}
    {%- set every_row = 'select * from ' ~ relation -%}
    {%- if not execute -%}
        {{ return(every_row ~ ' where ' ~ key ~ ' in (' ~ keys_sql ~ ')') }}
    {%- endif -%}
    {%- set keys = quoted_keys(keys_sql) -%}
    {%- if keys is none -%}
        {{ return(every_row ~ ' where ' ~ key ~ ' in (' ~ keys_sql ~ ')') }}
    {%- elif not keys -%}
        {{ return(every_row ~ ' where false') }}
    {%- endif -%}
    {%- set listed = key ~ ' in (' ~ keys | join(', ') ~ ')' -%}
    {%- set spans = run_query(rowid_spans(relation, listed)) -%}
    {%- set found = spans.columns[2].values() | sum -%}
    {%- set covered = namespace(rows=0, ranges=[]) -%}
    {%- for span in spans.rows -%}
        {%- set covered.rows = covered.rows + span[1] - span[0] + 1 -%}
        {%- do covered.ranges.append('rowid between ' ~ span[0] ~ ' and ' ~ span[1]) -%}
    {%- endfor -%}
    {%- if found == 0 or 2 * covered.rows > spans.rows[0][3] -%}
        {#- Nothing found, or rows all over the table (one plain scan is cheaper). -#}
        {{ return(every_row ~ ' where ' ~ listed) }}
    {%- endif -%}
    {%- set guarded -%}
        with ranged as materialized (
            select * from {{ relation }} where ({{ covered.ranges | join(' or ') }}) and {{ listed }}
        ),

        renumbered as (
            select count(*) <> {{ found }} as happened from ranged
        )

        select * from ranged where not (select happened from renumbered)
        union all
        {#- The key list as a join: when nothing was renumbered it is empty and DuckDB skips the scan. #}
        select * from {{ relation }}
        where {{ key }} in (
            select listed_key from (select unnest([{{ keys | join(', ') }}]) as listed_key)
            where (select happened from renumbered)
        )
    {%- endset -%}
    {{ return(guarded) }}
{% endmacro %}


{% macro rowid_spans(relation, listed) %}
    {#- Inclusive rowid ranges around the rows the filter ``listed`` keeps, with each range's row
        count and the table's: neighbours closer than var('rowid_range_gap') share a range, and
        the closest ranges are joined until var('most_rowid_ranges') are left. The SQL twin of
        rnw.incremental.rowid_ranges. -#}
    with found as (
        select rowid as id from {{ relation }} where {{ listed }}
    ),

    steps as (
        select id, id - lag(id) over (order by id) as step from found
    ),

    cut as (
        select greatest(
            {{ var('rowid_range_gap') }},
            coalesce((
                select step from steps where step is not null
                order by step desc limit 1 offset {{ var('most_rowid_ranges') - 1 }}
            ), 0) + 1
        ) as step
    ),

    runs as (
        select id, sum(case when step is null or step >= (select step from cut) then 1 else 0 end)
            over (order by id rows between unbounded preceding and current row) as run
        from steps
    )

    select min(id) as first_rowid, max(id) as last_rowid, count(*) as row_count,
        (select count(*) from {{ relation }}) as table_rows
    from runs
    group by run
    order by first_rowid
{% endmacro %}
