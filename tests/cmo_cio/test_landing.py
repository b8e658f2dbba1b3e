"""Which export of each study a refresh builds from, and how it is named to dbt and users."""

from __future__ import annotations

from cmo_cio.landing import (
    current_exports,
    dbt_export_vars,
    describe_inputs,
    export_file,
    read_landing_folder,
)
from cmo_cio.studies import STUDIES
from tests.support import land


def test_a_newer_landed_export_supersedes_an_older_one(tmp_path):
    older = land(tmp_path, "cmo_january.csv", age=7200)
    newer = land(tmp_path, "CMO_february.parquet", age=3600)
    cio = land(tmp_path, "cio_only.csv", age=9000)
    land(tmp_path, "notes.txt")  # not an export
    exports = current_exports(tmp_path, settle_seconds=30)
    assert {key: export.path for key, export in exports.items()} == {"cmo": newer, "cio": cio}
    assert older not in [export.path for export in exports.values()]


def test_an_export_counts_once_it_has_settled(tmp_path):
    fresh = land(tmp_path, "cmo_new.csv", age=5)
    assert current_exports(tmp_path, settle_seconds=30) == {}
    assert current_exports(tmp_path, settle_seconds=0)["cmo"].path == fresh
    folder = read_landing_folder(tmp_path, settle_seconds=30)
    assert [export.path for export in folder.unsettled] == [fresh]


def test_a_folder_or_link_named_like_an_export_is_taken_for_the_contract_to_refuse(tmp_path):
    """Passing over them in silence would build from an older export without a word; the
    input contract refuses them by name instead (tests/contract)."""
    folder = tmp_path / "cmo_folder.csv"
    folder.mkdir()
    link = tmp_path / "cio_link.csv"
    link.symlink_to(tmp_path / "elsewhere.csv")  # dangling
    current = current_exports(tmp_path, settle_seconds=0)
    assert current["cmo"].path == folder
    assert current["cio"].path == link


def test_dbt_reads_the_given_export_or_the_synthetic_one(tmp_path):
    given = str(tmp_path / "cio.csv")
    variables = dbt_export_vars({"cio": given})
    assert variables == {
        "cmo_export_path": str(export_file("cmo", {})),
        "cio_export_path": given,
    }
    for study in STUDIES:
        assert export_file(study.key, {}) == study.synthetic_export
        assert study.synthetic_export.is_file()


def test_inputs_are_described_as_landed_file_or_synthetic_export(tmp_path):
    lines = describe_inputs({"cio": str(tmp_path / "cio.csv")})
    assert lines == [
        "CMO: committed synthetic export data/synthetic/cmo_study_2011_export.csv",
        f"CIO: landed export {tmp_path / 'cio.csv'}",
    ]
