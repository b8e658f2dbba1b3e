-- The top-3 ranking: a qualified respondent who answered it ranks exactly
-- three forces, one at each rank 1, 2 and 3. Returns the respondents whose
-- ranking breaks that (so fig03 shares of a role add up to 300).
with

responses as (

    select * from {{ ref('fct_survey_response') }}
    where item_code = 'external_forces' and is_answered

)

select
    respondent_id,
    role,
    count(rank_position) as ranked_count,
    count(distinct rank_position) as distinct_rank_count,
    min(rank_position) as lowest_rank,
    max(rank_position) as highest_rank
from responses
group by respondent_id, role
having
    count(rank_position) != 3
    or count(distinct rank_position) != 3
    or min(rank_position) != 1
    or max(rank_position) != 3
