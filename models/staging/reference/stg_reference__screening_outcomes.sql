with

source as (

    select * from {{ ref('screening_outcomes') }}

),

renamed as (

    select
        {{ as_text('screening_outcome') }} as screening_outcome,
        {{ dbt.safe_cast('outcome_order', dbt.type_int()) }} as outcome_order,
        {{ dbt.safe_cast('is_interviewed', dbt.type_boolean()) }}
            as is_interviewed,
        {{ as_text('label_en') }} as label_en,
        {{ as_text('label_zh') }} as label_zh,
        {{ as_text('description_en') }} as description_en
    from source

)

select * from renamed
