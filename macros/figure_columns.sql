{#-
    The columns every figure mart shares (docs/design.md, "Marts"), selected
    from a relation shaped like int_measure_shares.
-#}
{% macro figure_columns(relation, figure_id=none) -%}
    {%- if figure_id -%}
        '{{ figure_id }}' as figure_id,
    {%- else -%}
        {{ relation }}.figure_id,
    {%- endif %}
    {{ relation }}.measure_id,
    {{ relation }}.role,
    {{ relation }}.label_en,
    {{ relation }}.label_zh,
    {{ relation }}.n_answering,
    {{ relation }}.n_selecting,
    {{ relation }}.share_pct,
    {{ relation }}.ci_low_pct,
    {{ relation }}.ci_high_pct,
    {{ relation }}.reference_statistic,
    {{ relation }}.reference_value,
    {{ relation }}.reference_status
{%- endmacro %}
