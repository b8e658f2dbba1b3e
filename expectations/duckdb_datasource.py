"""Great Expectations 1.x SQL datasource for DuckDB files (duckdb-engine), validating in-database.

Why this exists (GX 1.24.1, duckdb-engine 0.17.0, duckdb 2.0.1, SQLAlchemy 2.1.9):

1. `SqlAlchemyExecutionEngine.execute_query()` runs the query inside
   `with self.engine.connect() as connection:` and returns the *unfetched* CursorResult; callers
   call `.fetchall()` / `.scalar()` after the connection has been released.  A duckdb-engine
   cursor is not a DB-API cursor with its own result set: `CursorWrapper` delegates to the one
   `DuckDBPyConnection`, which holds a single pending result.  Releasing the SQLAlchemy
   connection issues `ROLLBACK` on that DuckDB connection (closing the autobegun transaction),
   and that statement discards the pending result.  `.fetchall()` then returns `[]`, so
   `resolve_metric_bundle` fails with `IndexError: list index out of range` on `res[0]`.
   GX keeps a persistent connection only for sqlite / mssql / bigquery / databricks
   (`_PERSISTED_CONNECTION_DIALECTS`), and psycopg2 & co. buffer results client-side, so other
   backends never see this.  Fix: keep one connection open, as GX does for sqlite, so nothing
   runs on the DuckDB connection between execute and fetch (and roll back after a failed
   statement, because DuckDB aborts the transaction).

2. Column reflection (`table.column_types` -> `table.columns`, needed by every column
   expectation) uses `Inspector.get_columns()`, whose PostgreSQL query in SQLAlchemy >= 2.0.45
   joins `pg_catalog.pg_collation.collnamespace`; DuckDB's stub view has no such column, so it
   raises.  GX then falls back to `SELECT * FROM <table> LIMIT 1` *without the schema*, which
   fails for any table outside the default schema.  Fix: reflect columns from
   `duckdb_columns()` instead.

3. GX chooses regex SQL from `execution_engine.dialect_module`, which it leaves None for
   unknown dialects: expect_column_values_to_match_regex raises "Regex is not supported for
   dialect duckdb".  Fix: use PostgreSQL's (DuckDB's `~` / `!~` are search semantics, as in PG).

Usage:

    import expectations.duckdb_datasource  # registers context.data_sources.add_duckdb
    ds = context.data_sources.add_duckdb("wh", connection_string="duckdb:////abs/path.duckdb",
                                         kwargs={"connect_args": {"read_only": True}})
    ...
    dispose(ds)  # close every DuckDB connection GX opened (releases the file)
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, Literal, Type  # noqa: UP035

import sqlalchemy as sa
import sqlalchemy.dialects.postgresql as sa_postgresql
from duckdb_engine import DuckDBInspector
from great_expectations.datasource.fluent.sql_datasource import SQLDatasource
from great_expectations.execution_engine import SqlAlchemyExecutionEngine
from sqlalchemy.exc import NoSuchTableError
from sqlalchemy.types import NullType, Numeric

__all__ = ["DuckDBDatasource", "DuckDBExecutionEngine", "dispose"]

# DuckDB type names that PostgreSQL's ischema_names spell differently.
_TYPE_ALIASES = {
    "double": "float8",
    "float": "float4",
    "real": "float4",
    "decimal": "numeric",
    "blob": "bytea",
    "integer": "int4",
    "bigint": "int8",
    "smallint": "int2",
    "boolean": "bool",
}


class _DuckDBColumnsInspector(DuckDBInspector):
    """Reflects columns and primary keys from DuckDB's own catalog functions."""

    def _table_rows(self, sql: str, table_name: str, schema: str | None, tail: str = "") -> list:
        if schema is None and "." in str(table_name):  # table asset named "schema.table"
            schema, table_name = str(table_name).split(".", 1)
        query = sa.text(
            f"{sql} where table_name = :t and schema_name = coalesce(:s, current_schema())"
            f" and database_name = current_database() {tail}"
        )
        with self._operation_context() as conn:
            return conn.execute(query, {"t": str(table_name), "s": schema}).fetchall()

    def _sa_type(self, data_type: str) -> Any:
        base = data_type.lower().split("(")[0].strip()
        type_cls = self.dialect.ischema_names.get(_TYPE_ALIASES.get(base, base))
        if type_cls is None:
            return NullType()
        args = re.findall(r"\d+", data_type) if issubclass(type_cls, Numeric) else []
        try:
            return type_cls(*map(int, args))
        except TypeError:
            return type_cls()

    def get_columns(self, table_name: str, schema: str | None = None, **kw: Any) -> list[dict]:
        rows = self._table_rows(
            "select column_name, data_type, is_nullable, column_default, comment"
            " from duckdb_columns()",
            table_name,
            schema,
            tail="order by column_index",
        )
        if not rows:
            raise NoSuchTableError(f"{schema}.{table_name}" if schema else table_name)
        return [
            {
                "name": name,
                "type": self._sa_type(data_type),
                "nullable": bool(nullable),
                "default": default,
                "comment": comment,
                "autoincrement": False,
            }
            for name, data_type, nullable, default, comment in rows
        ]

    def get_pk_constraint(self, table_name: str, schema: str | None = None, **kw: Any) -> dict:
        rows = self._table_rows(
            "select constraint_column_names from"
            " (select * from duckdb_constraints() where constraint_type = 'PRIMARY KEY')",
            table_name,
            schema,
        )
        return {"constrained_columns": list(rows[0][0]) if rows else [], "name": None}


