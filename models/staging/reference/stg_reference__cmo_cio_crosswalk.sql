with

source as (

    select * from {{ ref('cmo_cio_crosswalk') }}

),

renamed as (

    select
        {{ as_text('comparison_id') }} as comparison_id,
        {{ as_text('figure_id') }} as figure_id,
        {{ as_text('crosswalk_type') }} as crosswalk_type,
        nullif({{ as_text('cmo_measure_id') }}, '') as cmo_measure_id,
        nullif({{ as_text('cio_measure_id') }}, '') as cio_measure_id,
        {{ as_text('label_en') }} as label_en,
        {{ as_text('label_zh') }} as label_zh
    from source

)

select * from renamed
