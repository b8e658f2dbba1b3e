"""At most one refresh at a time: the lock admits one holder and frees itself."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest

from cmo_cio.lock import RefreshInProgressError, refresh_lock, refresh_lock_is_held


def test_refresh_lock_admits_one_holder(tmp_path):
    lock_file = tmp_path / "build.duckdb.refresh.lock"
    assert not refresh_lock_is_held(lock_file)
    with refresh_lock(lock_file, holder="first"):
        assert refresh_lock_is_held(lock_file)
        with pytest.raises(RefreshInProgressError, match="first"), refresh_lock(lock_file):
            pass
    assert not refresh_lock_is_held(lock_file)
    with refresh_lock(lock_file, holder="second"):
        assert refresh_lock_is_held(lock_file)


def test_a_killed_holder_leaves_no_stale_lock(tmp_path):
    lock_file = tmp_path / "build.duckdb.refresh.lock"
    holder = textwrap.dedent(
        f"""
        import os, sys
        from cmo_cio.lock import refresh_lock
        with refresh_lock({str(lock_file)!r}, holder="doomed"):
            print("held", flush=True)
            sys.stdin.readline()
        """
    )
    process = subprocess.Popen(
        [sys.executable, "-c", holder], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    try:
        assert process.stdout.readline().strip() == "held"
        assert refresh_lock_is_held(lock_file)
        process.kill()
        process.wait(timeout=30)
    finally:
        process.kill()
    assert not refresh_lock_is_held(lock_file)
