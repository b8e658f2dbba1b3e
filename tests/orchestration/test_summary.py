"""The summary's own formatting (no refresh needed)."""

from __future__ import annotations

import re

from orchestration.summary import _row_counts


def test_row_counts_wrap_between_tables_never_inside_one():
    counts = {f"fig{index:02d}_a_rather_long_mart_name": index * 1_000 for index in range(12)}
    lines = _row_counts("marts", counts, width=80)
    assert len(lines) > 1
    assert all(len(line) <= 80 for line in lines)
    pairs = re.findall(r"(fig\d\d_a_rather_long_mart_name) ([\d,]+)", "\n".join(lines))
    assert {table: int(rows.replace(",", "")) for table, rows in pairs} == counts
