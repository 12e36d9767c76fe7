{% macro listed_keys(key, keys_sql) %}
    {#-
        A filter "key IN (...)" on the keys keys_sql returns, spelled out as literals. An
        incremental model needs about 1% of a large table of text. DuckDB looks a literal list up
        in a primary-key index (the raw store), and prunes with it where a table is ordered by the
        key; on other tables it still reads every row's text (rnw.incremental.rows_by_key reads by
        rowid ranges instead, from Python). The SQL twin of rnw.incremental.pending (same threshold).
    -#}
    {%- if not execute -%}
        {{ return(key ~ ' in (' ~ keys_sql ~ ')') }}
    {%- endif -%}
    {%- set keys = run_query(keys_sql).columns[0].values() -%}
    {%- if keys | length == 0 -%}
        false
    {%- elif keys | length > var('max_listed_keys') -%}
        {{ key }} in ({{ keys_sql }})
    {%- else -%}
        {{ key }} in ({% for k in keys %}'{{ k | replace("'", "''") }}'{{ ', ' if not loop.last }}{% endfor %})
    {%- endif -%}
{% endmacro %}
