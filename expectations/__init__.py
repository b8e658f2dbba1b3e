"""Great Expectations suites of the warehouse (`suites/*.json`) and the runner that applies them.

`expectations.runner.validate_warehouse(database, docs_dir)` validates every suite and writes
Data Docs; importing this package does not import Great Expectations.
"""
