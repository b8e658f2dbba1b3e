"""python -m report [SERVING_DB [OUT_DIR]]: build the HTML report.

Defaults are the settings serving_db (CMO_CIO_SERVING_DB, warehouse/serving.duckdb) and
report_dir (CMO_CIO_REPORT_DIR, warehouse/report) of `cmo_cio.settings`.
"""

from __future__ import annotations

import sys
from pathlib import Path

from cmo_cio.settings import WarehouseSettings
from report.build import build_report


def main(argv: list[str]) -> int:
    if len(argv) > 2:
        print(__doc__, file=sys.stderr)
        return 2
    settings = WarehouseSettings.from_env()
    serving_db = Path(argv[0]) if argv else settings.serving_db
    out_dir = Path(argv[1]) if len(argv) > 1 else settings.report_dir
    print(build_report(serving_db, out_dir))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
