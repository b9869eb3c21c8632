"""Helpers shared by the benchmarks: temp knowledge bases, timing summaries, result files."""

from __future__ import annotations

import json
import os
import platform
import resource
import statistics
import tempfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from core.settings import Settings
from knowledge.base import KnowledgeBase

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
SHARED = ROOT.parent / "shared"


def temp_knowledge(**overrides: Any) -> KnowledgeBase:
    """A knowledge base in a fresh temporary data dir (embedded SQLite + Chroma)."""
    data_dir = Path(tempfile.mkdtemp(prefix="badger-bench-"))
    settings = Settings(badger_data_dir=data_dir, _env_file=None, **overrides)  # type: ignore[call-arg]
    return KnowledgeBase(settings)


def percentiles(samples_ms: list[float]) -> dict[str, float]:
    """p50 / p95 / max of a list of milliseconds."""
    ordered = sorted(samples_ms)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return {"p50": round(statistics.median(ordered), 2), "p95": round(p95, 2), "max": round(ordered[-1], 2),
            "n": len(ordered)}


def peak_rss_mb() -> float:
    """Peak resident set size of this process, in MB."""
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def write_result(name: str, data: dict[str, Any]) -> Path:
    """Write a benchmark's results as JSON with the machine and date."""
    RESULTS.mkdir(parents=True, exist_ok=True)
    data = {"benchmark": name, "date": datetime.now(UTC).isoformat(timespec="seconds"),
            "machine": {"cpus": os.cpu_count(), "python": platform.python_version()}, **data}
    path = RESULTS / f"{name}.json"
    path.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
    return path
