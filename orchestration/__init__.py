"""Dagster code location that refreshes, audits and publishes the CMO/CIO warehouse.

Importing this package is cheap: Dagster, dbt and Great Expectations are imported by the
submodules that need them (`definitions`, `assets`), never here.
"""
