with

source as (

    select * from {{ source('raw', 'cmo_study_2011_export') }}

),

financial_performance_codes as (

    select
        raw_value,
        option_code
    from {{ ref('stg_reference__answer_options') }}
    where study = 'CMO' and item_code = 'financial_performance'

),

renamed as (

    select
        -- ids
        {{ clean_raw_value('responseid') }} as raw_interview_id,
        {{ clean_raw_value('externalref') }} as panel_id,
        {{ respondent_key("'CMO'", clean_raw_value('responseid')) }}
            as respondent_key,
        'CMO' as study,

        -- interview
        {{ clean_raw_value('status') }} as interview_status,
        {{ parse_export_timestamp(clean_raw_value('startdate'), 'day_first') }}
            as started_at,
        {{ parse_export_timestamp(clean_raw_value('enddate'), 'day_first') }}
            as ended_at,
        {{ raw_number('duration') }} / 60.0 as interview_minutes,
        {{ raw_number('finished', 'int') }} as finished_code,
        {{ raw_number('progress') }} as progress_pct,

        -- profile, in the export's English labels
        {{ clean_raw_value('country') }} as country_name_en,
        {{ clean_raw_value('industry') }} as industry_name_en,
        {{ clean_raw_value('companysize') }} as size_band_label_en,
        {{ clean_raw_value('finperf') }} as financial_performance_code,

        -- answers, under their raw column names
        {%- for answer_column in survey_answer_columns('CMO') %}
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
        coalesce(interview_status = 'Survey Preview', false)
            as is_test_record,
        coalesce(finished_code = 0, false) as is_partial
    from coded

),

{{ screening_flags('flagged') }}
