"""`python -m orchestration.ui`: the Dagster UI over this code location, schedule live.

Runs `dg dev` (webserver and daemon, so the daily schedule and the landing sensor tick) in
the project folder, where `[tool.dg]` in pyproject.toml names the code location: `defs` in
`orchestration.definitions`. DAGSTER_HOME defaults to `warehouse/dagster_home`; the
committed `orchestration/dagster.yaml` (one refresh at a time) is copied into it on every
start. The headless refresh (`python -m orchestration`) records its runs in the same home.
Extra arguments go to `dg dev` (for example `-p 3001`).
"""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

from cmo_cio.settings import PROJECT_DIR, WAREHOUSE_DIR

# not in the project folder, where `dg dev` would warn that it is not used
INSTANCE_CONFIG = PROJECT_DIR / "orchestration" / "dagster.yaml"


def prepare_dagster_home() -> Path:
    """Create DAGSTER_HOME (default warehouse/dagster_home) holding the committed dagster.yaml."""
    home = Path(os.environ.get("DAGSTER_HOME") or WAREHOUSE_DIR / "dagster_home")
    home = home if home.is_absolute() else PROJECT_DIR / home
    home.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(INSTANCE_CONFIG, home / "dagster.yaml")
    return home


def dg_dev_command(extra_args: list[str]) -> list[str]:
    dg = Path(sys.executable).with_name("dg")
    return [str(dg), "dev", *extra_args]


def main(argv: list[str] | None = None) -> None:
    home = prepare_dagster_home()
    command = dg_dev_command(sys.argv[1:] if argv is None else argv)
    env = {**os.environ, "DAGSTER_HOME": str(home)}
    if sys.prefix != sys.base_prefix:
        # the environment this runs in counts as activated: `dg` warns when the project's
        # .venv is not the active one
        env["VIRTUAL_ENV"] = sys.prefix
    env["PYTHONPATH"] = os.pathsep.join(
        part for part in (str(PROJECT_DIR), env.get("PYTHONPATH", "")) if part
    )
    print(f"DAGSTER_HOME={home}\n{' '.join(command)}", flush=True)
    os.chdir(PROJECT_DIR)
    os.execve(command[0], command, env)


if __name__ == "__main__":
    main()
