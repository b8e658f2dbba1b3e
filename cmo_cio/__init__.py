"""What every part of the warehouse shares, with no Dagster, dbt or GX import.

- `cmo_cio.settings`: run-time paths and settings (one declaration, read from the environment);
- `cmo_cio.studies`: the study registry (CMO, CIO): export file pattern, dbt var, dbt source;
- `cmo_cio.landing`: which export of each study a refresh builds from;
- `cmo_cio.publish`: the atomic publish of the audited marts to what BI tools read;
- `cmo_cio.lock`: at most one refresh at a time.

`orchestration` (the Dagster code location), `report`, `expectations` and `synthetic` import
from here; nothing here imports them.
"""
