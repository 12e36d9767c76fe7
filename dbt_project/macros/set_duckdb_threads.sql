{% macro set_duckdb_threads() %}
    {#- on-run-start: DuckDB's threads from RNW_DUCKDB_THREADS, for the whole database (DuckDB's
        setting is global: every connection and cursor of the invocation runs on it). Unset, empty
        or 0: DuckDB's default, one thread per core. rnw.build sets it for every build
        (rnw.settings: duckdb_threads). -#}
    {%- set threads = env_var('RNW_DUCKDB_THREADS', '') -%}
    {%- if execute and threads and threads | int > 0 -%}
        {% do run_query('set threads = ' ~ (threads | int)) %}
    {%- endif -%}
{% endmacro %}
