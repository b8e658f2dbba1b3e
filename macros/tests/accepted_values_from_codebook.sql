{#-
    Fails on every value of the column that the codebook does not list.
    `codebook` is a ref()'d relation, `codebook_column` its code column;
    `codebook_where` narrows the codebook (for example to one item).
-#}
{% test accepted_values_from_codebook(
    model, column_name, codebook, codebook_column, codebook_where=none
) %}

with

codes as (

    select {{ codebook_column }} as code
    from {{ codebook }}
    {%- if codebook_where %}
    where {{ codebook_where }}
    {%- endif %}

)

select
    {{ column_name }} as unknown_value,
    count(*) as row_count
from {{ model }}
where {{ column_name }} is not null
    and {{ column_name }} not in (select code from codes)
group by {{ column_name }}

{% endtest %}
