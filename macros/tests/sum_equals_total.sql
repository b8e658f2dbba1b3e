{#-
    Parts add up to their total: within each group, the sum of `parts_column`
    equals the (single) value of `total_column`.
-#}
{% test sum_equals_total(model, group_by, parts_column, total_column) %}

select
    {{ group_by | join(', ') }},
    sum({{ parts_column }}) as sum_of_parts,
    min({{ total_column }}) as lowest_total,
    max({{ total_column }}) as highest_total
from {{ model }}
group by {{ group_by | join(', ') }}
having sum({{ parts_column }}) != min({{ total_column }})
    or min({{ total_column }}) != max({{ total_column }})

{% endtest %}
