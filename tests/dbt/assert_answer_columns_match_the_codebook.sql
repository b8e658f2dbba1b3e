-- The answer columns staging reads (macro survey_answer_columns) are exactly
-- the raw columns the codebook maps to items (survey_items), per study.
-- Returns each column that one side has and the other lacks.
with

macro_columns as (

    {{ answer_column_rows() }}

),

codebook_columns as (

    select
        study,
        raw_column
    from {{ ref('stg_reference__survey_items') }}

),

only_in_macro as (

    select
        study,
        raw_column,
        'not in survey_items.csv' as problem
    from macro_columns
    where not exists (
        select 1
        from codebook_columns
        where
            codebook_columns.study = macro_columns.study
            and codebook_columns.raw_column = macro_columns.raw_column
    )

),

only_in_codebook as (

    select
        study,
        raw_column,
        'not read by staging (survey_answer_columns)' as problem
    from codebook_columns
    where not exists (
        select 1
        from macro_columns
        where
            macro_columns.study = codebook_columns.study
            and macro_columns.raw_column = codebook_columns.raw_column
    )

)

select * from only_in_macro
union all
select * from only_in_codebook
