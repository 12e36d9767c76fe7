{% macro listed_keys(key, keys_sql) %}
    {#-
        A filter "key IN (...)" on the keys keys_sql returns, spelled out as literals. An
        incremental model needs about 1% of a large table of text; DuckDB applies a literal list
        inside the table scan and reads the text of those rows alone, while a subquery is a join
        that reads every row first. The SQL twin of rnw.incremental.pending (same threshold).
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
