with

source as (

    select * from {{ ref('company_size_bands') }}

),

renamed as (

    select
        {{ as_text('size_band_code') }} as size_band_code,
        {{ as_text('label_en') }} as size_band_en,
        {{ as_text('label_zh') }} as size_band_zh,
        {{ dbt.safe_cast('min_employees', dbt.type_int()) }} as min_employees,
        {{ dbt.safe_cast('max_employees', dbt.type_int()) }} as max_employees
    from source

)

select * from renamed
