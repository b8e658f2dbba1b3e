"""The assets of a refresh: the dbt build (`dbt`) and what is served from it (`serving`)."""
