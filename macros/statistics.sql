{#-
    Survey statistics in SQL. Every macro takes column names or expressions
    and returns an expression; percentages are 0-100.
-#}

{#- 95% two-sided standard normal quantile. -#}
{% macro z_95() -%}
    1.959963984540054
{%- endmacro %}


{#-
    100 * k / n, NULL when nobody answered; in double precision on every
    engine (Spark would otherwise divide decimals).
-#}
{% macro share_pct(n_selecting, n_answering) -%}
    case
        when {{ n_answering }} > 0
            then 100.0
                * cast({{ n_selecting }} as {{ dbt.type_float() }})
                / {{ n_answering }}
    end
{%- endmacro %}


{#-
    Wilson score interval bound (side 'low' or 'high') in percent:
    (p + z²/2n -/+ z * sqrt(p(1-p)/n + z²/4n²)) / (1 + z²/n).
-#}
{% macro wilson_bound_pct(n_selecting, n_answering, side) -%}
    {%- set n = "cast(" ~ n_answering ~ " as " ~ dbt.type_float() ~ ")" -%}
    {%- set p = "(" ~ n_selecting ~ " / " ~ n ~ ")" -%}
    {%- set z = z_95() -%}
    {%- set sign = '-' if side == 'low' else '+' -%}
    case
        when not {{ n_answering }} > 0 then null
        -- the bound at the edge is exact: no float residue such as -0.0
        {% if side == 'low' -%}
        when {{ n_selecting }} = 0 then 0.0
        {%- else -%}
        when {{ n_selecting }} = {{ n_answering }} then 100.0
        {%- endif %}
        else 100.0 * (
            {{ p }} + {{ z }} * {{ z }} / (2 * {{ n }})
            {{ sign }} {{ z }} * sqrt(
                {{ p }} * (1 - {{ p }}) / {{ n }}
                + {{ z }} * {{ z }} / (4 * {{ n }} * {{ n }})
            )
        ) / (1 + {{ z }} * {{ z }} / {{ n }})
    end
{%- endmacro %}


{#-
    z statistic of the pooled two-proportion test; NULL when a group is
    empty, 0 when both groups agree entirely (all or none selecting).
-#}
{% macro two_proportion_z(k1, n1, k2, n2) -%}
    {%- set pooled = "(cast(" ~ k1 ~ " + " ~ k2 ~ " as " ~ dbt.type_float()
        ~ ") / (" ~ n1 ~ " + " ~ n2 ~ "))" -%}
    case
        when {{ n1 }} > 0 and {{ n2 }} > 0 and {{ pooled }} in (0, 1)
            then 0.0
        when {{ n1 }} > 0 and {{ n2 }} > 0
            then (
                cast({{ k1 }} as {{ dbt.type_float() }}) / {{ n1 }}
                - cast({{ k2 }} as {{ dbt.type_float() }}) / {{ n2 }}
            ) / sqrt(
                {{ pooled }} * (1 - {{ pooled }})
                * (1.0 / {{ n1 }} + 1.0 / {{ n2 }})
            )
    end
{%- endmacro %}


{#- Two-sided p-value of a z statistic: 2 * Phi(-|z|). -#}
{% macro two_sided_p_value(z) -%}
    2 * {{ normal_cdf("-abs(" ~ z ~ ")") }}
{%- endmacro %}


{#- Standard normal CDF; engines without one use the approximation below. -#}
{% macro normal_cdf(x) -%}
    {{ return(adapter.dispatch('normal_cdf', 'cmo_cio_warehouse')(x)) }}
{%- endmacro %}


{#-
    Hart's double-precision approximation of the normal CDF (Hart 1968,
    algorithm 5666, as given by G. West, "Better approximations to cumulative
    normal functions", 2005): absolute error below 1e-14, and the tail is
    computed directly, so small p-values keep their relative precision.
-#}
{% macro default__normal_cdf(x) -%}
    {%- set a = "abs(" ~ x ~ ")" -%}
    {%- set numerator_coefficients = [
        0.0352624965998911, 0.700383064443688, 6.37396220353165,
        33.912866078383, 112.079291497871, 221.213596169931,
        220.206867912376,
    ] -%}
    {%- set denominator_coefficients = [
        0.0883883476483184, 1.75566716318264, 16.064177579207,
        86.7807322029461, 296.564248779674, 637.333633378831,
        793.826512519948, 440.413735824752,
    ] -%}
    {%- set ns = namespace(numerator='', denominator='') -%}
    {%- for coefficient in numerator_coefficients -%}
        {%- if loop.first -%}
            {%- set ns.numerator = coefficient | string -%}
        {%- else -%}
            {%- set ns.numerator = "(" ~ ns.numerator ~ ") * " ~ a ~ " + "
                ~ coefficient -%}
        {%- endif -%}
    {%- endfor -%}
    {%- for coefficient in denominator_coefficients -%}
        {%- if loop.first -%}
            {%- set ns.denominator = coefficient | string -%}
        {%- else -%}
            {%- set ns.denominator = "(" ~ ns.denominator ~ ") * " ~ a
                ~ " + " ~ coefficient -%}
        {%- endif -%}
    {%- endfor -%}
    {%- set lower_tail -%}
        case
            when {{ a }} > 37 then 0.0
            when {{ a }} < 7.07106781186547
                then exp(-{{ a }} * {{ a }} / 2)
                * ({{ ns.numerator }}) / ({{ ns.denominator }})
            else exp(-{{ a }} * {{ a }} / 2) / (
                {{ a }} + 1 / (
                    {{ a }} + 2 / (
                        {{ a }} + 3 / ({{ a }} + 4 / ({{ a }} + 0.65))
                    )
                )
            ) / 2.506628274631
        end
    {%- endset -%}
    case
        when {{ x }} > 0 then 1 - ({{ lower_tail }})
        else {{ lower_tail }}
    end
{%- endmacro %}


{#- p < 0.05, NULL where no test was possible. -#}
{% macro is_significant(p_value) -%}
    case when {{ p_value }} is not null then {{ p_value }} < 0.05 end
{%- endmacro %}


{#-
    share_pct, ci_low_pct and ci_high_pct of a proportion, in percent to
    4 decimals (a millionth of a proportion): more than any chart needs, and
    exact enough to reproduce reference values in unit tests.
-#}
{% macro proportion_columns(n_selecting, n_answering) -%}
    round({{ share_pct(n_selecting, n_answering) }}, 4) as share_pct,
    round(
        {{ wilson_bound_pct(n_selecting, n_answering, 'low') }}, 4
    ) as ci_low_pct,
    round(
        {{ wilson_bound_pct(n_selecting, n_answering, 'high') }}, 4
    ) as ci_high_pct
{%- endmacro %}
