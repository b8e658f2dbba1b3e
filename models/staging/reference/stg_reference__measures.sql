with

source as (

    select * from {{ ref('measures') }}

),

renamed as (

    select
        {{ as_text('measure_id') }} as measure_id,
        upper({{ as_text('role') }}) as role,
        {{ as_text('figure_id') }} as figure_id,
        {{ as_text('item_code') }} as item_code,
        {{ as_text('sub_item_code') }} as sub_item_code,
        {{ as_text('selected_option_codes') }} as selected_option_codes,
        nullif(
            lower({{ as_text('financial_performance_filter') }}), ''
        ) as financial_performance_filter,
        {{ dbt.safe_cast('is_technology_based', dbt.type_boolean()) }}
            as is_technology_based,
        {{ as_text('label_en') }} as label_en,
        {{ as_text('label_zh') }} as label_zh,
        {{ dbt.safe_cast('display_order', dbt.type_int()) }} as display_order
    from source

)

select * from renamed
