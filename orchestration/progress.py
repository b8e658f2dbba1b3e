"""What a headless refresh shows while it runs: one line per step, and where the log is.

`quiet_output` sends everything dbt and Dagster write (this process's output and its
subprocesses', at the file-descriptor level) to a log file under the settings' log folder,
and keeps the terminal for a progress line per finished step (`[ 32s] 2/5 warehouse_dbt
done`), read from the run's own event log, then the summary. On a terminal, the step
running now is shown on a line that the next one replaces. With `verbose` nothing is hidden: the
output goes to the terminal and to the file.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager, redirect_stderr, redirect_stdout
from datetime import UTC, datetime
from pathlib import Path


class Progress:
    """Prints the steps of one run as they start and finish."""

    def __init__(self, terminal, log_file: Path, verbose: bool = False) -> None:
        self.terminal = terminal
        self.log_file = log_file
        # with the full log on the terminal, a line left open would run into it
        self.live = terminal.isatty() and not verbose
        self.started = time.monotonic()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def say(self, text: str, transient: bool = False) -> None:
        """A line of progress; a transient one (a step started) only on a terminal, where
        the next line overwrites it."""
        if transient and not self.live:
            return
        elapsed = time.monotonic() - self.started
        clear = "\r\033[K" if self.live else ""
        end = "" if transient else "\n"
        self.terminal.write(f"{clear}[{elapsed:4.0f}s] {text}{end}")
        self.terminal.flush()

    def follow(self, instance, run_id: str, total_steps: int) -> None:
        self._thread = threading.Thread(
            target=self._watch, args=(instance, run_id, total_steps), daemon=True
        )
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def _watch(self, instance, run_id: str, total_steps: int) -> None:
        from dagster import DagsterEventType

        kinds = {
            DagsterEventType.STEP_START: "started",
            DagsterEventType.STEP_SUCCESS: "done",
            DagsterEventType.STEP_FAILURE: "FAILED",
        }
        cursor, done = None, 0
        while True:
            stopping = self._stop.is_set()
            try:  # only the step events, and only those not seen yet
                page = instance.get_records_for_run(run_id, cursor=cursor, of_type=set(kinds))
            except Exception:  # noqa: BLE001 - the run is not stored yet
                page = None
            for record in page.records if page else []:
                event = record.event_log_entry.dagster_event
                started = event.event_type == DagsterEventType.STEP_START
                done += not started
                self.say(
                    f"{done}/{total_steps} {event.step_key} {kinds[event.event_type]}",
                    transient=started,
                )
            if page is not None:
                cursor = page.cursor
            if stopping:
                return
            self._stop.wait(1)


@contextmanager
def quiet_output(log_dir: Path, verbose: bool = False) -> Iterator[Progress]:
    """Route all output of the refresh to a log file (and the terminal when `verbose`)."""
    log_dir.mkdir(parents=True, exist_ok=True)
    log_file = log_dir / f"refresh-{datetime.now(UTC):%Y%m%dT%H%M%S}.log"
    sys.stdout.flush()
    sys.stderr.flush()
    saved = [os.dup(1), os.dup(2)]
    terminal = os.fdopen(os.dup(saved[0]), "w", buffering=1)
    progress = Progress(terminal, log_file, verbose)
    tee = None
    with log_file.open("wb") as log:
        if verbose:
            tee = subprocess.Popen(["tee", "-a", str(log_file)], stdin=subprocess.PIPE)
            target = tee.stdin.fileno()
        else:
            target = log.fileno()
        os.dup2(target, 1)
        os.dup2(target, 2)
        # Python-level writes too, whatever sys.stdout was (a test's buffer, say)
        python_output = os.fdopen(os.dup(target), "w", buffering=1)
        try:
            with redirect_stdout(python_output), redirect_stderr(python_output):
                progress.say(f"refresh started; full log in {log_file}")
                yield progress
        finally:
            python_output.close()
            os.dup2(saved[0], 1)
            os.dup2(saved[1], 2)
            for descriptor in saved:
                os.close(descriptor)
            if tee is not None:
                tee.stdin.close()
                try:  # a lingering child of the run may still hold the pipe open
                    tee.wait(timeout=5)
                except subprocess.TimeoutExpired:
                    tee.kill()
            progress.say("refresh finished")
            terminal.close()
