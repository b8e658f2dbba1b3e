"""The static HTML report of the warehouse (see report/build.py)."""

from report.build import build_report

__all__ = ["build_report"]
