"""Hand-written DuckDB baseline of the warehouse and its comparison with the dbt marts."""