class DuckDBExecutionEngine(SqlAlchemyExecutionEngine):
    """SqlAlchemyExecutionEngine that keeps one connection open, as GX does for sqlite.

    GX's callers fetch from the result after `execute_query()` has left its
    `with get_connection()` block; with a persistent connection nothing runs on the DuckDB
    connection between execute and fetch, so the (streaming) result is still there, and
    `fetchmany(200)` of an unexpected-rows query reads 200 rows, not the whole result.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # `sa.inspect(engine)` instantiates `engine.dialect.inspector`; each engine has its own
        # dialect instance, so this only affects the engine of this execution engine.
        self.engine.dialect.inspector = _DuckDBColumnsInspector
        # GX picks SQL for regex (and a few other dialect-specific conditions) from
        # `dialect_module`, which it leaves None for dialects it does not know, so
        # expect_column_values_to_match_regex raises "Regex is not supported for dialect duckdb".
        # duckdb-engine's dialect is PostgreSQL's, and DuckDB's `~` / `!~` are PostgreSQL's
        # partial-match (search) regex operators.
        self.dialect_module = sa_postgresql

    @contextmanager
    def get_connection(self) -> Iterator[sa.Connection]:
        if self._connection is None or self._connection.closed:
            self._connection = self.engine.connect()
        try:
            yield self._connection
        except Exception:
            # A failed statement aborts DuckDB's transaction ("Current transaction is aborted");
            # roll back so the next metric's query runs.
            if self._connection.in_transaction():
                self._connection.rollback()
            raise

    def close(self) -> None:
        if self._connection is not None:
            self._connection.close()
            self._connection = None
        self.engine.dispose()


class DuckDBDatasource(SQLDatasource):
    """`context.data_sources.add_duckdb(name, connection_string="duckdb:////abs/file.duckdb")`."""

    type: Literal["duckdb"] = "duckdb"  # type: ignore[assignment]

    @property
    def execution_engine_type(self) -> Type[SqlAlchemyExecutionEngine]:  # noqa: UP006
        return DuckDBExecutionEngine


def dispose(datasource: SQLDatasource) -> None:
    """Close the DuckDB connections of both SQLAlchemy engines GX keeps for a datasource.

    GX builds one engine for the datasource (connection tests) and another inside its execution
    engine (metrics); neither is disposed by GX, and an open DuckDB connection keeps the file
    locked (read-write) or shared-locked (read-only).  Dropping the context and running
    gc.collect() did not release them in tests: call this when validation is done.
    """
    execution_engine = datasource.execution_engine  # None if no validation ran
    if execution_engine is not None:
        execution_engine.close()  # -> engine.dispose()
    engine = datasource._engine  # the datasource-level engine (private attribute of GX 1.x)
    if engine is not None:
        engine.dispose()
