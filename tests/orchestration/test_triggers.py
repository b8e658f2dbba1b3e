"""The daily schedule and the landing sensor start refreshes from the current inputs."""

from __future__ import annotations

import json
import os
import time

from dagster import (
    RunRequest,
    SkipReason,
    build_schedule_context,
    build_sensor_context,
    instance_for_test,
)

from cmo_cio.lock import refresh_lock
from tests.support import SETTLED_AGE, land


def exports_of(request: RunRequest) -> dict:
    return request.run_config["ops"]["raw_exports"]["config"]["exports"]


def evaluate_schedule(defs, warehouse):
    schedule = defs.resolve_schedule_def("daily_refresh")
    with (
        instance_for_test() as instance,
        build_schedule_context(instance=instance, resources={"warehouse": warehouse}) as context,
    ):
        return schedule.evaluate_tick(context)


def evaluate_sensor(warehouse, instance, cursor=None):
    from orchestration.triggers import landing_export_sensor

    with build_sensor_context(
        instance=instance, cursor=cursor, resources={"warehouse": warehouse}
    ) as context:
        result = landing_export_sensor(context)
    return result, context


def test_schedule_with_no_landed_export_builds_from_the_synthetic_exports(defs, warehouse):
    (request,) = evaluate_schedule(defs, warehouse).run_requests
    assert request.tags["cmo_cio_warehouse/trigger"] == "schedule"
    assert exports_of(request) == {}  # both studies from their synthetic exports
    assert request.tags["cmo_cio_warehouse/inputs"] == "cmo=synthetic+cio=synthetic"


def test_schedule_builds_from_the_landed_export_not_the_synthetic_one(defs, warehouse, run_folders):
    export = land(run_folders / "landing", "cmo_2012_export.csv")
    (request,) = evaluate_schedule(defs, warehouse).run_requests
    assert exports_of(request) == {"cmo": str(export.resolve())}
    assert request.tags["cmo_cio_warehouse/inputs"].startswith("cmo=cmo_2012_export.csv@")
    assert request.tags["cmo_cio_warehouse/inputs"].endswith("+cio=synthetic")


def test_schedule_ignores_an_export_still_being_copied(defs, warehouse, run_folders):
    settled = land(run_folders / "landing", "cio_2011.csv")
    land(run_folders / "landing", "cio_2012.csv", age=0)  # newer, but may be half-written
    (request,) = evaluate_schedule(defs, warehouse).run_requests
    assert exports_of(request) == {"cio": str(settled.resolve())}


def test_schedule_skips_while_a_refresh_holds_the_lock(defs, warehouse):
    with refresh_lock(warehouse.settings.refresh_lock_file):
        result = evaluate_schedule(defs, warehouse)
    assert not result.run_requests
    assert "refresh" in result.skip_message


def test_sensor_waits_for_a_fresh_export_to_settle(warehouse, run_folders):
    landing = run_folders / "landing"
    with instance_for_test() as instance:
        result, _ = evaluate_sensor(warehouse, instance)
        assert isinstance(result, SkipReason)
        assert "no new export" in result.skip_message

        export = land(landing, "cmo_2012_export.csv", age=0)
        waiting, context = evaluate_sensor(warehouse, instance)
        assert isinstance(waiting, SkipReason)
        assert "cmo_2012_export.csv to settle" in waiting.skip_message
        assert context.cursor is None

        settled = time.time() - SETTLED_AGE
        os.utime(export, (settled, settled))
        result, _ = evaluate_sensor(warehouse, instance)
    (request,) = result.run_requests
    assert exports_of(request) == {"cmo": str(export.resolve())}


