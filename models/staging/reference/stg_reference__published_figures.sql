with

source as (

    select * from {{ ref('published_figures') }}

),

renamed as (

    select
        {{ as_text('figure_id') }} as figure_id,
        {{ as_text('measure_id') }} as measure_id,
        upper({{ as_text('role') }}) as role,
        {{ as_text('statistic') }} as statistic,
        {{ dbt.safe_cast('value', dbt.type_float()) }} as reference_value,
        {{ as_text('status') }} as reference_status,
        {{ as_text('source') }} as source,
        {{ as_text('note') }} as note
    from source

)

select * from renamed
