-- Every measure of each role; where the crosswalk pairs a CMO measure with a
-- CIO measure, one row holds both with their difference, the two-proportion
-- z-test p-value and the significance flag, unadjusted and Holm-adjusted
-- over all tested pairs. Pooled (ALL) measures are in
-- fig05_business_technology_collaboration.
with

measure_shares as (

    select * from {{ ref('int_measure_shares') }}

),

crosswalk as (

    select * from {{ ref('stg_reference__cmo_cio_crosswalk') }}

),

cmo_shares as (

    select * from measure_shares
    where role = 'CMO'

),

cio_shares as (

    select * from measure_shares
    where role = 'CIO'

),

paired as (

    select
        crosswalk.comparison_id,
        crosswalk.crosswalk_type as comparison_type,
        crosswalk.figure_id,
        crosswalk.label_en,
        crosswalk.label_zh,
        crosswalk.cmo_measure_id,
        crosswalk.cio_measure_id
    from crosswalk

),

-- measures of one role that no crosswalk row names
cmo_only as (

    select
        cmo_shares.measure_id as comparison_id,
        'cmo_only' as comparison_type,
        cmo_shares.figure_id,
        cmo_shares.label_en,
        cmo_shares.label_zh,
        cmo_shares.measure_id as cmo_measure_id,
        cast(null as {{ dbt.type_string() }}) as cio_measure_id
    from cmo_shares
    where cmo_shares.measure_id not in (
        select crosswalk.cmo_measure_id from crosswalk
        where crosswalk.cmo_measure_id is not null
    )

),

cio_only as (

    select
        cio_shares.measure_id as comparison_id,
        'cio_only' as comparison_type,
        cio_shares.figure_id,
        cio_shares.label_en,
        cio_shares.label_zh,
        cast(null as {{ dbt.type_string() }}) as cmo_measure_id,
        cio_shares.measure_id as cio_measure_id
    from cio_shares
    where cio_shares.measure_id not in (
        select crosswalk.cio_measure_id from crosswalk
        where crosswalk.cio_measure_id is not null
    )

),

comparisons as (

    select * from paired
    union all
    select * from cmo_only
    union all
    select * from cio_only

),

with_shares as (

    select
        comparisons.*,
        cmo_shares.n_answering as cmo_n_answering,
        cmo_shares.n_selecting as cmo_n_selecting,
        cmo_shares.share_pct as cmo_share_pct,
        cmo_shares.ci_low_pct as cmo_ci_low_pct,
        cmo_shares.ci_high_pct as cmo_ci_high_pct,
        cio_shares.n_answering as cio_n_answering,
        cio_shares.n_selecting as cio_n_selecting,
        cio_shares.share_pct as cio_share_pct,
        cio_shares.ci_low_pct as cio_ci_low_pct,
        cio_shares.ci_high_pct as cio_ci_high_pct,
        coalesce(cmo_shares.display_order, cio_shares.display_order)
            as display_order
    from comparisons
    left join cmo_shares
        on comparisons.cmo_measure_id = cmo_shares.measure_id
    left join cio_shares
        on comparisons.cio_measure_id = cio_shares.measure_id

),

tested as (

    select
        *,
        {{ two_proportion_z(
            'cmo_n_selecting', 'cmo_n_answering',
            'cio_n_selecting', 'cio_n_answering'
        ) }} as z_statistic
    from with_shares

),

with_p_values as (

    select
        comparison_id,
        comparison_type,
        figure_id,
        label_en,
        label_zh,
        cmo_measure_id,
        cmo_n_answering,
        cmo_n_selecting,
        cmo_share_pct,
        cmo_ci_low_pct,
        cmo_ci_high_pct,
        cio_measure_id,
        cio_n_answering,
        cio_n_selecting,
        cio_share_pct,
        cio_ci_low_pct,
        cio_ci_high_pct,
        round(
            {{ share_pct('cmo_n_selecting', 'cmo_n_answering') }}
            - {{ share_pct('cio_n_selecting', 'cio_n_answering') }},
            4
        ) as difference_pct_points,
        round(z_statistic, 6) as z_statistic,
        round({{ two_sided_p_value('z_statistic') }}, 10) as p_value,
        -- Holm adjusts the exact p-values; only the served ones are rounded
        {{ two_sided_p_value('z_statistic') }} as exact_p_value,
        {{ is_significant(two_sided_p_value('z_statistic')) }}
            as is_significant,
        display_order
    from tested

),

-- Holm's step-down correction over the family of tested pairs: the i-th
-- smallest of m p-values is multiplied by m - i + 1, capped at 1, and never
-- falls below the adjusted value before it (ties ordered by comparison_id)
holm_ordered as (

    select
        *,
        count(exact_p_value) over () as tested_pairs,
        row_number() over (
            order by exact_p_value asc nulls last, comparison_id asc
        ) as p_value_order
    from with_p_values

),

holm_adjusted as (

    select
        *,
        case
            when exact_p_value is not null
                then max(
                    least(
                        1.0, (tested_pairs - p_value_order + 1) * exact_p_value
                    )
                ) over (
                    order by p_value_order asc
                    rows between unbounded preceding and current row
                )
        end as holm_p_value
    from holm_ordered

),

final as (

    select
        comparison_id,
        comparison_type,
        figure_id,
        label_en,
        label_zh,
        cmo_measure_id,
        cmo_n_answering,
        cmo_n_selecting,
        cmo_share_pct,
        cmo_ci_low_pct,
        cmo_ci_high_pct,
        cio_measure_id,
        cio_n_answering,
        cio_n_selecting,
        cio_share_pct,
        cio_ci_low_pct,
        cio_ci_high_pct,
        difference_pct_points,
        z_statistic,
        p_value,
        is_significant,
        round(holm_p_value, 10) as p_value_holm,
        {{ is_significant('holm_p_value') }} as is_significant_holm,
        display_order
    from holm_adjusted

)

select * from final
