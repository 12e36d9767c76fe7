{% macro set_duckdb_threads() %}
    {#- on-run-start: DuckDB's threads from RNW_DUCKDB_THREADS, for the whole database (DuckDB's
        setting is global: every connection and cursor of the invocation runs on it). Unset or
        empty: DuckDB's default, one thread per core. rnw.build sets it for a bulk build
        (rnw.settings: bulk_duckdb_threads). -#}
    {%- set threads = env_var('RNW_DUCKDB_THREADS', '') -%}
    {%- if execute and threads -%}
        {% do run_query('set threads = ' ~ (threads | int)) %}
    {%- endif -%}
{% endmacro %}
