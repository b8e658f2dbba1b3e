-- Within each role, measure and segment type of segment_comparison, small
-- cells are always suppressed and a suppressed cell never stands alone: the
-- measure total minus the shown cells must not give back a hidden count.
-- Lists the offending groups.
with

segment_cells as (

    select * from {{ ref('segment_comparison') }}

),

groups as (

    select
        role,
        measure_id,
        segment_type,
        sum(case when is_suppressed then 1 else 0 end) as suppressed_cells,
        sum(
            case
                when n_answering < min_cell_n and not is_suppressed then 1
                else 0
            end
        ) as small_cells_shown
    from segment_cells
    group by role, measure_id, segment_type

)

select * from groups
where
    suppressed_cells = 1
    or small_cells_shown > 0
