with

source as (

    select * from {{ ref('answer_options') }}

),

renamed as (

    select
        upper({{ as_text('study') }}) as study,
        {{ as_text('item_code') }} as item_code,
        {{ clean_raw_value('raw_value') }} as raw_value,
        {{ as_text('option_code') }} as option_code,
        {{ as_text('label_en') }} as label_en,
        {{ as_text('label_zh') }} as label_zh,
        {{ dbt.safe_cast('sort_order', dbt.type_int()) }} as sort_order
    from source

)

select * from renamed
