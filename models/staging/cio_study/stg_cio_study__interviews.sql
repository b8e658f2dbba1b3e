with

source as (

    select * from {{ source('raw', 'cio_study_2011_export') }}

),

financial_performance_codes as (

    select
        raw_value,
        option_code
    from {{ ref('stg_reference__answer_options') }}
    where study = 'CIO' and item_code = 'financial_performance'

),

renamed as (

    select
        -- ids
        {{ clean_raw_value('resp_id') }} as raw_interview_id,
        {{ clean_raw_value('panel_uid') }} as panel_id,
        {{ respondent_key("'CIO'", clean_raw_value('resp_id')) }}
            as respondent_key,
        'CIO' as study,

        -- interview
        {{ clean_raw_value('interviewer_id') }} as interviewer_id,
        {{ parse_export_timestamp(clean_raw_value('interview_start'), 'iso') }}
            as started_at,
        {{ raw_number('interview_minutes') }} as interview_minutes,
        {{ clean_raw_value('disposition') }} as disposition_code,

        -- profile, in codebook codes
        upper({{ clean_raw_value('country_iso') }}) as country_code,
        {{ clean_raw_value('industry_code') }} as industry_code,
        {{ clean_raw_value('emp_band') }} as size_band_code,
        upper({{ clean_raw_value('fin_perf') }}) as financial_performance_code,

        -- answers, under their raw column names
        {%- for answer_column in survey_answer_columns('CIO') %}
            {{ clean_raw_value(answer_column) }} as {{ answer_column | lower }}
            {%- if not loop.last %},{% endif %}
        {%- endfor %}

    from source

),

-- the performance codes of each export, through the codebook
coded as (

    select
        renamed.*,
        financial_performance_codes.option_code as financial_performance
    from renamed
    left join financial_performance_codes
        on
            renamed.financial_performance_code
            = financial_performance_codes.raw_value

),

flagged as (

    select
        *,
        coalesce(upper(interviewer_id) like 'TEST%', false)
            as is_test_record,
        coalesce(upper(disposition_code) = 'P', false) as is_partial
    from coded

),

{{ screening_flags('flagged') }}
