-- Small cells of segment_comparison are always suppressed, and no hidden
-- count follows by subtraction: within each role, measure and segment type
-- a suppressed cell never stands alone (the measure total minus the shown
-- cells would give it back), and a pooled (ALL) cell is never shown beside
-- a hidden CMO or CIO cell (ALL minus one role gives the other). Lists the
-- offending groups and cells.
with

segment_cells as (

    select * from {{ ref('segment_comparison') }}

),

groups as (

    select
        role,
        measure_id,
        segment_type,
        cast(null as {{ dbt.type_string() }}) as segment_value,
        sum(case when is_suppressed then 1 else 0 end) as suppressed_cells,
        sum(
            case
                when n_answering < min_cell_n and not is_suppressed then 1
                else 0
            end
        ) as small_cells_shown
    from segment_cells
    group by role, measure_id, segment_type

),

lone_or_small_shown as (

    select * from groups
    where
        suppressed_cells = 1
        or small_cells_shown > 0

),

pooled_shown_beside_hidden as (

    select distinct
        pooled.role,
        pooled.measure_id,
        pooled.segment_type,
        pooled.segment_value,
        0 as suppressed_cells,
        0 as small_cells_shown
    from segment_cells as pooled
    inner join segment_cells as by_role
        on
            pooled.measure_id = by_role.measure_id
            and pooled.segment_type = by_role.segment_type
            and pooled.segment_value = by_role.segment_value
            and by_role.role in ('CMO', 'CIO')
    where
        pooled.role = 'ALL'
        and by_role.is_suppressed
        and not pooled.is_suppressed

)

select * from lone_or_small_shown
union all
select * from pooled_shown_beside_hidden
