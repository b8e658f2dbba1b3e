-- The long grain holds every qualified respondent once per item of their
-- questionnaire: per role, item and sub-item, the answer counts add up to
-- the role's qualified respondents. Returns the items where they do not.
with

answer_counts as (

    select
        role,
        item_code,
        sub_item_code,
        sum(respondents) as respondents
    from {{ ref('int_answer_cells') }}
    group by role, item_code, sub_item_code

),

qualified as (

    select
        role,
        count(*) as respondents
    from {{ ref('int_interviews_screened') }}
    where is_qualified
    group by role

),

items as (

    select
        role,
        item_code,
        sub_item_code
    from {{ ref('int_survey_items') }}

)

select
    items.role,
    items.item_code,
    items.sub_item_code,
    answer_counts.respondents as counted,
    qualified.respondents as qualified
from items
left join qualified
    on items.role = qualified.role
left join answer_counts
    on
        items.role = answer_counts.role
        and items.item_code = answer_counts.item_code
        and items.sub_item_code = answer_counts.sub_item_code
where answer_counts.respondents is distinct from qualified.respondents
