{#-
    A figure mart has exactly one bar per measure x role of its figure in the
    codebook: the figure's measures, and the measures the crosswalk pairs with
    them for that figure (fig09 shows CIO visionary plans beside CMO plans).
-#}
{% test one_bar_per_measure(model) %}

with

bars as (

    select distinct
        figure_id,
        measure_id,
        role
    from {{ model }}

),

crosswalk as (

    select * from {{ ref('stg_reference__cmo_cio_crosswalk') }}

),

expected as (

    select
        figure_id,
        measure_id,
        role
    from {{ ref('stg_reference__measures') }}
    union
    select
        figure_id,
        cmo_measure_id as measure_id,
        'CMO' as role
    from crosswalk
    where cmo_measure_id is not null
    union
    select
        figure_id,
        cio_measure_id as measure_id,
        'CIO' as role
    from crosswalk
    where cio_measure_id is not null

),

expected_of_figure as (

    select expected.*
    from expected
    where expected.figure_id in (select bars.figure_id from bars)

),

missing as (

    select
        figure_id,
        measure_id,
        role,
        'no bar for this measure' as problem
    from expected_of_figure
    except
    select
        figure_id,
        measure_id,
        role,
        'no bar for this measure' as problem
    from bars

),

unexpected as (

    select
        figure_id,
        measure_id,
        role,
        'a bar the codebook does not have' as problem
    from bars
    except
    select
        figure_id,
        measure_id,
        role,
        'a bar the codebook does not have' as problem
    from expected_of_figure

)

select * from missing
union all
select * from unexpected

{% endtest %}
