"""The scale writer writes N interviews per study as text Parquet, chunk by chunk."""

from __future__ import annotations

import csv

import pyarrow as pa
import pyarrow.parquet as pq

from cmo_cio.studies import STUDY_BY_CODE
from synthetic.scale import write_study


def test_scale_writer_writes_n_rows_in_bounded_chunks(tmp_path):
    n_rows, chunk_rows = 20_000, 5_000
    for study, id_column, panel_column in (
        ("CMO", "ResponseID", "ExternalRef"),
        ("CIO", "resp_id", "panel_uid"),
    ):
        result = write_study(study, n_rows, tmp_path, seed=2011, chunk_rows=chunk_rows)
        parquet = pq.ParquetFile(result.path)
        assert parquet.metadata.num_rows == n_rows == result.rows
        groups = [parquet.metadata.row_group(i).num_rows for i in range(parquet.num_row_groups)]
        assert groups == [chunk_rows] * (n_rows // chunk_rows)
        with STUDY_BY_CODE[study].synthetic_export.open(encoding="utf-8") as handle:
            assert parquet.schema_arrow.names == next(csv.reader(handle))
        assert all(field.type == pa.string() for field in parquet.schema_arrow)
        table = parquet.read([id_column, panel_column])
        ids = table.column(id_column).to_pylist()
        assert len(set(ids)) == n_rows
        # panel ids repeat only for the few duplicate interviews and test records
        panels = table.column(panel_column).to_pylist()
        assert n_rows - len(set(panels)) < 0.02 * n_rows
