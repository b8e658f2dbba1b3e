-- =============================================================================
-- The warehouse's computations written by hand in DuckDB, in one pass.
--
-- The performance baseline of the scale benchmark ("the same work written by
-- hand in DuckDB") and an independent recomputation of the dbt marts
-- (bench/compare_with_marts.py holds the two equal). It follows docs/design.md
-- and reproduces, value for value:
--   screening_summary;
--   survey_responses, the long grain of qualified answers (int_survey_responses,
--     microdata.fct_survey_response), as small integers that the view
--     survey_responses_labelled spells out (raw_value aside);
--   measure_shares (int_measure_shares, so the rows of every fig0* mart);
--   cmo_cio_comparison; segment_comparison.
--
-- Placeholders, substituted by bench/handwritten.py (quotes already doubled):
--   {cmo_export}     the CMO export, CSV or Parquet
--   {cio_export}     the CIO export, CSV or Parquet
--   {reference_dir}  the codebook CSVs (seeds/reference)
-- Constants of dbt_project.yml: speeder_median_ratio 0.4, min_cell_n 10.
--
-- The plan: read each export once into `interviews` (one row per interview:
-- its screening inputs, its profile in codebook codes, and its answers
-- looked up in the codebook as they are read, a byte per answer); screen on
-- a few columns of that table; unnest the answers of qualified interviews
-- once into `survey_responses`, a long grain of small integers; count
-- answers per profile cell before joining the measures, so that every
-- share, segment and test afterwards works on aggregates (a few hundred
-- thousand rows at 1M interviews per study, tens of thousands at the 2011
-- size).
-- Only the screening inputs (`interviews`, `screening`, `profiles`) are
-- temporary tables; everything else stays in the database.
-- =============================================================================

-- as the dbt profile (profiles.yml): tables need not keep the order rows
-- were produced in, so large inserts run in parallel
set preserve_insertion_order = false;

set variable cmo_export = '{cmo_export}';
set variable cio_export = '{cio_export}';
set variable reference_dir = '{reference_dir}';
set variable speeder_median_ratio = 0.4;
set variable min_cell_n = 10;


-- -----------------------------------------------------------------------------
-- Helpers: the cleaning and statistics macros of macros/*.sql, written as
-- DuckDB macros with the same expressions, so values agree to the last bit.
-- -----------------------------------------------------------------------------

-- A raw cell as clean text: trimmed; empty, NA, N/A, -99 and -98 as NULL;
-- integral numbers without decimals ('3.0' -> '3') (macro clean_raw_value).
create or replace temp macro clean_cell(v) as (
    case
        when trim(v) in ('', 'NA', 'N/A') then null
        when try_cast(trim(v) as double) in (-99, -98) then null
        when try_cast(trim(v) as double) = floor(try_cast(trim(v) as double))
            and trim(v) like '%.%'
            then cast(cast(try_cast(trim(v) as double) as bigint) as varchar)
        else trim(v)
    end
);

-- An export timestamp in its layout, or ISO (macro parse_export_timestamp).
create or replace temp macro parse_export_timestamp(v, layout) as coalesce(
    try_strptime(v, layout),
    try_strptime(v, '%Y-%m-%d %H:%M:%S'),
    try_strptime(v, '%Y-%m-%dT%H:%M')
);

-- share and Wilson 95% bounds in percent (macros share_pct, wilson_bound_pct)
create or replace temp macro share_pct(k, n) as
    case when n > 0 then 100.0 * k / n end;

create or replace temp macro wilson_low_pct(k, n) as
    case
        when not n > 0 then null
        when k = 0 then 0.0
        else 100.0 * (
            (k / cast(n as double))
            + 1.959963984540054 * 1.959963984540054 / (2 * cast(n as double))
            - 1.959963984540054 * sqrt(
                (k / cast(n as double)) * (1 - (k / cast(n as double)))
                / cast(n as double)
                + 1.959963984540054 * 1.959963984540054
                / (4 * cast(n as double) * cast(n as double))
            )
        ) / (1 + 1.959963984540054 * 1.959963984540054 / cast(n as double))
    end;

create or replace temp macro wilson_high_pct(k, n) as
    case
        when not n > 0 then null
        when k = n then 100.0
        else 100.0 * (
            (k / cast(n as double))
            + 1.959963984540054 * 1.959963984540054 / (2 * cast(n as double))
            + 1.959963984540054 * sqrt(
                (k / cast(n as double)) * (1 - (k / cast(n as double)))
                / cast(n as double)
                + 1.959963984540054 * 1.959963984540054
                / (4 * cast(n as double) * cast(n as double))
            )
        ) / (1 + 1.959963984540054 * 1.959963984540054 / cast(n as double))
    end;

-- pooled two-proportion z statistic (macro two_proportion_z)
create or replace temp macro two_proportion_z(k1, n1, k2, n2) as
    case
        when n1 > 0 and n2 > 0
            and (cast(k1 + k2 as double) / (n1 + n2)) in (0, 1)
            then 0.0
        when n1 > 0 and n2 > 0
            then (cast(k1 as double) / n1 - cast(k2 as double) / n2) / sqrt(
                (cast(k1 + k2 as double) / (n1 + n2))
                * (1 - (cast(k1 + k2 as double) / (n1 + n2)))
                * (1.0 / n1 + 1.0 / n2)
            )
    end;

-- Lower tail Phi(-a) of the standard normal for a >= 0: Hart's algorithm
-- 5666 as in macro default__normal_cdf, same coefficients, same order.
create or replace temp macro normal_lower_tail(a) as
    case
        when a > 37 then 0.0
        when a < 7.07106781186547
            then exp(-a * a / 2)
            * (((((((0.0352624965998911) * a + 0.700383064443688) * a
                + 6.37396220353165) * a + 33.912866078383) * a
                + 112.079291497871) * a + 221.213596169931) * a
                + 220.206867912376)
            / ((((((((0.0883883476483184) * a + 1.75566716318264) * a
                + 16.064177579207) * a + 86.7807322029461) * a
                + 296.564248779674) * a + 637.333633378831) * a
                + 793.826512519948) * a + 440.413735824752)
        else exp(-a * a / 2) / (
            a + 1 / (a + 2 / (a + 3 / (a + 4 / (a + 0.65))))
        ) / 2.506628274631
    end;

-- two-sided p-value 2 * Phi(-|z|)
create or replace temp macro two_sided_p_value(z) as
    2 * normal_lower_tail(abs(z));


-- -----------------------------------------------------------------------------
-- Codebook (seeds/reference), typed and trimmed as staging does.
-- -----------------------------------------------------------------------------

create or replace temp macro reference_csv(name) as table
    select * from read_csv(
        getvariable('reference_dir') || '/' || name || '.csv',
        header = true, all_varchar = true
    );

create table ref_screening_outcomes as
select
    trim(screening_outcome) as screening_outcome,
    try_cast(outcome_order as integer) as outcome_order,
    try_cast(is_interviewed as boolean) as is_interviewed
from reference_csv('screening_outcomes');

create table ref_survey_items as
select
    upper(trim(study)) as study,
    trim(raw_column) as raw_column,
    trim(item_code) as item_code,
    trim(sub_item_code) as sub_item_code,
    trim(answer_type) as answer_type,
    trim(figure_id) as figure_id
from reference_csv('survey_items');

create table ref_answer_options as
select
    upper(trim(study)) as study,
    trim(item_code) as item_code,
    clean_cell(raw_value) as raw_value,
    trim(option_code) as option_code,
    trim(label_en) as label_en,
    trim(label_zh) as label_zh,
    try_cast(sort_order as integer) as sort_order
from reference_csv('answer_options');

create table ref_measures as
select
    trim(measure_id) as measure_id,
    upper(trim(role)) as role,
    trim(figure_id) as figure_id,
    trim(item_code) as item_code,
    trim(sub_item_code) as sub_item_code,
    -- the options a measure counts as selecting, matched exactly
    string_split(trim(selected_option_codes), '|') as selected_options,
    nullif(lower(trim(financial_performance_filter)), '')
        as financial_performance_filter,
    try_cast(is_technology_based as boolean) as is_technology_based,
    trim(label_en) as label_en,
    trim(label_zh) as label_zh,
    try_cast(display_order as integer) as display_order
from reference_csv('measures');

create table ref_countries as
select
    upper(trim(country_code)) as country_code,
    trim(country_name_en) as country_name_en,
    trim(region_code) as region_code,
    trim(region_en) as region_en,
    trim(region_zh) as region_zh
from reference_csv('countries');

create table ref_industries as
select
    trim(industry_code) as industry_code,
    trim(industry_name_en) as industry_name_en,
    trim(industry_name_zh) as industry_name_zh
from reference_csv('industries');

create table ref_size_bands as
select
    trim(size_band_code) as size_band_code,
    trim(label_en) as size_band_en,
    trim(label_zh) as size_band_zh
from reference_csv('company_size_bands');

create table ref_crosswalk as
select
    trim(comparison_id) as comparison_id,
    trim(figure_id) as figure_id,
    trim(crosswalk_type) as crosswalk_type,
    nullif(trim(cmo_measure_id), '') as cmo_measure_id,
    nullif(trim(cio_measure_id), '') as cio_measure_id,
    trim(label_en) as label_en,
    trim(label_zh) as label_zh
from reference_csv('cmo_cio_crosswalk');

create table ref_published_figures as
select
    trim(measure_id) as measure_id,
    upper(trim(role)) as role,
    trim(statistic) as statistic,
    try_cast(value as double) as reference_value,
    trim(status) as reference_status
from reference_csv('published_figures');

-- -----------------------------------------------------------------------------
-- The questionnaire as the long grain stores it: one row per role x item x
-- sub-item (dim_survey_item) with a small integer id, and one row per answer
-- of each sub-item with a small option index, so that the long grain holds
-- four integers a row instead of eight text columns. Numbering:
--   sub_item_id  100 + n  the n-th CMO answer column below
--                200 + n  the n-th CIO answer column below
--                300 + n  the CMO force of the n-th force code of the codebook
--                         (the CMO export ranks forces by code in Q3_R1..R3)
--   option_index 1..k     the codebook's answers of the sub-item's item, in
--                         sort order; for a CMO force 1, 2, 3 = ranked first,
--                         second, third, 4 = not ranked
--                0        an answer the codebook does not know (option NULL)
--                NULL     unanswered
-- -----------------------------------------------------------------------------

create or replace temp macro answer_sub_item_id(study, position) as
    case study when 'CMO' then 100 when 'CIO' then 200 end + position;

create or replace temp macro force_sub_item_id(force_number) as
    300 + force_number;

-- A raw cell as its option index among `codes`, the clean codebook codes of
-- its column (see the numbering above). A cell that is a code as it stands
-- (nearly all of them) is found at once, since cleaning leaves a clean code
-- as it is; only the others are cleaned first.
create or replace temp macro option_index(cell, codes) as
    case
        when cell is not null then coalesce(
            list_position(codes, cell),
            case
                when clean_cell(cell) is not null
                    then coalesce(list_position(codes, clean_cell(cell)), 0)
            end
        )
    end;

-- The answer columns of each export in the order `interviews.answers` holds
-- them (the columns of models/staging/_raw__sources.yml marked as answers,
-- less the CMO ranking, which is kept apart and reshaped to forces).
create table export_answer_columns as
with exports as (
    select
        'CMO' as study,
        [
            'Q2_1', 'Q2_2', 'Q4', 'Q5',
            'Q6_1', 'Q6_2', 'Q6_3', 'Q6_4', 'Q6_5', 'Q6_6',
            'Q7_1', 'Q7_2', 'Q7_3', 'Q7_4', 'Q7_5', 'Q7_6', 'Q7_7',
            'Q7_8', 'Q7_9', 'Q7_10', 'Q7_11', 'Q7_12', 'Q7_13',
            'Q8', 'Q9_1', 'Q9_2', 'Q9_3', 'Q9_4', 'Q9_5', 'Q9_6'
        ] as raw_columns
    union all
    select
        'CIO' as study,
        [
            'B1', 'B2',
            'C1_01', 'C1_02', 'C1_03', 'C1_04', 'C1_05', 'C1_06',
            'C1_07', 'C1_08', 'C1_09', 'C2', 'C3', 'D1',
            'D2_01', 'D2_02', 'D2_03', 'D2_04', 'D2_05', 'D2_06',
            'D2_07', 'D2_08', 'D2_09', 'D2_10', 'D2_11', 'D2_12'
        ] as raw_columns
)
select
    study,
    unnest(raw_columns) as raw_column,
    generate_subscripts(raw_columns, 1) as position
from exports;

-- the list above and the codebook must agree, column for column
select error(
    'answer columns without a row in survey_items.csv: '
    || string_agg(columns.study || ' ' || columns.raw_column, ', ')
)
from export_answer_columns as columns
anti join ref_survey_items as items
    on columns.study = items.study and columns.raw_column = items.raw_column
having count(*) > 0;

create table survey_items as
with

cmo_force_codes as (
    select
        raw_value,
        option_code,
        row_number() over (order by sort_order, raw_value) as force_number
    from ref_answer_options
    where study = 'CMO' and item_code = 'external_forces'
),

cmo_ranking_question as (
    select answer_type, figure_id
    from ref_survey_items
    where study = 'CMO' and item_code = 'external_forces'
        and sub_item_code = 'rank_1'
)

select
    answer_sub_item_id(columns.study, columns.position) as sub_item_id,
    columns.study as role,
    items.item_code,
    items.sub_item_code,
    items.answer_type,
    items.figure_id,
    columns.position,
    null::bigint as force_number,
    null::varchar as force_code
from export_answer_columns as columns
inner join ref_survey_items as items
    on columns.study = items.study and columns.raw_column = items.raw_column
union all
select
    force_sub_item_id(forces.force_number),
    'CMO',
    'external_forces',
    forces.option_code,
    question.answer_type,
    question.figure_id,
    null,
    forces.force_number,
    forces.raw_value
from cmo_force_codes as forces
cross join cmo_ranking_question as question;

create table answer_values as
select
    items.sub_item_id,
    row_number() over (
        partition by items.sub_item_id
        order by options.sort_order, options.raw_value
    ) as option_index,
    options.raw_value,
    options.option_code,
    case
        when items.answer_type = 'top3_ranking'
            then try_cast(options.option_code as integer)
    end as rank_position
from survey_items as items
inner join ref_answer_options as options
    on items.role = options.study and items.item_code = options.item_code
where items.position is not null
union all
select
    items.sub_item_id,
    ranks.option_index,
    null,
    ranks.option_code,
    try_cast(ranks.option_code as integer)
from survey_items as items
cross join (
    values (1, '1'), (2, '2'), (3, '3'), (4, 'not_ranked')
) as ranks (option_index, option_code)
where items.force_number is not null;

-- the codes of each answer column, by position, to index cells as they are read
set variable cmo_answer_codes = (
    select list(codes order by position)
    from (
        select
            items.position,
            list(answer_values.raw_value order by answer_values.option_index)
                as codes
        from survey_items as items
        left join answer_values on items.sub_item_id = answer_values.sub_item_id
        where items.role = 'CMO' and items.position is not null
        group by items.position
    )
);

set variable cio_answer_codes = (
    select list(codes order by position)
    from (
        select
            items.position,
            list(answer_values.raw_value order by answer_values.option_index)
                as codes
        from survey_items as items
        left join answer_values on items.sub_item_id = answer_values.sub_item_id
        where items.role = 'CIO' and items.position is not null
        group by items.position
    )
);

set variable cmo_force_codes = (
    select list(force_code order by force_number)
    from survey_items
    where force_number is not null
);


-- -----------------------------------------------------------------------------
-- 1. Read each export once: one row per interview of both studies, with its
--    screening inputs, its profile in codebook codes and its answers as
--    option indexes (a byte each). Its rowid is the respondent key.
-- -----------------------------------------------------------------------------

-- An answer cell as the option index of the answer column at `position`
-- (the order of export_answer_columns), and a ranking cell as its force
-- number. The code lists are constants: each lookup is one list_position.
create or replace temp macro cmo_answer(cell, position) as
    option_index(cell, getvariable('cmo_answer_codes')[position]);

create or replace temp macro cio_answer(cell, position) as
    option_index(cell, getvariable('cio_answer_codes')[position]);

create or replace temp macro cmo_force(cell) as
    option_index(cell, getvariable('cmo_force_codes'));

-- CSV or Parquet by the file's extension; every column as text
create or replace temp macro export_reader(variable_name) as
    case
        when lower(getvariable(variable_name)) like '%.parquet'
            then 'select columns(*)::varchar from read_parquet(getvariable('''
                || variable_name || '''))'
        else 'from read_csv(getvariable(''' || variable_name
            || '''), header = true, all_varchar = true)'
    end;

create temp table interviews as
with

cmo_export as (from query(export_reader('cmo_export'))),

cio_export as (from query(export_reader('cio_export'))),

financial_performance_codes as (
    select study, raw_value, option_code
    from ref_answer_options
    where item_code = 'financial_performance'
),

cmo as (
    select
        'CMO' as study,
        clean_cell(ResponseID) as raw_interview_id,
        clean_cell(ExternalRef) as panel_id,
        parse_export_timestamp(clean_cell(StartDate), '%d/%m/%Y %H:%M')
            as started_at,
        try_cast(clean_cell(Duration) as double) / 60.0 as interview_minutes,
        coalesce(clean_cell(Status) = 'Survey Preview', false)
            as is_test_record,
        coalesce(
            try_cast(try_cast(clean_cell(Finished) as double) as integer) = 0,
            false
        ) as is_partial,
        -- the profile: English names of the codebook to codes
        countries.country_code,
        countries.region_code,
        industries.industry_code,
        size_bands.size_band_code,
        performance.option_code as financial_performance,
        [
            cmo_answer(Q2_1, 1), cmo_answer(Q2_2, 2), cmo_answer(Q4, 3),
            cmo_answer(Q5, 4), cmo_answer(Q6_1, 5), cmo_answer(Q6_2, 6),
            cmo_answer(Q6_3, 7), cmo_answer(Q6_4, 8), cmo_answer(Q6_5, 9),
            cmo_answer(Q6_6, 10), cmo_answer(Q7_1, 11), cmo_answer(Q7_2, 12),
            cmo_answer(Q7_3, 13), cmo_answer(Q7_4, 14), cmo_answer(Q7_5, 15),
            cmo_answer(Q7_6, 16), cmo_answer(Q7_7, 17), cmo_answer(Q7_8, 18),
            cmo_answer(Q7_9, 19), cmo_answer(Q7_10, 20), cmo_answer(Q7_11, 21),
            cmo_answer(Q7_12, 22), cmo_answer(Q7_13, 23), cmo_answer(Q8, 24),
            cmo_answer(Q9_1, 25), cmo_answer(Q9_2, 26), cmo_answer(Q9_3, 27),
            cmo_answer(Q9_4, 28), cmo_answer(Q9_5, 29), cmo_answer(Q9_6, 30)
        ]::utinyint[] as answers,
        -- the force ranked first, second and third, as force numbers
        [cmo_force(Q3_R1), cmo_force(Q3_R2), cmo_force(Q3_R3)]::utinyint[]
            as ranked_forces
    from cmo_export
    left join ref_countries as countries
        on lower(clean_cell(cmo_export.Country))
        = lower(countries.country_name_en)
    left join ref_industries as industries
        on lower(clean_cell(cmo_export.Industry))
        = lower(industries.industry_name_en)
    left join ref_size_bands as size_bands
        on lower(clean_cell(cmo_export.CompanySize))
        = lower(size_bands.size_band_en)
    left join financial_performance_codes as performance
        on performance.study = 'CMO'
        and clean_cell(cmo_export.FinPerf) = performance.raw_value
),

cio as (
    select
        'CIO' as study,
        clean_cell(resp_id) as raw_interview_id,
        clean_cell(panel_uid) as panel_id,
        parse_export_timestamp(
            clean_cell(interview_start), '%Y-%m-%dT%H:%M:%S'
        ) as started_at,
        try_cast(clean_cell(interview_minutes) as double) as interview_minutes,
        coalesce(upper(clean_cell(interviewer_id)) like 'TEST%', false)
            as is_test_record,
        coalesce(upper(clean_cell(disposition)) = 'P', false) as is_partial,
        -- the profile: codes already
        cio_export.country_code,
        countries.region_code,
        clean_cell(cio_export.industry_code) as industry_code,
        clean_cell(emp_band) as size_band_code,
        performance.option_code as financial_performance,
        [
            cio_answer(B1, 1), cio_answer(B2, 2), cio_answer(C1_01, 3),
            cio_answer(C1_02, 4), cio_answer(C1_03, 5), cio_answer(C1_04, 6),
            cio_answer(C1_05, 7), cio_answer(C1_06, 8), cio_answer(C1_07, 9),
            cio_answer(C1_08, 10), cio_answer(C1_09, 11), cio_answer(C2, 12),
            cio_answer(C3, 13), cio_answer(D1, 14), cio_answer(D2_01, 15),
            cio_answer(D2_02, 16), cio_answer(D2_03, 17),
            cio_answer(D2_04, 18), cio_answer(D2_05, 19),
            cio_answer(D2_06, 20), cio_answer(D2_07, 21),
            cio_answer(D2_08, 22), cio_answer(D2_09, 23),
            cio_answer(D2_10, 24), cio_answer(D2_11, 25),
            cio_answer(D2_12, 26)
        ]::utinyint[] as answers,
        null::utinyint[] as ranked_forces
    from (
        select *, upper(clean_cell(country_iso)) as country_code
        from cio_export
    ) as cio_export
    left join ref_countries as countries
        on cio_export.country_code = countries.country_code
    left join financial_performance_codes as performance
        on performance.study = 'CIO'
        and upper(clean_cell(cio_export.fin_perf)) = performance.raw_value
)

select * from cmo
union all
select * from cio;


-- -----------------------------------------------------------------------------
-- 2. Screening, on the columns it needs. Each interview gets the first reason
--    that applies in the codebook's order, or `qualified`.
-- -----------------------------------------------------------------------------

create temp table screening as
with

flagged as (
    select
        rowid as respondent_key,
        study,
        interview_minutes,
        is_test_record,
        is_partial,
        -- a later interview (by start time) of a panel id already seen,
        -- among non-test interviews
        coalesce(
            case
                when not is_test_record and panel_id is not null
                    then row_number() over (
                        partition by study, is_test_record, panel_id
                        order by started_at, raw_interview_id
                    )
            end > 1,
            false
        ) as is_duplicate
    from interviews
),

-- speeders are measured against the median of real, complete interviews
medians as (
    select
        study,
        median(interview_minutes) as median_interview_minutes
    from flagged
    where not is_test_record and not is_duplicate and not is_partial
    group by study
),

reason_orders as (
    select
        max(outcome_order) filter (where screening_outcome = 'qualified')
            as qualified_order,
        max(outcome_order) filter (where screening_outcome = 'test_record')
            as test_record_order,
        max(outcome_order) filter (where screening_outcome = 'duplicate')
            as duplicate_order,
        max(outcome_order) filter (where screening_outcome = 'partial')
            as partial_order,
        max(outcome_order) filter (where screening_outcome = 'speeder')
            as speeder_order
    from ref_screening_outcomes
),

with_speeders as (
    select
        flagged.*,
        coalesce(
            flagged.interview_minutes
            < getvariable('speeder_median_ratio')
            * medians.median_interview_minutes,
            false
        ) as is_speeder
    from flagged
    left join medians on flagged.study = medians.study
),

ordered as (
    select
        with_speeders.*,
        coalesce(
            least(
                case when is_test_record then test_record_order end,
                case when is_duplicate then duplicate_order end,
                case when is_partial then partial_order end,
                case when is_speeder then speeder_order end
            ),
            qualified_order
        ) as outcome_order
    from with_speeders
    cross join reason_orders
)

select
    ordered.* exclude (outcome_order, interview_minutes),
    outcomes.screening_outcome,
    outcomes.screening_outcome = 'qualified' as is_qualified,
    outcomes.is_interviewed
from ordered
inner join ref_screening_outcomes as outcomes
    on ordered.outcome_order = outcomes.outcome_order;

-- study x outcome, every outcome of the codebook, and the raw row counts
create table screening_summary as
with

raw_counts as (
    select study, count(*) as raw_interview_count
    from screening
    group by study
),

outcome_counts as (
    select study, screening_outcome, count(*) as interview_count
    from screening
    group by study, screening_outcome
)

select
    raw_counts.study,
    outcomes.screening_outcome,
    outcomes.outcome_order,
    outcomes.screening_outcome != 'qualified' as is_excluded,
    outcomes.is_interviewed,
    coalesce(outcome_counts.interview_count, 0) as interview_count,
    raw_counts.raw_interview_count
from raw_counts
cross join ref_screening_outcomes as outcomes
left join outcome_counts
    on raw_counts.study = outcome_counts.study
    and outcomes.screening_outcome = outcome_counts.screening_outcome
order by
    case raw_counts.study when 'CMO' then 1 else 2 end,
    outcomes.outcome_order;


-- -----------------------------------------------------------------------------
-- 3. The long grain of qualified answers, built once: respondent x sub-item
--    (so x item) and the option index of the answer (see the numbering
--    above); survey_responses_labelled spells it out as int_survey_responses
--    does.
-- -----------------------------------------------------------------------------

-- the profile cells (role x region x industry x size band x performance),
-- numbered, so that the long grain can carry its respondent's cell
create temp table profiles as
select
    row_number() over (
        order by role, region_code, industry_code, size_band_code,
            financial_performance
    ) as profile_id,
    *
from (
    select distinct
        study as role,
        region_code,
        industry_code,
        size_band_code,
        financial_performance
    from interviews
);

create table survey_responses as
with

qualified as (
    select
        interviews.rowid as respondent_key,
        profiles.profile_id,
        interviews.study,
        interviews.answers,
        interviews.ranked_forces
    from interviews
    inner join screening
        on interviews.rowid = screening.respondent_key
    inner join profiles
        on interviews.study = profiles.role
        and interviews.region_code is not distinct from profiles.region_code
        and interviews.industry_code
        is not distinct from profiles.industry_code
        and interviews.size_band_code
        is not distinct from profiles.size_band_code
        and interviews.financial_performance
        is not distinct from profiles.financial_performance
    where screening.is_qualified
),

-- every answer column is a sub-item: unanswered cells stay as rows
column_answers as (
    select
        respondent_key,
        profile_id,
        answer_sub_item_id(study, generate_subscripts(answers, 1))
            as sub_item_id,
        unnest(answers) as option_index
    from qualified
),

-- the CMO ranking names a force per rank: one row per force instead, with
-- its rank, `not ranked` for a respondent who ranked, else unanswered
force_answers as (
    select
        qualified.respondent_key,
        qualified.profile_id,
        forces.sub_item_id,
        coalesce(
            -- the first rank naming the force (1, 2 or 3)
            list_position(qualified.ranked_forces, forces.force_number),
            -- not ranked, by a respondent who ranked (a cell not empty)
            case when list_count(qualified.ranked_forces) > 0 then 4 end
        ) as option_index
    from qualified
    cross join survey_items as forces
    where qualified.study = 'CMO' and forces.force_number is not null
)

select
    respondent_key,
    cast(sub_item_id as smallint) as sub_item_id,
    cast(option_index as utinyint) as option_index,
    -- the respondent's profile cell, so that counting needs no join
    cast(profile_id as integer) as profile_id
from column_answers
union all
select
    respondent_key,
    cast(sub_item_id as smallint),
    cast(option_index as utinyint),
    cast(profile_id as integer)
from force_answers;

-- the long grain in words, shaped like int_survey_responses (without raw_value)
create view survey_responses_labelled as
select
    responses.respondent_key,
    items.role,
    items.item_code,
    items.sub_item_code,
    items.answer_type,
    items.figure_id,
    answer_values.option_code,
    answer_values.rank_position
from survey_responses as responses
inner join survey_items as items
    on responses.sub_item_id = items.sub_item_id
left join answer_values
    on responses.sub_item_id = answer_values.sub_item_id
    and responses.option_index = answer_values.option_index;


-- -----------------------------------------------------------------------------
-- 4. Aggregate before joining: answers per profile cell x sub-item x option
--    (thousands of rows), then the measures on top of them.
-- -----------------------------------------------------------------------------

create table answer_cells as
with

counted as (
    select
        profile_id,
        sub_item_id,
        option_index,
        count(*) as n_respondents
    from survey_responses
    -- answered with a codebook answer (option_code not NULL)
    where option_index > 0
    group by all
)

select
    items.role,
    items.item_code,
    items.sub_item_code,
    answer_values.option_code,
    profiles.region_code,
    profiles.industry_code,
    profiles.size_band_code,
    profiles.financial_performance,
    counted.n_respondents
from counted
inner join survey_items as items
    on counted.sub_item_id = items.sub_item_id
inner join answer_values
    on counted.sub_item_id = answer_values.sub_item_id
    and counted.option_index = answer_values.option_index
inner join profiles
    on counted.profile_id = profiles.profile_id;

-- measure x role x profile cell (int_measure_cells); a pooled (ALL) measure
-- counts the answers of both roles
create table measure_cells as
select
    measures.measure_id,
    measures.role,
    answer_cells.region_code,
    answer_cells.industry_code,
    answer_cells.size_band_code,
    answer_cells.financial_performance,
    cast(sum(answer_cells.n_respondents) as bigint) as n_answering,
    cast(
        sum(
            case
                when list_contains(
                    measures.selected_options, answer_cells.option_code
                ) then answer_cells.n_respondents
                else 0
            end
        ) as bigint
    ) as n_selecting
from ref_measures as measures
inner join answer_cells
    on measures.item_code = answer_cells.item_code
    and measures.sub_item_code = answer_cells.sub_item_code
    and measures.role in (answer_cells.role, 'ALL')
    and (
        measures.financial_performance_filter is null
        or measures.financial_performance_filter
        = answer_cells.financial_performance
    )
group by all;


-- -----------------------------------------------------------------------------
-- 5. Shares per measure x role, Wilson intervals, ranks, reference values
--    (int_measure_shares: the rows of every fig0* mart).
-- -----------------------------------------------------------------------------

create table measure_shares as
with

counts as (
    select
        measure_id,
        role,
        sum(n_answering) as n_answering,
        sum(n_selecting) as n_selecting
    from measure_cells
    group by measure_id, role
),

shares as (
    select
        measures.measure_id,
        measures.role,
        measures.figure_id,
        measures.item_code,
        measures.sub_item_code,
        measures.label_en,
        measures.label_zh,
        measures.display_order,
        measures.is_technology_based,
        coalesce(measures.financial_performance_filter, 'all')
            as performance_segment,
        cast(coalesce(counts.n_answering, 0) as bigint) as n_answering,
        cast(coalesce(counts.n_selecting, 0) as bigint) as n_selecting,
        round(share_pct(counts.n_selecting, counts.n_answering), 4)
            as share_pct,
        round(wilson_low_pct(counts.n_selecting, counts.n_answering), 4)
            as ci_low_pct,
        round(wilson_high_pct(counts.n_selecting, counts.n_answering), 4)
            as ci_high_pct
    from ref_measures as measures
    left join counts
        on measures.measure_id = counts.measure_id
        and measures.role = counts.role
),

reference_shares as (
    select
        measure_id,
        role,
        statistic as reference_statistic,
        reference_value,
        reference_status
    from ref_published_figures
    where statistic in ('share_pct', 'share_pct_more_than', 'share_pct_about')
),

reference_ranks as (
    select
        measure_id,
        role,
        cast(reference_value as integer) as reference_rank,
        reference_status as reference_rank_status
    from ref_published_figures
    where statistic = 'rank'
)

select
    shares.*,
    rank() over (
        partition by shares.role, shares.item_code, shares.performance_segment
        order by shares.share_pct desc
    ) as share_rank,
    reference_shares.reference_statistic,
    reference_shares.reference_value,
    reference_shares.reference_status,
    reference_ranks.reference_rank,
    reference_ranks.reference_rank_status
from shares
left join reference_shares
    on shares.measure_id = reference_shares.measure_id
    and shares.role = reference_shares.role
left join reference_ranks
    on shares.measure_id = reference_ranks.measure_id
    and shares.role = reference_ranks.role;


-- -----------------------------------------------------------------------------
-- 6. CMO vs CIO: every crosswalk pair and every measure of one role, with the
--    difference, the pooled z-test, and Holm's step-down over tested pairs.
-- -----------------------------------------------------------------------------

create table cmo_cio_comparison as
with

cmo_shares as (select * from measure_shares where role = 'CMO'),

cio_shares as (select * from measure_shares where role = 'CIO'),

comparisons as (
    select
        comparison_id,
        crosswalk_type as comparison_type,
        figure_id,
        label_en,
        label_zh,
        cmo_measure_id,
        cio_measure_id
    from ref_crosswalk
    union all
    select
        measure_id,
        'cmo_only',
        figure_id,
        label_en,
        label_zh,
        measure_id,
        null
    from cmo_shares
    where measure_id not in (
        select cmo_measure_id from ref_crosswalk
        where cmo_measure_id is not null
    )
    union all
    select
        measure_id,
        'cio_only',
        figure_id,
        label_en,
        label_zh,
        null,
        measure_id
    from cio_shares
    where measure_id not in (
        select cio_measure_id from ref_crosswalk
        where cio_measure_id is not null
    )
),

tested as (
    select
        comparisons.*,
        cmo.n_answering as cmo_n_answering,
        cmo.n_selecting as cmo_n_selecting,
        cmo.share_pct as cmo_share_pct,
        cmo.ci_low_pct as cmo_ci_low_pct,
        cmo.ci_high_pct as cmo_ci_high_pct,
        cio.n_answering as cio_n_answering,
        cio.n_selecting as cio_n_selecting,
        cio.share_pct as cio_share_pct,
        cio.ci_low_pct as cio_ci_low_pct,
        cio.ci_high_pct as cio_ci_high_pct,
        coalesce(cmo.display_order, cio.display_order) as display_order,
        two_proportion_z(
            cmo.n_selecting, cmo.n_answering, cio.n_selecting, cio.n_answering
        ) as z
    from comparisons
    left join cmo_shares as cmo on comparisons.cmo_measure_id = cmo.measure_id
    left join cio_shares as cio on comparisons.cio_measure_id = cio.measure_id
),

with_p_values as (
    select
        *,
        round(
            share_pct(cmo_n_selecting, cmo_n_answering)
            - share_pct(cio_n_selecting, cio_n_answering),
            4
        ) as difference_pct_points,
        round(two_sided_p_value(z), 10) as p_value,
        two_sided_p_value(z) as exact_p_value,
        two_sided_p_value(z) < 0.05 as is_significant
    from tested
),

-- Holm: the i-th smallest of m p-values times m - i + 1, capped at 1,
-- never below the adjusted value before it (ties by comparison_id)
holm_ordered as (
    select
        *,
        count(exact_p_value) over () as tested_pairs,
        row_number() over (
            order by exact_p_value asc nulls last, comparison_id asc
        ) as p_value_order
    from with_p_values
),

holm_adjusted as (
    select
        *,
        case
            when exact_p_value is not null
                then max(
                    least(1.0, (tested_pairs - p_value_order + 1) * exact_p_value)
                ) over (
                    order by p_value_order asc
                    rows between unbounded preceding and current row
                )
        end as holm_p_value
    from holm_ordered
)

select
    comparison_id,
    comparison_type,
    figure_id,
    label_en,
    label_zh,
    cmo_measure_id,
    cmo_n_answering,
    cmo_n_selecting,
    cmo_share_pct,
    cmo_ci_low_pct,
    cmo_ci_high_pct,
    cio_measure_id,
    cio_n_answering,
    cio_n_selecting,
    cio_share_pct,
    cio_ci_low_pct,
    cio_ci_high_pct,
    difference_pct_points,
    round(z, 6) as z_statistic,
    p_value,
    is_significant,
    round(holm_p_value, 10) as p_value_holm,
    holm_p_value < 0.05 as is_significant_holm,
    display_order
from holm_adjusted;


-- -----------------------------------------------------------------------------
-- 7. Segments, with small-cell and complementary suppression.
-- -----------------------------------------------------------------------------

create table segment_comparison as
with

-- the profile cells rolled up to one segment type at a time, in one pass;
-- measures restricted to a performance segment are segments already
segment_cells as (
    select
        measure_cells.role,
        measure_cells.measure_id,
        measures.figure_id,
        case
            when grouping(measure_cells.region_code) = 0 then 'region'
            when grouping(measure_cells.industry_code) = 0 then 'industry'
            when grouping(measure_cells.size_band_code) = 0 then 'company_size'
            else 'financial_performance'
        end as segment_type,
        coalesce(
            measure_cells.region_code,
            measure_cells.industry_code,
            measure_cells.size_band_code,
            measure_cells.financial_performance
        ) as segment_value,
        sum(measure_cells.n_answering) as n_answering,
        sum(measure_cells.n_selecting) as n_selecting
    from measure_cells
    inner join ref_measures as measures
        on measure_cells.measure_id = measures.measure_id
        and measure_cells.role = measures.role
    where measures.financial_performance_filter is null
    group by grouping sets (
        (measure_cells.role, measure_cells.measure_id, measures.figure_id,
            measure_cells.region_code),
        (measure_cells.role, measure_cells.measure_id, measures.figure_id,
            measure_cells.industry_code),
        (measure_cells.role, measure_cells.measure_id, measures.figure_id,
            measure_cells.size_band_code),
        (measure_cells.role, measure_cells.measure_id, measures.figure_id,
            measure_cells.financial_performance)
    )
),

regions as (
    select region_code, min(region_en) as label_en, min(region_zh) as label_zh
    from ref_countries
    group by region_code
),

performance_labels as (
    select option_code, min(label_en) as label_en, min(label_zh) as label_zh
    from ref_answer_options
    where item_code = 'financial_performance'
    group by option_code
),

segment_labels as (
    select 'region' as segment_type, region_code as segment_value,
        label_en, label_zh
    from regions
    union all
    select 'industry', industry_code, industry_name_en, industry_name_zh
    from ref_industries
    union all
    select 'company_size', size_band_code, size_band_en, size_band_zh
    from ref_size_bands
    union all
    select 'financial_performance', option_code, label_en, label_zh
    from performance_labels
),

-- a small cell is hidden for its own sake; a lone small cell in a role x
-- measure x segment type takes the next-smallest cell with it
suppression as (
    select
        segment_cells.role,
        segment_cells.measure_id,
        segment_cells.figure_id,
        segment_cells.segment_type,
        coalesce(segment_cells.segment_value, 'not_stated') as segment_value,
        coalesce(segment_labels.label_en, 'Not stated') as segment_label_en,
        coalesce(segment_labels.label_zh, '未说明') as segment_label_zh,
        segment_cells.n_answering,
        segment_cells.n_selecting,
        case
            when segment_cells.n_answering < getvariable('min_cell_n')
                then 'small_cell'
            when count(*) filter (
                    where segment_cells.n_answering < getvariable('min_cell_n')
                ) over (
                    partition by segment_cells.role, segment_cells.measure_id,
                        segment_cells.segment_type
                ) = 1
                and row_number() over (
                    partition by segment_cells.role, segment_cells.measure_id,
                        segment_cells.segment_type,
                        segment_cells.n_answering < getvariable('min_cell_n')
                    order by segment_cells.n_answering,
                        coalesce(segment_cells.segment_value, 'not_stated')
                ) = 1
                then 'complementary'
        end as suppression_reason
    from segment_cells
    left join segment_labels
        on segment_cells.segment_type = segment_labels.segment_type
        and segment_cells.segment_value = segment_labels.segment_value
),

-- a pooled (ALL) cell is hidden wherever its CMO or CIO cell is
role_suppressed_cells as (
    select distinct measure_id, segment_type, segment_value
    from suppression
    where role in ('CMO', 'CIO') and suppression_reason is not null
),

final as (
    select
        suppression.* exclude (suppression_reason),
        coalesce(
            suppression.suppression_reason,
            case
                when suppression.role = 'ALL'
                    and hidden.measure_id is not null
                    then 'complementary'
            end
        ) as suppression_reason
    from suppression
    left join role_suppressed_cells as hidden
        on suppression.measure_id = hidden.measure_id
        and suppression.segment_type = hidden.segment_type
        and suppression.segment_value = hidden.segment_value
)

select
    role,
    measure_id,
    figure_id,
    segment_type,
    segment_value,
    segment_label_en,
    segment_label_zh,
    cast(n_answering as bigint) as n_answering,
    case
        when suppression_reason is null then cast(n_selecting as bigint)
    end as n_selecting,
    case
        when suppression_reason is null
            then round(share_pct(n_selecting, n_answering), 4)
    end as share_pct,
    case
        when suppression_reason is null
            then round(wilson_low_pct(n_selecting, n_answering), 4)
    end as ci_low_pct,
    case
        when suppression_reason is null
            then round(wilson_high_pct(n_selecting, n_answering), 4)
    end as ci_high_pct,
    suppression_reason is not null as is_suppressed,
    suppression_reason,
    cast(getvariable('min_cell_n') as integer) as min_cell_n
from final;
