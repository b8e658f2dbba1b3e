-- =============================================================================
-- The warehouse's computations written by hand in DuckDB, in one pass.
--
-- The performance baseline of the scale benchmark ("the same work written by
-- hand in DuckDB") and an independent recomputation of the dbt marts
-- (bench/compare_with_marts.py holds the two equal). It follows docs/design.md
-- and reproduces, value for value:
--   screening_summary, survey_responses (int_survey_responses), measure_shares
--   (int_measure_shares, so every fig0* mart), cmo_cio_comparison and
--   segment_comparison.
--
-- Placeholders, substituted by bench/handwritten.py (quotes already doubled):
--   {cmo_export}     the CMO export, CSV or Parquet
--   {cio_export}     the CIO export, CSV or Parquet
--   {reference_dir}  the codebook CSVs (seeds/reference)
-- Constants of dbt_project.yml: speeder_median_ratio 0.4, min_cell_n 10.
--
-- The plan: read each export once into `interviews` (one row per interview,
-- its screening inputs, its profile in codebook codes and its answer cells
-- as a list); screen on a narrow projection of that table; unnest the
-- answers of qualified interviews once into `survey_responses`; count
-- answers per profile cell before joining the measures, so that every
-- share, segment and test afterwards works on a few thousand rows.
-- =============================================================================

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
    trim(label_zh) as label_zh
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

-- The answer cells of each export in the order `interviews.answers` holds
-- them, with the codebook item of each. The CMO ranking (Q3_R1..R3) is not
-- among them: it is kept in three columns of its own and reshaped below.
create table answer_columns as
with positions as (
    select
        'CMO' as study,
        unnest([
            'Q2_1', 'Q2_2', 'Q4', 'Q5',
            'Q6_1', 'Q6_2', 'Q6_3', 'Q6_4', 'Q6_5', 'Q6_6',
            'Q7_1', 'Q7_2', 'Q7_3', 'Q7_4', 'Q7_5', 'Q7_6', 'Q7_7',
            'Q7_8', 'Q7_9', 'Q7_10', 'Q7_11', 'Q7_12', 'Q7_13',
            'Q8', 'Q9_1', 'Q9_2', 'Q9_3', 'Q9_4', 'Q9_5', 'Q9_6'
        ]) as raw_column,
        unnest(range(1, 31)) as position
    union all
    select
        'CIO' as study,
        unnest([
            'B1', 'B2',
            'C1_01', 'C1_02', 'C1_03', 'C1_04', 'C1_05', 'C1_06',
            'C1_07', 'C1_08', 'C1_09', 'C2', 'C3', 'D1',
            'D2_01', 'D2_02', 'D2_03', 'D2_04', 'D2_05', 'D2_06',
            'D2_07', 'D2_08', 'D2_09', 'D2_10', 'D2_11', 'D2_12'
        ]) as raw_column,
        unnest(range(1, 27)) as position
)
select
    positions.study,
    positions.position,
    items.item_code,
    items.sub_item_code,
    items.answer_type,
    items.figure_id
from positions
inner join ref_survey_items as items
    on positions.study = items.study
    and positions.raw_column = items.raw_column;


-- -----------------------------------------------------------------------------
-- 1. Read each export once: one row per interview of both studies, with its
--    screening inputs, its profile in codebook codes and its raw answer cells.
--    Its rowid is the respondent key.
-- -----------------------------------------------------------------------------

-- CSV or Parquet by the file's extension; every column read as text.
create or replace temp macro export_reader(variable_name) as
    case
        when lower(getvariable(variable_name)) like '%.parquet'
            then 'from read_parquet(getvariable(''' || variable_name || '''))'
        else 'from read_csv(getvariable(''' || variable_name
            || '''), header = true, all_varchar = true)'
    end;

create table interviews as
with

cmo_export as (
    from query(export_reader('cmo_export'))
),

cio_export as (
    from query(export_reader('cio_export'))
),

-- the export's profile names and codes, through the codebook
financial_performance_codes as (
    select study, raw_value, option_code
    from ref_answer_options
    where item_code = 'financial_performance'
),

cmo as (
    select
        'CMO' as study,
        clean_cell(cast(ResponseID as varchar)) as raw_interview_id,
        clean_cell(cast(ExternalRef as varchar)) as panel_id,
        parse_export_timestamp(
            clean_cell(cast(StartDate as varchar)), '%d/%m/%Y %H:%M'
        ) as started_at,
        try_cast(clean_cell(cast(Duration as varchar)) as double) / 60.0
            as interview_minutes,
        coalesce(clean_cell(cast(Status as varchar)) = 'Survey Preview', false)
            as is_test_record,
        coalesce(
            try_cast(try_cast(clean_cell(cast(Finished as varchar)) as double)
                as integer) = 0,
            false
        ) as is_partial,
        countries.country_code,
        countries.region_code,
        industries.industry_code,
        size_bands.size_band_code,
        performance.option_code as financial_performance,
        -- the force code ranked first, second and third
        cast(Q3_R1 as varchar) as rank_1_cell,
        cast(Q3_R2 as varchar) as rank_2_cell,
        cast(Q3_R3 as varchar) as rank_3_cell,
        cast([
            Q2_1, Q2_2, Q4, Q5,
            Q6_1, Q6_2, Q6_3, Q6_4, Q6_5, Q6_6,
            Q7_1, Q7_2, Q7_3, Q7_4, Q7_5, Q7_6, Q7_7,
            Q7_8, Q7_9, Q7_10, Q7_11, Q7_12, Q7_13,
            Q8, Q9_1, Q9_2, Q9_3, Q9_4, Q9_5, Q9_6
        ] as varchar[]) as answers
    from cmo_export
    left join ref_countries as countries
        on lower(clean_cell(cast(cmo_export.Country as varchar)))
        = lower(countries.country_name_en)
    left join ref_industries as industries
        on lower(clean_cell(cast(cmo_export.Industry as varchar)))
        = lower(industries.industry_name_en)
    left join ref_size_bands as size_bands
        on lower(clean_cell(cast(cmo_export.CompanySize as varchar)))
        = lower(size_bands.size_band_en)
    left join financial_performance_codes as performance
        on performance.study = 'CMO'
        and clean_cell(cast(cmo_export.FinPerf as varchar))
        = performance.raw_value
),

cio as (
    select
        'CIO' as study,
        clean_cell(cast(resp_id as varchar)) as raw_interview_id,
        clean_cell(cast(panel_uid as varchar)) as panel_id,
        parse_export_timestamp(
            clean_cell(cast(interview_start as varchar)), '%Y-%m-%dT%H:%M:%S'
        ) as started_at,
        try_cast(clean_cell(cast(interview_minutes as varchar)) as double)
            as interview_minutes,
        coalesce(
            upper(clean_cell(cast(interviewer_id as varchar))) like 'TEST%',
            false
        ) as is_test_record,
        coalesce(upper(clean_cell(cast(disposition as varchar))) = 'P', false)
            as is_partial,
        cio_export_coded.country_code,
        countries.region_code,
        clean_cell(cast(cio_export_coded.industry_code as varchar))
            as industry_code,
        clean_cell(cast(emp_band as varchar)) as size_band_code,
        performance.option_code as financial_performance,
        null::varchar as rank_1_cell,
        null::varchar as rank_2_cell,
        null::varchar as rank_3_cell,
        cast([
            B1, B2,
            C1_01, C1_02, C1_03, C1_04, C1_05, C1_06, C1_07, C1_08, C1_09,
            C2, C3, D1,
            D2_01, D2_02, D2_03, D2_04, D2_05, D2_06,
            D2_07, D2_08, D2_09, D2_10, D2_11, D2_12
        ] as varchar[]) as answers
    from (
        select
            *,
            upper(clean_cell(cast(country_iso as varchar))) as country_code
        from cio_export
    ) as cio_export_coded
    left join ref_countries as countries
        on cio_export_coded.country_code = countries.country_code
    left join financial_performance_codes as performance
        on performance.study = 'CIO'
        and upper(clean_cell(cast(cio_export_coded.fin_perf as varchar)))
        = performance.raw_value
)

select * from cmo
union all
select * from cio;


-- -----------------------------------------------------------------------------
-- 2. Screening, on the few columns it needs. Each interview gets the first
--    reason that applies in the codebook's order, or `qualified`.
-- -----------------------------------------------------------------------------

create table screening as
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
    ordered.respondent_key,
    ordered.study,
    ordered.is_test_record,
    ordered.is_duplicate,
    ordered.is_partial,
    ordered.is_speeder,
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
-- 3. The long grain of qualified answers, built once: respondent x item x
--    sub-item, the harmonized option_code (NULL where unanswered or not a
--    codebook code) and the rank position of a top-3 ranking.
-- -----------------------------------------------------------------------------

create table survey_responses as
with

qualified as (
    select
        interviews.rowid as respondent_key,
        interviews.study,
        interviews.answers,
        interviews.rank_1_cell,
        interviews.rank_2_cell,
        interviews.rank_3_cell
    from interviews
    where interviews.rowid in (
        select respondent_key from screening where is_qualified
    )
),

-- every answer column is an item: unanswered cells stay as rows
cells as (
    select
        respondent_key,
        study,
        unnest(answers) as cell,
        generate_subscripts(answers, 1) as position
    from qualified
),

column_items as (
    select
        cells.respondent_key,
        cells.study as role,
        answer_columns.item_code,
        answer_columns.sub_item_code,
        answer_columns.answer_type,
        answer_columns.figure_id,
        clean_cell(cells.cell) as raw_value
    from cells
    inner join answer_columns
        on cells.study = answer_columns.study
        and cells.position = answer_columns.position
),

mapped_items as (
    select
        column_items.respondent_key,
        column_items.role,
        column_items.item_code,
        column_items.sub_item_code,
        column_items.answer_type,
        column_items.figure_id,
        options.option_code,
        column_items.raw_value
    from column_items
    left join ref_answer_options as options
        on column_items.role = options.study
        and column_items.item_code = options.item_code
        and column_items.raw_value = options.raw_value
),

-- the CMO ranking names a force per rank: one row per force instead, its
-- rank ('1'..'3'), 'not_ranked' for a respondent who ranked, else NULL
cmo_rankings as (
    select
        respondent_key,
        clean_cell(rank_1_cell) as rank_1,
        clean_cell(rank_2_cell) as rank_2,
        clean_cell(rank_3_cell) as rank_3
    from qualified
    where study = 'CMO'
),

cmo_forces as (
    select
        options.raw_value,
        options.option_code as sub_item_code,
        items.answer_type,
        items.figure_id
    from ref_answer_options as options
    inner join ref_survey_items as items
        on items.study = 'CMO'
        and items.item_code = 'external_forces'
        and items.sub_item_code = 'rank_1'
    where options.study = 'CMO' and options.item_code = 'external_forces'
),

force_items as (
    select
        cmo_rankings.respondent_key,
        'CMO' as role,
        'external_forces' as item_code,
        cmo_forces.sub_item_code,
        cmo_forces.answer_type,
        cmo_forces.figure_id,
        case
            when cmo_rankings.rank_1 = cmo_forces.raw_value then '1'
            when cmo_rankings.rank_2 = cmo_forces.raw_value then '2'
            when cmo_rankings.rank_3 = cmo_forces.raw_value then '3'
            when cmo_rankings.rank_1 is not null
                or cmo_rankings.rank_2 is not null
                or cmo_rankings.rank_3 is not null
                then 'not_ranked'
        end as option_code,
        case
            when cmo_forces.raw_value in (
                cmo_rankings.rank_1, cmo_rankings.rank_2, cmo_rankings.rank_3
            ) then cmo_forces.raw_value
        end as raw_value
    from cmo_rankings
    cross join cmo_forces
),

harmonized as (
    select * from mapped_items
    union all
    select * from force_items
)

select
    *,
    case
        when answer_type = 'top3_ranking' then try_cast(option_code as integer)
    end as rank_position
from harmonized;


-- -----------------------------------------------------------------------------
-- 4. Aggregate before joining: answers per role x item x sub-item x option x
--    profile cell (a few thousand rows), then the measures on top of them.
-- -----------------------------------------------------------------------------

create table answer_cells as
select
    responses.role,
    responses.item_code,
    responses.sub_item_code,
    responses.option_code,
    interviews.region_code,
    interviews.industry_code,
    interviews.size_band_code,
    interviews.financial_performance,
    count(*) as n_respondents
from survey_responses as responses
inner join interviews
    on responses.respondent_key = interviews.rowid
where responses.option_code is not null
group by all;

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
        two_sided_p_value(z) < 0.05 as is_significant
    from tested
),

-- Holm: the i-th smallest of m p-values times m - i + 1, capped at 1,
-- never below the adjusted value before it (ties by comparison_id)
holm_ordered as (
    select
        *,
        count(p_value) over () as tested_pairs,
        row_number() over (
            order by p_value asc nulls last, comparison_id asc
        ) as p_value_order
    from with_p_values
),

holm_adjusted as (
    select
        *,
        case
            when p_value is not null
                then max(
                    least(1.0, (tested_pairs - p_value_order + 1) * p_value)
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
