with

source as (

    select * from {{ ref('survey_items') }}

),

renamed as (

    select
        upper({{ as_text('study') }}) as study,
        {{ as_text('raw_column') }} as raw_column,
        {{ as_text('item_code') }} as item_code,
        {{ as_text('sub_item_code') }} as sub_item_code,
        {{ as_text('answer_type') }} as answer_type,
        {{ as_text('figure_id') }} as figure_id,
        {{ as_text('question_en') }} as question_en,
        {{ as_text('question_zh') }} as question_zh,
        {{ as_text('sub_item_en') }} as sub_item_en,
        {{ as_text('sub_item_zh') }} as sub_item_zh
    from source

)

select * from renamed
