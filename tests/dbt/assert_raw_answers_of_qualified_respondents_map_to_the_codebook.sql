-- Nothing silently dropped in harmonizing: every non-missing raw answer of a
-- qualified respondent is a code the codebook maps. Returns the unmapped
-- raw values with how often they occur (counted in int_answer_cells).
select
    role,
    item_code,
    sub_item_code,
    unmapped_raw_value,
    sum(respondents) as answer_count
from {{ ref('int_answer_cells') }}
where unmapped_raw_value is not null
group by role, item_code, sub_item_code, unmapped_raw_value
