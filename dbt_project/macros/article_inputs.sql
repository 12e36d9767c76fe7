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


{% macro ensure_article_ledger() %}
    {#- An incremental model whose ledger is missing (an older marts file) sees every article as
        unconsumed and so rewrites itself whole: slow once, never wrong. -#}
    {%- do run_query(article_ledger_ddl()) -%}
{% endmacro %}


{% macro article_ledger_ddl(database=none) %}
    {%- set database = database or this.database -%}
    create schema if not exists {{ database }}.ledger;
    create table if not exists {{ article_ledger(database) }}
        (model varchar not null, article_id varchar not null, input_version varchar not null);
    {#- Ledgers from before the column: their rows were checked by the builds that wrote them. #}
    alter table {{ article_ledger(database) }} add column if not exists verified boolean default true
{% endmacro %}


{% macro consumed_inputs() %}
    select article_id, input_version from {{ article_ledger() }} where model = '{{ this.identifier }}'
{% endmacro %}


{% macro unconsumed_articles(inputs) %}
    {#- Articles whose input row this model has not consumed yet: new, or re-enriched since. -#}
    select article_id from ({{ inputs }} except {{ consumed_inputs() }})
{% endmacro %}


{% macro changed_articles(input, version, current_only=true) %}
    {#- The model's filter on article_id: every article on a full build, the unconsumed ones on an
        incremental build (listed as literals, so the scan of the input reads those rows only). -#}
    {%- if not is_incremental() -%}
        {{ return('true') }}
    {%- endif -%}
    {%- if execute -%}
        {%- do ensure_article_ledger() -%}
    {%- endif -%}
    {{ return(listed_keys('article_id', unconsumed_articles(article_inputs(input, version, current_only)))) }}
{% endmacro %}


{% macro forget_changed_articles(input, version, current_only=true) %}
    {#- Pre-hook: drop the rows of articles that changed or are gone. Their new rows are appended by
        the model; an article whose new input yields no rows keeps none, which a delete keyed on
        the model's output could not do. -#}
    {%- if is_incremental() -%}
        {%- set inputs = article_inputs(input, version, current_only) -%}
        delete from {{ this }}
        where article_id in ({{ unconsumed_articles(inputs) }})
            or article_id not in (select article_id from ({{ inputs }}))
    {%- endif -%}
{% endmacro %}


{% macro record_article_inputs(input, version, current_only=true) %}
    {#- Post-hook: make the ledger equal the inputs this build consumed. A full build forgets the
        model's ledger first, so every article is recorded again, unverified. -#}
    {%- set inputs = article_inputs(input, version, current_only) -%}
    {{ article_ledger_ddl() }};
    delete from {{ article_ledger() }}
    where model = '{{ this.identifier }}'
    {%- if is_incremental() %}
        and (article_id, input_version) not in (select article_id, input_version from ({{ inputs }}))
    {%- endif %};
    insert into {{ article_ledger() }} (model, article_id, input_version, verified)
    select '{{ this.identifier }}', article_id, input_version, false
    from ({{ inputs }} except {{ consumed_inputs() }})
{% endmacro %}


{% macro unverified_rows(relation, model) %}
    {#- A test's input: the rows of ``relation`` (keyed by article_id) of the articles of per-article
        mart ``model`` whose rows no build's tests have passed yet, read by rowid ranges
        (rows_by_key); every row with var('verify_all'). -#}
    {%- if var('verify_all', false) -%}
        {{ return('select * from ' ~ relation) }}
    {%- endif -%}
    {{ return(rows_by_key(relation, 'article_id', "select article_id from " ~ article_ledger(ref(model).database)
        ~ " where model = '" ~ model ~ "' and not verified")) }}
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
        pre_hook="{{ forget_changed_articles('" ~ input ~ "', '" ~ version ~ "', " ~ current_only ~ ") }}",
        post_hook="{{ record_article_inputs('" ~ input ~ "', '" ~ version ~ "', " ~ current_only ~ ") }}"
    ) }}
    {{- return(changed_articles(input, version, current_only)) -}}
{% endmacro %}
