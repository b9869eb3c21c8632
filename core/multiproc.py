"""prometheus_client's multiprocess directory: set before anything imports core.metrics (or prometheus_client)."""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"


def use_multiprocess_dir() -> Path:
    """Point prometheus_client at a fresh per-replica directory, inherited by the answer processes."""
    existing = os.environ.get(MULTIPROC_ENV)
    if existing and Path(existing).is_dir():
        return Path(existing)
    path = Path(tempfile.mkdtemp(prefix="badger-metrics-"))
    os.environ[MULTIPROC_ENV] = str(path)
    return path


def remove_multiprocess_dir() -> None:
    """Remove the directory `use_multiprocess_dir` made (at exit)."""
    if (path := os.environ.get(MULTIPROC_ENV)) and Path(path).name.startswith("badger-metrics-"):
        shutil.rmtree(path, ignore_errors=True)
        os.environ.pop(MULTIPROC_ENV, None)
