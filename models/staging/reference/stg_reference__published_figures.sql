-- The report's numbers. Audited data other than the 2011 interviews (a
-- benchmark's generated ones, say) cannot have the report's sample: their
-- fig01 counts come from var sample_counts, {measure_id: {role: count}} as
-- their generator expects them, and are then exact counts.
with

source as (

    select * from {{ ref('published_figures') }}

),

expected_sample_counts as (

    {{ sample_counts_rows(var('sample_counts', {})) }}

),

renamed as (

    select
        {{ as_text('source.figure_id') }} as figure_id,
        {{ as_text('source.measure_id') }} as measure_id,
        upper({{ as_text('source.role') }}) as role,
        case
            when expected_sample_counts.count_value is not null then 'count'
            else {{ as_text('source.statistic') }}
        end as statistic,
        coalesce(
            expected_sample_counts.count_value,
            {{ dbt.safe_cast('source.value', dbt.type_float()) }}
        ) as reference_value,
        {{ as_text('source.status') }} as reference_status,
        case
            when expected_sample_counts.count_value is not null
                then 'var sample_counts: the count the data generator expects'
            else {{ as_text('source.source') }}
        end as source,
        {{ as_text('source.note') }} as note
    from source
    left join expected_sample_counts
        on
            {{ as_text('source.figure_id') }} = 'fig01'
            and {{ as_text('source.measure_id') }}
            = expected_sample_counts.measure_id
            and upper({{ as_text('source.role') }})
            = expected_sample_counts.role

)

select * from renamed