def test_sensor_builds_from_both_studies_current_inputs(warehouse, run_folders):
    landing = run_folders / "landing"
    with instance_for_test() as instance:
        cmo = land(landing, "cmo_2012_export.csv", age=1200)
        first, _ = evaluate_sensor(warehouse, instance)
        (request,) = first.run_requests
        assert exports_of(request) == {"cmo": str(cmo.resolve())}
        assert json.loads(first.cursor).keys() == {"cmo_2012_export.csv"}

        # The same file again: nothing to do.
        again, _ = evaluate_sensor(warehouse, instance, cursor=first.cursor)
        assert isinstance(again, SkipReason)

        # A CIO export lands: the refresh keeps the landed CMO export, not the synthetic one.
        cio = land(landing, "CIO_export.parquet", content="PAR1")
        second, _ = evaluate_sensor(warehouse, instance, cursor=first.cursor)
    (request,) = second.run_requests
    assert exports_of(request) == {"cmo": str(cmo.resolve()), "cio": str(cio.resolve())}
    assert request.run_key.startswith("cmo=cmo_2012_export.csv@")
    assert "+cio=CIO_export.parquet@" in request.run_key
    assert request.tags["cmo_cio_warehouse/trigger"] == "landing"
    assert json.loads(second.cursor).keys() == {"cmo_2012_export.csv", "CIO_export.parquet"}


def test_sensor_ignores_an_export_superseded_by_a_newer_one(warehouse, run_folders):
    landing = run_folders / "landing"
    with instance_for_test() as instance:
        newer = land(landing, "cmo_march.csv", age=600)
        first, _ = evaluate_sensor(warehouse, instance)
        assert exports_of(first.run_requests[0]) == {"cmo": str(newer.resolve())}

        # An older export copied in later (its modification time kept) changes nothing.
        land(landing, "cmo_january.csv", age=9000)
        second, _ = evaluate_sensor(warehouse, instance, cursor=first.cursor)
        assert not second.run_requests
        assert "superseded" in second.skip_reason.skip_message
        assert "cmo_january.csv" in json.loads(second.cursor)

        # A newer export does replace the current one.
        newest = land(landing, "cmo_april.csv", age=60)
        third, _ = evaluate_sensor(warehouse, instance, cursor=second.cursor)
    (request,) = third.run_requests
    assert exports_of(request) == {"cmo": str(newest.resolve())}


def test_sensor_picks_up_a_replaced_export(warehouse, run_folders):
    export = land(run_folders / "landing", "cmo.csv", age=1200)
    with instance_for_test() as instance:
        first, _ = evaluate_sensor(warehouse, instance)
        land(run_folders / "landing", "cmo.csv", content="ResponseID\nR_1\n")
        second, _ = evaluate_sensor(warehouse, instance, cursor=first.cursor)
    assert len(second.run_requests) == 1
    assert second.run_requests[0].run_key != first.run_requests[0].run_key
    assert exports_of(second.run_requests[0]) == {"cmo": str(export.resolve())}


def test_sensor_waits_while_a_refresh_runs_and_keeps_the_export_pending(warehouse, run_folders):
    land(run_folders / "landing", "cio_new.csv", content="resp_id\n")
    with instance_for_test() as instance:
        with refresh_lock(warehouse.settings.refresh_lock_file):
            waiting, context = evaluate_sensor(warehouse, instance)
        assert isinstance(waiting, SkipReason)
        assert "waits" in waiting.skip_message
        assert context.cursor is None
        later, _ = evaluate_sensor(warehouse, instance)
    assert len(later.run_requests) == 1


def test_sensor_reads_the_landing_folder_of_its_resource(warehouse, run_folders, tmp_path):
    """The folder is a resource setting: another landing folder, another answer."""
    from orchestration.resources import WarehouseResource

    land(run_folders / "landing", "cmo_here.csv")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    other = WarehouseResource(**{**warehouse.model_dump(), "landing_dir": str(elsewhere)})
    with instance_for_test() as instance:
        here, _ = evaluate_sensor(warehouse, instance)
        there, _ = evaluate_sensor(other, instance)
    assert len(here.run_requests) == 1
    assert isinstance(there, SkipReason)
