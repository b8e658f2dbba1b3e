with

source as (

    select * from {{ ref('industries') }}

),

renamed as (

    select
        {{ as_text('industry_code') }} as industry_code,
        {{ as_text('industry_name_en') }} as industry_name_en,
        {{ as_text('industry_name_zh') }} as industry_name_zh
    from source

)

select * from renamed
