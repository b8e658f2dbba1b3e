with

source as (

    select * from {{ ref('countries') }}

),

renamed as (

    select
        upper({{ as_text('country_code') }}) as country_code,
        {{ as_text('country_name_en') }} as country_name_en,
        {{ as_text('country_name_zh') }} as country_name_zh,
        {{ as_text('region_code') }} as region_code,
        {{ as_text('region_en') }} as region_en,
        {{ as_text('region_zh') }} as region_zh
    from source

)

select * from renamed
