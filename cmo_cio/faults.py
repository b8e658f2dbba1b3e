"""Failpoints for crash tests: a refresh kills itself where `CMO_CIO_FAULT_AT` says.

The kill test (tests/contract/test_faults.py) sets `CMO_CIO_FAULT_AT` to one of `POINTS`
and checks that the served files survive a `kill -9` there and that the next refresh cleans
up and succeeds. Unset, as in every real run, `fault_point` does nothing.
"""

from __future__ import annotations

import os
import signal

POINTS = (
    "dbt",  # the dbt build has started
    "gx_audit",  # the audit has validated, nothing is published yet
    "publish_staged",  # the new serving and microdata files are written, not renamed
    "publish_half_swapped",  # the microdata file is replaced, the serving one not yet
    "report",  # the report is being written
)


def fault_point(name: str) -> None:
    """Die here, as `kill -9` of the refresh would, when this is the configured failpoint:
    the whole process group (dbt's subprocess too) when the refresh leads its group."""
    if os.environ.get("CMO_CIO_FAULT_AT") == name:
        if os.getpgrp() == os.getpid():
            os.killpg(os.getpid(), signal.SIGKILL)
        os.kill(os.getpid(), signal.SIGKILL)
