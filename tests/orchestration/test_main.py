"""`python -m orchestration` builds from the current inputs unless told otherwise."""

from __future__ import annotations

from cmo_cio.settings import WarehouseSettings
from tests.support import land


def test_headless_refresh_builds_from_the_current_inputs_unless_told_otherwise(run_folders):
    from orchestration.__main__ import parse_args, refresh_exports

    landing = run_folders / "landing"
    settings = WarehouseSettings.from_env()
    assert refresh_exports(settings, {}) == {}
    cmo = land(landing, "cmo_2012.csv")
    cio = land(landing, "cio_2012.parquet")
    assert refresh_exports(settings, {}) == {"cmo": str(cmo.resolve()), "cio": str(cio.resolve())}
    # An export given on the command line replaces only its own study's current input.
    given = run_folders / "cio_elsewhere.csv"
    args = parse_args(["--cio-export", str(given)])
    assert refresh_exports(settings, {"cmo": args.cmo_export, "cio": args.cio_export}) == {
        "cmo": str(cmo.resolve()),
        "cio": str(given.resolve()),
    }
