"""`make ui`: `dg dev` finds the code location in pyproject.toml and serves it, unwarned."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from contextlib import suppress

import pytest

from cmo_cio.settings import PROJECT_DIR

LOCATION = "orchestration.definitions"


def test_dg_reads_the_code_location_from_pyproject_without_a_warning(capsys):
    from dagster_dg_core.context import DgContext

    context = DgContext.from_file_discovery_and_command_line_config(PROJECT_DIR, {})
    assert context.is_project
    assert context.root_path.resolve() == PROJECT_DIR
    assert context.code_location_target_module_name == LOCATION
    # the name `dagster dev -m` gave it, under which the instance keeps the sensor's cursor
    assert context.code_location_name == LOCATION
    assert capsys.readouterr().err == ""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def get_json(url: str, query: str | None = None) -> dict:
    data = None if query is None else json.dumps({"query": query}).encode()
    request = urllib.request.Request(url, data, {"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.load(response)


LOCATIONS_QUERY = """{ workspaceOrError { ... on Workspace { locationEntries {
  name loadStatus locationOrLoadError { __typename ... on RepositoryLocation {
    repositories { schedules { name } sensors { name } } } } } } } }"""


@pytest.mark.slow
def test_make_ui_serves_the_code_location_with_no_warning(run_folders):
    port = free_port()
    output = run_folders / "ui.log"
    with output.open("w") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "orchestration.ui", "-p", str(port)],
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
            cwd=PROJECT_DIR,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        entries: list = []
        while time.monotonic() < deadline and process.poll() is None:
            with suppress(OSError):
                assert get_json(f"{base}/server_info")["dagster_version"]
                workspace = get_json(f"{base}/graphql", LOCATIONS_QUERY)["data"]
                entries = workspace["workspaceOrError"]["locationEntries"]
                if entries and entries[0]["loadStatus"] == "LOADED":
                    break
            time.sleep(1)
        assert [entry["name"] for entry in entries] == [LOCATION], output.read_text()
        location = entries[0]["locationOrLoadError"]
        assert location["__typename"] == "RepositoryLocation", location
        (repository,) = location["repositories"]
        assert repository["schedules"] == [{"name": "daily_refresh"}]
        assert repository["sensors"] == [{"name": "landing_export_sensor"}]
    finally:
        with suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGINT)
        try:
            process.wait(timeout=30)
        finally:
            with suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait()
    printed = output.read_text()
    assert "dg dev -p" in printed
    assert f"Serving dagster-webserver on {base}" in printed
    assert "warning" not in printed.lower(), printed
