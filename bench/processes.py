"""Run a command and sample the resident memory of its whole process tree.

`measure(command, env)` starts the command, polls /proc every `interval` seconds for the RSS
of the process and all its descendants (dbt's subprocess, a JVM, ...), and returns the wall
time, the exit code and the samples, so a caller can take the peak of any time window (one
step of a refresh, say).
"""

from __future__ import annotations

import os
import subprocess
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

PAGE = os.sysconf("SC_PAGE_SIZE")


@dataclass
class Measured:
    seconds: float
    returncode: int
    started: float  # Unix seconds
    samples: list[tuple[float, int]] = field(default_factory=list)  # (Unix seconds, bytes)
    output: str = ""

    @property
    def peak_rss(self) -> int:
        return max((rss for _, rss in self.samples), default=0)

    def peak_rss_between(self, start: float, end: float) -> int:
        inside = [rss for when, rss in self.samples if start <= when <= end]
        return max(inside, default=0)


def _children() -> dict[int, list[int]]:
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            parts = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        children.setdefault(int(parts[1]), []).append(int(entry.name))
    return children


def tree_rss(pid: int) -> int:
    """Resident bytes of `pid` and every process below it."""
    children = _children()
    total, stack = 0, [pid]
    while stack:
        current = stack.pop()
        try:
            resident_pages = int(Path(f"/proc/{current}/statm").read_text().split()[1])
        except (OSError, IndexError, ValueError):
            continue
        total += resident_pages * PAGE
        stack.extend(children.get(current, []))
    return total


def measure(
    command: list[str],
    env: dict[str, str] | None = None,
    cwd: Path | None = None,
    interval: float = 0.1,
) -> Measured:
    """Run `command`, sampling its process tree's RSS; output is kept, not printed."""
    started = time.time()
    clock = time.perf_counter()
    process = subprocess.Popen(
        command, env=env, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    samples: list[tuple[float, int]] = []
    done = threading.Event()

    def sample() -> None:
        while not done.is_set():
            samples.append((time.time(), tree_rss(process.pid)))
            done.wait(interval)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    output = process.communicate()[0]
    seconds = time.perf_counter() - clock
    done.set()
    sampler.join()
    return Measured(seconds, process.returncode, started, samples, output)
