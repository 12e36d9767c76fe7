{% macro drop_python_temp_tables() %}
    {#-
        dbt-duckdb builds an incremental Python model's new rows in a real table
        ("<model>__dbt_tmp<timestamp>" in the main schema: a temporary table cannot cross the
        cursor the Python code writes with) but drops it only for SQL models, so every nightly run
        would leave one table per Python model behind. Run at the end of every invocation.
    -#}
    {% if execute %}
        {% set leftovers = run_query(
            "select schema_name, table_name from duckdb_tables() "
            ~ "where database_name = current_database() and contains(table_name, '__dbt_tmp')"
        ) %}
        {% for row in leftovers.rows %}
            {% do run_query('drop table if exists "' ~ row[0] ~ '"."' ~ row[1] ~ '"') %}
        {% endfor %}
    {% endif %}
{% endmacro %}
