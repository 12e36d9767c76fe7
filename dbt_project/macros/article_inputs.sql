{#-
    Per-article marts (one article's rows are a function of one input row) rebuild only the
    articles whose input changed. An article can have no rows in such a mart (no indicators, no
    organisations), so the mart itself cannot tell what it has seen; a ledger beside it in the marts
    database records the (article_id, input_version) pairs each model consumed. The ledger is
    written by a post-hook, in the model's own transaction, so a kill leaves both or neither.
    Publish drops the ledger schema from the analysts' copy.

    The ledger also says which articles' rows the tests have checked (verified): tests that check
    rows one article at a time (unverified_rows) then read only what a build added, since
    the rows of an article never change while its input version stays the same.
-#}

{% macro article_inputs(input, version, current_only=true) %}
    {#- The articles a per-article mart must hold now, with the version of each one's input row. -#}
    select article_id, ({{ version }})::varchar as input_version
    from {{ ref(input) }}
    {%- if current_only %}
    semi join {{ ref('int_articles_canonical') }} using (article_id)
    {%- endif %}
{% endmacro %}


{% macro article_ledger(database=none) %}
    {{- return((database or this.database) ~ '.ledger.article_inputs') -}}
{% endmacro %}


{% macro article_changes(database=none) %}
    {#- The table of what each per-article mart's current build changes, filled at compile time. -#}
    {{- return((database or this.database) ~ '.ledger.article_changes') -}}
{% endmacro %}


{% macro article_ledger_ddl(database=none) %}
    {%- set database = database or this.database -%}
    create schema if not exists {{ database }}.ledger;
    create table if not exists {{ article_ledger(database) }}
        (model varchar not null, article_id varchar not null, input_version varchar not null);
    {#- Ledgers from before the column: their rows were checked by the builds that wrote them. #}
    alter table {{ article_ledger(database) }} add column if not exists verified boolean default true;
    create table if not exists {{ article_changes(database) }}
        (model varchar not null, article_id varchar not null, input_version varchar not null, departed boolean not null)
{% endmacro %}


{% macro consumed_inputs() %}
    select article_id, input_version from {{ article_ledger() }} where model = '{{ this.identifier }}'
{% endmacro %}


{% macro record_article_changes(inputs) %}
    {#- Compares the model's inputs with its ledger once, at compile time, and keeps the difference
        for the model's filter and both hooks: each of them comparing again read every article's
        input and ledger rows (five times a model, 0.3-0.6 s per mart on a 100k-article nightly
        that brought nothing). Arrived: an input row not consumed yet (a new article, or a new
        version); departed: a consumed row that is no input any more. -#}
    delete from {{ article_changes() }} where model = '{{ this.identifier }}';
    insert into {{ article_changes() }} (model, article_id, input_version, departed)
    select '{{ this.identifier }}', coalesce(i.article_id, c.article_id),
        coalesce(i.input_version, c.input_version), i.article_id is null
    from ({{ inputs }}) as i
    full join ({{ consumed_inputs() }}) as c
        on i.article_id = c.article_id and i.input_version = c.input_version
    where i.article_id is null or c.article_id is null
{% endmacro %}


{% macro changes_of_this(departed=none) %}
    select article_id, input_version from {{ article_changes() }} where model = '{{ this.identifier }}'
    {%- if departed is not none %} and {{ '' if departed else 'not ' }}departed{% endif %}
{% endmacro %}


{% macro changed_articles(input, version, current_only=true) %}
    {#- The model's filter on article_id: every article on a full build, the arrived ones on an
        incremental build (listed as literals, so the scan of the input reads those rows only).
        Records the build's changes for the hooks (record_article_changes); a kill before the
        model's transaction leaves them to be recorded again by the next build. -#}
    {%- if not is_incremental() -%}
        {{ return('true') }}
    {%- endif -%}
    {%- if execute -%}
        {%- do run_query(article_ledger_ddl() ~ ";\n" ~ record_article_changes(article_inputs(input, version, current_only))) -%}
    {%- endif -%}
    {{ return(listed_keys('article_id', 'select article_id from (' ~ changes_of_this(departed=false) ~ ')')) }}
{% endmacro %}


{% macro forget_changed_articles() %}
    {#- Pre-hook: drop the rows of articles that arrived or departed (record_article_changes). Their
        new rows are appended by the model; an article whose new input yields no rows keeps none,
        which a delete keyed on the model's output could not do. A model with no ledger rows (a
        marts file from before the ledger) sees every article arrive and is emptied first, so rows
        of articles gone meanwhile cannot stay. -#}
    {%- if not is_incremental() or not execute -%}
        {{ return('') }}
    {%- endif -%}
    {%- set state = run_query("select (select count(*) from (" ~ changes_of_this() ~ ")), exists (" ~ consumed_inputs() ~ ")").rows[0] -%}
    {%- if not state[1] -%}
        delete from {{ this }}
    {%- elif state[0] -%}
        delete from {{ this }} where article_id in (select article_id from ({{ changes_of_this() }}))
    {%- endif -%}
{% endmacro %}


{% macro record_article_inputs(input, version, current_only=true) %}
    {#- Post-hook: make the ledger equal the inputs this build consumed: an incremental build
        applies its recorded changes; a full build forgets the model's ledger first, so every
        article is recorded again, unverified. -#}
    {%- if is_incremental() -%}
        {%- if execute and not run_query("select exists (" ~ changes_of_this() ~ ")").rows[0][0] -%}
            {{ return('') }}
        {%- endif -%}
        delete from {{ article_ledger() }}
        where model = '{{ this.identifier }}'
            and (article_id, input_version) in (select article_id, input_version from ({{ changes_of_this(departed=true) }}));
        insert into {{ article_ledger() }} (model, article_id, input_version, verified)
        select '{{ this.identifier }}', article_id, input_version, false from ({{ changes_of_this(departed=false) }})
    {%- else -%}
        {{ article_ledger_ddl() }};
        delete from {{ article_ledger() }} where model = '{{ this.identifier }}';
        delete from {{ article_changes() }} where model = '{{ this.identifier }}';
        insert into {{ article_ledger() }} (model, article_id, input_version, verified)
        select '{{ this.identifier }}', article_id, input_version, false from ({{ article_inputs(input, version, current_only) }})
    {%- endif -%}
{% endmacro %}


{% macro unverified_rows(relation, model, part='true') %}
    {#- A test's input: the rows of ``relation`` (keyed by article_id) of the articles of per-article
        mart ``model`` whose rows no build's tests have passed yet, read by rowid ranges
        (rows_by_key); every row with var('verify_all'). ``part``, a condition on the rows of
        ``relation`` (a rowid range from failing_in_article_parts), bounds the ledger's keys too:
        a part's key list is the part's only, and its rows are read from its own range. -#}
    {%- if var('verify_all', false) -%}
        {{ return('select * from ' ~ relation ~ ' where ' ~ part) }}
    {%- endif -%}
    {%- set in_part = "" if part == 'true' else " and article_id in (select article_id from "
        ~ relation ~ " where " ~ part ~ ")" -%}
    {{ return(rows_by_key(relation, 'article_id', "select article_id from " ~ article_ledger(ref(model).database)
        ~ " where model = '" ~ model ~ "' and not verified" ~ in_part)) }}
{% endmacro %}


{% macro failing_in_article_parts(articles, model, id_column) %}
    {#- A row test that joins article bodies (the caller: a query for the failing rows' id_column,
        which reads ``articles`` through unverified_rows with the part it is given), run over the
        unverified articles of per-article mart ``model`` in parts of at most
        var('articles_per_check_part') while the test compiles; returns a query over the failing
        ids. Joined whole, DuckDB builds its hash table on every body to check, which on a first
        load is every body (594 MB at 100k pages), and a 160 MB cap ran out; a part's hash table is
        bounded. One part (a nightly) is the caller's query itself, run as the test.

        A part is a range of ``articles``' rowids holding that many of the articles to check, so it
        reads the bodies of its range only: parts by a hash of article_id each read every body, and
        a first load's check grew with the square of its size (35 s of 40 for every test at 200k
        bench pages). The ranges are looked up again after the last part: a checkpoint that
        renumbered the rows in between (it vacuums deletes) would have moved articles between
        parts, and the test then stops with an error rather than pass unchecked rows. -#}
    {%- if not execute -%}
        {{ return(caller('true')) }}
    {%- endif -%}
    {%- set unverified = "" if var('verify_all', false) else " and not verified" -%}
    {%- set to_check = run_query("select count(*) from " ~ article_ledger(ref(model).database)
        ~ " where model = '" ~ model ~ "'" ~ unverified) -%}
    {%- set parts = ((to_check.columns[0].values()[0] - 1) // var('articles_per_check_part')) + 1 -%}
    {%- if parts <= 1 -%}
        {{ return(caller('true')) }}
    {%- endif -%}
    {%- set ranges_sql -%}
        with to_check as (
            select rowid as id from {{ articles }}
            {%- if not var('verify_all', false) %}
            where article_id in (
                select article_id from {{ article_ledger(ref(model).database) }}
                where model = '{{ model }}' and not verified
            )
            {%- endif %}
        ),

        numbered as (
            select id, (row_number() over (order by id) - 1) // {{ var('articles_per_check_part') }} as part
            from to_check
        )

        select min(id) as first_rowid, max(id) as last_rowid, count(*) as articles
        from numbered
        group by part
        order by first_rowid
    {%- endset -%}
    {%- set ranges = run_query(ranges_sql).rows | map('list') | list -%}
    {%- set failing = [] -%}
    {%- for first_rowid, last_rowid, _ in ranges -%}
        {%- set found = run_query(caller('rowid between ' ~ first_rowid ~ ' and ' ~ last_rowid)) -%}
        {%- for id in found.columns[0].values() -%}
            {%- do failing.append("'" ~ (id | string | replace("'", "''")) ~ "'") -%}
        {%- endfor -%}
    {%- endfor -%}
    {%- if run_query(ranges_sql).rows | map('list') | list != ranges -%}
        {{ exceptions.raise_compiler_error(articles ~ " was renumbered while " ~ model
            ~ "'s rows were checked in parts; its articles stay unverified for the next build") }}
    {%- endif -%}
    {%- if not failing -%}
        {{ return('select null::varchar as ' ~ id_column ~ ' where false') }}
    {%- endif -%}
    {{ return('select unnest([' ~ failing | join(', ') ~ '])::varchar as ' ~ id_column) }}
{% endmacro %}


{% macro mark_articles_verified(results) %}
    {#- on-run-end: a per-article mart's ledger rows become verified when every test on the mart
        ran in this invocation and passed (or only warned). A failed, skipped or unselected test,
        or a `dbt run` without tests, leaves them to be checked again by the next build. -#}
    {%- if not execute -%}
        {{ return('') }}
    {%- endif -%}
    {%- set outcome = {} -%}
    {%- for result in results if result.node.resource_type == 'test' -%}
        {%- do outcome.update({result.node.unique_id: result.status in ('pass', 'warn')}) -%}
    {%- endfor -%}
    {%- for node in graph.nodes.values() if node.config.meta.get('per_article_mart') -%}
        {%- set checked = namespace(tests=0, passed=true) -%}
        {%- for test in graph.nodes.values()
            if test.resource_type == 'test' and node.unique_id in test.depends_on.nodes -%}
            {%- set checked.tests = checked.tests + 1 -%}
            {%- set checked.passed = checked.passed and outcome.get(test.unique_id, false) -%}
        {%- endfor -%}
        {%- if checked.tests and checked.passed -%}
            {%- do run_query(article_ledger_ddl(node.database) ~ ";\nupdate " ~ article_ledger(node.database)
                ~ " set verified = true where model = '" ~ node.name ~ "' and not verified") -%}
        {%- endif -%}
    {%- endfor -%}
{% endmacro %}


{% macro per_article_mart(input, version, current_only=true) %}
    {#- Makes the calling model a per-article mart (incremental, append, with the two hooks below)
        and returns its filter on article_id (changed_articles). -#}
    {{ config(
        materialized='incremental',
        incremental_strategy='append',
        on_schema_change='fail',
        meta={'per_article_mart': true},
        pre_hook="{{ forget_changed_articles() }}",
        post_hook="{{ record_article_inputs('" ~ input ~ "', '" ~ version ~ "', " ~ current_only ~ ") }}"
    ) }}
    {{- return(changed_articles(input, version, current_only)) -}}
{% endmacro %}
