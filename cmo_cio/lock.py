"""At most one refresh at a time: an exclusive lock on a file beside the build database.

The refresh job holds it from the dbt build to the publish, whoever started the run (the
headless command, the UI, the schedule or the sensor). The operating system releases it when
the holding process ends, so a crashed run never leaves a stale lock behind.
"""

from __future__ import annotations

import fcntl
import os
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path


class RefreshInProgressError(RuntimeError):
    """Another refresh holds the lock."""


@contextmanager
def refresh_lock(lock_file: Path, holder: str = "") -> Iterator[Path]:
    """Hold the refresh lock for the duration of the block, or fail at once if it is taken."""
    lock_file = Path(lock_file)
    lock_file.parent.mkdir(parents=True, exist_ok=True)
    with open(lock_file, "a+", encoding="utf-8") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            current = handle.read().strip() or "unknown holder"
            raise RefreshInProgressError(
                f"another refresh is in progress ({current}); lock file {lock_file}"
            ) from None
        try:
            handle.seek(0)
            handle.truncate()
            handle.write(f"pid {os.getpid()} since {datetime.now(UTC):%Y-%m-%dT%H:%M:%SZ} {holder}")
            handle.flush()
            yield lock_file
        finally:
            handle.seek(0)
            handle.truncate()
            fcntl.flock(handle, fcntl.LOCK_UN)


def refresh_lock_is_held(lock_file: Path) -> bool:
    """True while some process holds the refresh lock (checked without waiting)."""
    lock_file = Path(lock_file)
    if not lock_file.exists():
        return False
    with open(lock_file, "a+", encoding="utf-8") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return True
        fcntl.flock(handle, fcntl.LOCK_UN)
        return False
