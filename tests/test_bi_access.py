"""The README's BI access section works as written against a served database.

The test runs from a folder laid out like the project (`warehouse/serving.duckdb` and
`warehouse/parquet/` link to the served copy, `.venv` to the project's), so every command,
path, URL and query is taken from README.md unchanged: docs and test cannot drift apart.
Where the README writes `/absolute/path/to/the/project`, the test puts that folder.
"""

from __future__ import annotations

import contextlib
import io
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from cmo_cio.settings import PROJECT_DIR

README = PROJECT_DIR / "README.md"
COLUMNS_LINE = re.compile(r"^--\s*columns:\s*(?P<columns>.+)$", re.MULTILINE)
PLACEHOLDER = "/absolute/path/to/the/project"


def bi_access_section() -> str:
    text = README.read_text(encoding="utf-8")
    assert "\n## BI access\n" in text, "README.md has no '## BI access' section"
    section = text.split("\n## BI access\n", 1)[1]
    return re.split(r"\n## ", section, maxsplit=1)[0]


def code_blocks(language: str) -> list[str]:
    pattern = re.compile(rf"^```{language}\n(.*?)^```", re.MULTILINE | re.DOTALL)
    return pattern.findall(bi_access_section())


def documented_columns(sql: str) -> list[str]:
    match = COLUMNS_LINE.search(sql)
    assert match, f"query has no '-- columns:' line:\n{sql}"
    return [column.strip() for column in match.group("columns").split(",")]


def sqlalchemy_url_template() -> str:
    urls = re.findall(r"^duckdb:///[^\s`]+$", bi_access_section(), re.MULTILINE)
    assert len(urls) == 1, f"expected one SQLAlchemy URL on a line of its own, found {urls}"
    return urls[0]


@pytest.fixture
def project_like_dir(served_warehouse, tmp_path, monkeypatch) -> Path:
    """A working directory where the README's paths reach the served copy."""
    warehouse = tmp_path / "warehouse"
    warehouse.mkdir()
    (warehouse / "serving.duckdb").symlink_to(served_warehouse)
    (warehouse / "parquet").symlink_to(served_warehouse.parent / "parquet")
    (tmp_path / ".venv").symlink_to(Path(sys.executable).parent.parent)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("CMO_CIO_SERVING_DB", str(warehouse / "serving.duckdb"))
    monkeypatch.setenv("CMO_CIO_PARQUET_DIR", str(warehouse / "parquet"))
    return tmp_path


@pytest.fixture
def read_only_engine(project_like_dir):
    import sqlalchemy

    engine = sqlalchemy.create_engine(
        sqlalchemy_url_template().replace(PLACEHOLDER, str(project_like_dir))
    )
    yield engine
    engine.dispose()


def test_readme_documents_read_only_access_by_absolute_path():
    from cmo_cio.serving import jdbc_url, sqlalchemy_url

    section = bi_access_section()
    assert '.venv/bin/duckdb -readonly "$PWD/warehouse/serving.duckdb"' in section
    assert ".venv/bin/python -m cmo_cio.serving" in section
    served = Path(PLACEHOLDER) / "warehouse" / "serving.duckdb"
    assert sqlalchemy_url_template() == sqlalchemy_url(served)
    assert sqlalchemy_url_template().startswith("duckdb:////")
    assert f"`{jdbc_url(served)}`" in section and "`duckdb.read_only`" in section
    assert len(code_blocks("sql")) >= 4


def test_the_bi_docs_never_mention_the_restricted_microdata():
    section = bi_access_section()
    for word in ("microdata", "dim_respondent", "fct_survey_response", "respondent_"):
        assert word not in section


def test_lineage_names_the_project_models():
    (diagram,) = re.findall(r"^```mermaid\n(.*?)^```", README.read_text(), re.MULTILINE | re.DOTALL)
    models = {path.stem for path in (PROJECT_DIR / "models").rglob("*.sql")}
    # node labels in brackets: `stg_cmo[stg_cmo_study__interviews]`
    named = set(re.findall(r"\[((?:stg|int)_\w+)\]", diagram))
    assert named - models == set(), "the lineage names models that do not exist"
    intermediate = {m for m in models if m.startswith("int_")}
    assert intermediate - named == set(), "the lineage leaves out intermediate models"


@pytest.mark.slow
@pytest.mark.parametrize("index", range(len(code_blocks("sql"))))
def test_readme_query_returns_documented_columns(read_only_engine, index):
    import sqlalchemy

    sql = code_blocks("sql")[index]
    with read_only_engine.connect() as connection:
        result = connection.execute(sqlalchemy.text(sql))
        columns, rows = list(result.keys()), result.fetchall()
    assert columns == documented_columns(sql)
    assert rows, f"README query returned no rows:\n{sql}"


@pytest.mark.slow
def test_readme_url_connects_read_only(read_only_engine):
    import sqlalchemy

    with read_only_engine.connect() as connection:
        mode = connection.execute(sqlalchemy.text("select current_setting('access_mode')"))
        assert mode.scalar() == "read_only"
        with pytest.raises(sqlalchemy.exc.DBAPIError, match="read-only"):
            connection.execute(sqlalchemy.text("create table marts.scratch as select 1 as x"))


@pytest.mark.slow
def test_readme_mart_table_lists_every_served_mart(read_only_engine):
    import sqlalchemy

    table_rows = re.findall(r"^\| `(\w+)` \|", bi_access_section(), re.MULTILINE)
    with read_only_engine.connect() as connection:
        served = connection.execute(
            sqlalchemy.text(
                "select table_name from duckdb_tables() where schema_name = 'marts' "
                "order by table_name"
            )
        ).scalars()
        assert sorted(table_rows) == list(served)


@pytest.mark.slow
@pytest.mark.parametrize("index", range(len(code_blocks("sql"))))
def test_readme_query_runs_in_the_duckdb_cli(project_like_dir, index):
    sql = code_blocks("sql")[index]
    result = subprocess.run(
        [".venv/bin/duckdb", "-readonly", "-csv", "warehouse/serving.duckdb", "-c", sql],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    header, *rows = result.stdout.splitlines()
    assert header.split(",") == documented_columns(sql)
    assert rows


@pytest.mark.slow
@pytest.mark.parametrize("index", range(len(code_blocks("bash"))))
def test_readme_command_runs(project_like_dir, index):
    command = code_blocks("bash")[index]
    result = subprocess.run(
        ["bash", "-c", command],
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "PWD": str(project_like_dir)},
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip()


@pytest.mark.slow
def test_the_connection_helper_prints_what_works(project_like_dir):
    from cmo_cio.serving import sqlalchemy_url

    printed = subprocess.run(
        [".venv/bin/python", "-m", "cmo_cio.serving"], capture_output=True, text=True, check=True
    ).stdout
    served = project_like_dir / "warehouse" / "serving.duckdb"
    assert sqlalchemy_url(served) in printed
    assert f"-readonly {served.resolve()}" in printed


@pytest.mark.slow
@pytest.mark.parametrize("index", range(len(code_blocks("python"))))
def test_readme_python_snippet_runs(project_like_dir, index):
    snippet = code_blocks("python")[index]
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        exec(compile(snippet, f"README.md python block {index + 1}", "exec"), {})
    assert printed.getvalue().strip(), "the README snippet should print what it read"
