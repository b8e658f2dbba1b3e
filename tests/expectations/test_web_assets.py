"""Data Docs offline: locked npm assets, verified, served from the docs folder; a history of
runs as long as the setting says; nothing sent to GX."""

from __future__ import annotations

import base64
import hashlib
import io
import json
import re
import tarfile
from pathlib import Path

import pytest

from cmo_cio.settings import SettingError, WarehouseSettings
from expectations import web_assets
from expectations.runner import load_suites, results_dir_of, validate_warehouse
from tests.expectations.test_runner import SUITE, make_database

LOCAL_REFERENCE = re.compile(r'<(?:script|link|img)\b[^>]*\b(?:src|href)="([^"#][^"]*)"')


@pytest.fixture(scope="module")
def suite(tmp_path_factory):
    suite_dir = tmp_path_factory.mktemp("suites")
    (suite_dir / "marts__shares.json").write_text(json.dumps(SUITE), encoding="utf-8")
    return load_suites(suite_dir)


def audit_runs(tmp_path: Path, suite, runs: int, keep_runs: int) -> Path:
    docs_dir = tmp_path / "gx_docs"
    for number in range(runs):
        database = make_database(tmp_path / f"run{number}.duckdb")
        validate_warehouse(database, docs_dir, suite, keep_runs=keep_runs, run_name=f"run-{number}")
    return docs_dir


def test_the_history_setting_prunes_the_docs_to_that_many_runs(tmp_path, suite):
    keep_runs = WarehouseSettings.from_env({"CMO_CIO_GX_DOCS_KEEP_RUNS": "2"}).gx_docs_keep_runs

    docs_dir = audit_runs(tmp_path, suite, runs=4, keep_runs=keep_runs)

    results = results_dir_of(docs_dir)
    kept = {folder.name for folder in results.glob("marts__shares/*")}
    pages = {folder.name for folder in (docs_dir / "validations" / "marts__shares").iterdir()}
    index = (docs_dir / "index.html").read_text(encoding="utf-8")
    assert kept == pages == {"run-2", "run-3"}
    assert len(list(results.rglob("*.json"))) == 2
    assert set(re.findall(r"'run_name': '(run-\d)'", index)) == {"run-2", "run-3"}


@pytest.mark.parametrize("value", ["0", "-3", "all", "2.5", "²"])
def test_a_bad_history_length_names_its_variable(value):
    with pytest.raises(SettingError, match="CMO_CIO_GX_DOCS_KEEP_RUNS"):
        WarehouseSettings.from_env({"CMO_CIO_GX_DOCS_KEEP_RUNS": value})


def test_pages_load_nothing_from_outside_and_carry_no_context_id(tmp_path, suite):
    docs_dir = audit_runs(tmp_path, suite, runs=2, keep_runs=5)

    pages = sorted(docs_dir.rglob("*.html"))
    assert len(pages) == 4  # the index, the suite, two validations
    for page in pages:
        text = page.read_text(encoding="utf-8")
        assert web_assets.outside_urls(page) == [], page
        assert "dataContextId" not in text and "greatexpectations.io" not in text, page
        # Every script, stylesheet, icon and image the page loads is in the docs folder.
        for reference in LOCAL_REFERENCE.findall(text):
            target = (page.parent / reference).resolve()
            assert target.is_file() and target.is_relative_to(docs_dir), (page, reference)
    fonts = docs_dir / "static" / "vendor" / "@fortawesome" / "fontawesome-free@6.6.0"
    stylesheet = (fonts / "css" / "all.min.css").read_text(encoding="utf-8")
    for font in set(re.findall(r"url\((\.\./webfonts/[^)]+)\)", stylesheet)):
        assert (fonts / "css" / font).resolve().is_file(), font


def test_every_cdn_url_of_the_gx_templates_is_served_locally():
    import great_expectations

    templates = Path(great_expectations.__file__).parent / "render" / "view" / "templates"
    urls = {
        url
        for template in templates.glob("*.j2")
        for url in re.findall(
            r'<(?:script|link)\b[^>]*\b(?:src|href)="(https?://[^"]+)"', template.read_text()
        )
    }
    assert urls and urls <= set(web_assets.CDN_FILES), sorted(urls - set(web_assets.CDN_FILES))
    packages = web_assets.locked_packages()
    for name, path in web_assets.CDN_FILES.values():
        assert packages[name].wants(path), (name, path)


def fake_package(
    tmp_path: Path, integrity: str | None = None, files: tuple[str, ...] = ("dist/lib.js",)
) -> tuple[Path, Path]:
    """A one-file npm tarball served from a file:// URL, and a lock pinning it (and listing
    `files` as the ones the pages need)."""
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as archive:
        for name, data in [("package/dist/lib.js", b"window.lib = 1;"), ("package/x.md", b"")]:
            info = tarfile.TarInfo(name)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
    tarball = tmp_path / "lib-1.0.0.tgz"
    tarball.write_bytes(buffer.getvalue())
    digest = base64.b64encode(hashlib.sha512(buffer.getvalue()).digest()).decode()
    lock = tmp_path / "lock.json"
    entry = {
        "version": "1.0.0",
        "resolved": tarball.as_uri(),
        "integrity": integrity or f"sha512-{digest}",
        "files": list(files),
    }
    lock.write_text(json.dumps({"packages": {"lib": entry}}), encoding="utf-8")
    return lock, tmp_path / "cache"


def test_a_verified_tarball_is_cached_with_only_the_files_the_pages_need(tmp_path):
    lock, cache = fake_package(tmp_path)
    with pytest.raises(web_assets.WebAssetsMissing, match=r"lib@1\.0\.0"):
        web_assets.require(lock, cache)

    assert [package.folder for package in web_assets.install(lock, cache)] == ["lib@1.0.0"]

    assert (cache / "lib@1.0.0" / "dist" / "lib.js").read_bytes() == b"window.lib = 1;"
    assert not (cache / "lib@1.0.0" / "x.md").exists()
    assert web_assets.require(lock, cache)
    assert web_assets.install(lock, cache) == []  # cached: not fetched again


def test_a_tarball_that_is_not_the_locked_one_is_refused(tmp_path):
    wrong = "sha512-" + base64.b64encode(hashlib.sha512(b"other").digest()).decode()
    lock, cache = fake_package(tmp_path, integrity=wrong)

    with pytest.raises(web_assets.IntegrityError, match="the lock says"):
        web_assets.install(lock, cache)

    assert not (cache / "lib@1.0.0").exists()


def test_a_locked_tarball_lacking_a_listed_file_is_named_as_such(tmp_path):
    lock, cache = fake_package(tmp_path, files=("dist/lib.js", "dist/lib.css"))

    with pytest.raises(
        web_assets.PackageFilesMissing, match=r"lib@1\.0\.0 .* has no dist/lib\.css"
    ):
        web_assets.install(lock, cache)

    assert not (cache / "lib@1.0.0").exists()


def test_the_lock_pins_exact_versions_from_the_npm_registry():
    for package in web_assets.locked_packages().values():
        assert re.fullmatch(r"\d+\.\d+\.\d+", package.version), package.folder
        assert package.resolved.startswith(f"https://registry.npmjs.org/{package.name}/-/")
        assert package.resolved.endswith(f"-{package.version}.tgz")
        assert re.fullmatch(r"sha512-[A-Za-z0-9+/]{86}==", package.integrity), package.folder
