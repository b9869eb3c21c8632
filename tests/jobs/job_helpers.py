"""Importable job functions for the scheduler tests: APScheduler stores a job by its import path."""

from __future__ import annotations

import threading

RUNS: list[str] = []
_LOCK = threading.Lock()


def record_run(tag: str = "") -> None:
    """Remember that the job ran (both schedulers under test share this process)."""
    with _LOCK:
        RUNS.append(tag)
