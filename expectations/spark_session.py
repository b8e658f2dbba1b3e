"""The Spark side of the audit: a local session over the Spark engine's tables.

`audit_session` starts a local Spark session with an in-memory catalog (no Hive metastore, so
it never contends with dbt for the embedded one), registers each table the engine wrote
(`<tables_dir>/<schema>.db/<table>/`, Parquet) under its `schema.table` name, and the export
files a raw suite reads as DataFrames of text columns. The JVM ends with the session, so a
later dbt run (or another audit) in the same process starts clean.
`SparkSource` gives the runner what it needs of one suite: queries for its parameters, the
row count, and a GX batch of the table as a Spark DataFrame.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

# as the spark target of profiles.yml, which built the tables
SESSION_CONFIG = {
    "spark.master": os.environ.get("CMO_CIO_SPARK_MASTER", "local[2]"),
    "spark.app.name": "cmo_cio_audit",
    "spark.driver.memory": os.environ.get("CMO_CIO_SPARK_DRIVER_MEMORY", "2g"),
    "spark.sql.shuffle.partitions": os.environ.get("CMO_CIO_SPARK_SHUFFLE_PARTITIONS", "2"),
    "spark.ui.enabled": "false",
    "spark.ui.showConsoleProgress": "false",
    "spark.sql.catalogImplementation": "in-memory",
    "spark.sql.session.timeZone": "UTC",
    "spark.sql.timestampType": "TIMESTAMP_NTZ",
}
# RFC 4180 CSV, as the raw export relations of dbt read it (macros/raw_exports.sql)
CSV_OPTIONS = {"header": "true", "escape": '"', "multiLine": "true"}


@contextmanager
def audit_session(tables_dir: Path, export_files: dict[str, Path]) -> Iterator:
    """A Spark session with every table of `tables_dir` registered, and each export file
    as a DataFrame by the table name its suite checks: `(spark, exports)`."""
    from pyspark.sql import SparkSession

    builder = SparkSession.builder
    for key, value in SESSION_CONFIG.items():
        builder = builder.config(key, value)
    spark = builder.getOrCreate()
    spark.sparkContext.setLogLevel("ERROR")
    try:
        _register_tables(spark, Path(tables_dir))
        exports = {table: export_frame(spark, path) for table, path in export_files.items()}
        yield spark, exports
    finally:
        _stop(spark)


def export_frame(spark, path: Path):
    """An export file (CSV or Parquet) as a DataFrame, every column as text."""
    from pyspark.sql import functions

    path = str(Path(path).resolve())
    if path.lower().endswith(".parquet"):
        frame = spark.read.parquet(path)
    else:
        frame = spark.read.options(**CSV_OPTIONS).csv(path)
    return frame.select([functions.col(f"`{name}`").cast("string") for name in frame.columns])


class SparkSource:
    """Batches and queries of the audit session, for the runner."""

    def __init__(self, spark, datasource, exports: dict) -> None:
        self.spark = spark
        self.datasource = datasource
        self.exports = exports  # table name -> DataFrame of an export file

    def frame(self, table: str):
        return self.exports[table] if table in self.exports else self.spark.table(table)

    def rows(self, query: str) -> list[tuple]:
        return [tuple(row) for row in self.spark.sql(query).collect()]

    def row_count(self, table: str) -> int:
        return self.frame(table).count()

    def batch(self, suite):
        """The batch definition of the suite's table, and the DataFrame it validates."""
        asset = self.datasource.add_dataframe_asset(name=suite.name)
        definition = asset.add_batch_definition_whole_dataframe("whole_dataframe")
        return definition, {"dataframe": self.frame(suite.table)}


def _register_tables(spark, tables_dir: Path) -> None:
    for schema_dir in sorted(tables_dir.glob("*.db")):
        schema = schema_dir.name.removesuffix(".db")
        spark.sql(f"create database if not exists `{schema}`")
        for table_dir in sorted(path for path in schema_dir.iterdir() if path.is_dir()):
            if any(table_dir.glob("*.parquet")):
                spark.catalog.createTable(
                    f"`{schema}`.`{table_dir.name}`", path=str(table_dir), source="parquet"
                )


def _stop(spark) -> None:
    """Stop the session and its JVM (pyspark would keep the JVM for the process's life)."""
    from pyspark import SparkContext

    spark.stop()
    gateway = SparkContext._gateway
    if gateway is not None:
        gateway.shutdown()
        process = getattr(gateway, "proc", None)
        if process is not None:
            process.kill()
            process.wait()
        SparkContext._gateway = None
        SparkContext._jvm = None
