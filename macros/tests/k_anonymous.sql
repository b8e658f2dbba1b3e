{#-
    Every combination of the quasi-identifier columns is shared by at least k
    rows (NULL, a suppressed value, counts as a value of its own). Returns the
    combinations shared by fewer.
-#}
{% test k_anonymous(model, quasi_identifiers, k) %}

select
    {{ quasi_identifiers | join(', ') }},
    count(*) as class_size
from {{ model }}
group by {{ quasi_identifiers | join(', ') }}
having count(*) < {{ k }}

{% endtest %}
