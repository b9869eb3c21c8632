"""Run every benchmark (`make bench`), each in its own process, then write bench/results/SUMMARY.md.

Every `bench/bench_*.py` runs, the expected ones in a fixed order (the long scale benchmark
last). Each prints its Markdown on stdout (progress on stderr); both stream to the terminal as
they come, and the stdout of each becomes its section of the summary. An expected benchmark that
is not there is skipped with a note; one that exits with code 3 said it cannot run on this
machine (e.g. the scale benchmark without ../shared) and is reported as skipped. Naming some
benchmarks runs only those and replaces only their sections of an existing summary.

    python -m bench.run [NAME ...]     # e.g. python -m bench.run bench_scale
"""

from __future__ import annotations

import importlib.util
import os
import platform
import re
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
EXPECTED = ("bench_search_quality", "bench_records", "bench_scaleout", "bench_console", "bench_exports",
            "bench_scale")
SKIP_EXIT = 3  # bench.make_scale_catalogue.SKIP_EXIT: "cannot run here", not a failure


def present(name: str) -> bool:
    """True when bench/<name>.py exists (found without importing it: the modules are heavy)."""
    return importlib.util.find_spec(f"bench.{name}") is not None


def all_benchmarks() -> list[str]:
    """The expected benchmarks plus any other bench/bench_*.py, with the scale benchmark last."""
    found = sorted(path.stem for path in (ROOT / "bench").glob("bench_*.py"))
    names = [name for name in EXPECTED if name != "bench_scale"]
    names += [name for name in found if name not in EXPECTED]
    return [*names, "bench_scale"]


def previous_sections(summary: Path) -> dict[str, str]:
    """The sections of an existing summary, by benchmark name."""
    if not summary.exists():
        return {}
    parts = re.split(r"^## (\S+)\n", summary.read_text(encoding="utf-8"), flags=re.M)
    return {name: f"## {name}\n{body}".strip() for name, body in zip(parts[1::2], parts[2::2], strict=False)}


def run_one(name: str) -> tuple[int, str, float]:
    """Run `python -m bench.<name>`, echoing its output live; returns (exit code, stdout, seconds)."""
    print(f"\n=== bench.{name} ===", flush=True)
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    started = time.perf_counter()
    process = subprocess.Popen([sys.executable, "-m", f"bench.{name}"], cwd=ROOT, env=env, text=True,
                               stdout=subprocess.PIPE, stderr=None, bufsize=1)
    lines: list[str] = []
    assert process.stdout is not None
    for line in process.stdout:
        sys.stdout.write(line)
        sys.stdout.flush()
        lines.append(line)
    code = process.wait()
    return code, "".join(lines).strip(), time.perf_counter() - started


def main(argv: list[str] | None = None) -> int:
    """Run the named benchmarks (default: all), write SUMMARY.md; exit 1 if any failed."""
    chosen = list(argv if argv is not None else sys.argv[1:])
    names = chosen or all_benchmarks()
    summary = RESULTS / "SUMMARY.md"
    sections: dict[str, str] = previous_sections(summary) if chosen else {}
    failed: list[str] = []
    began = time.perf_counter()
    for name in names:
        if not present(name):
            note = f"bench/{name}.py is not there; skipped."
            print(f"\n=== bench.{name} === {note}", flush=True)
            sections[name] = f"## {name}\n\n_{note}_"
            continue
        code, output, seconds = run_one(name)
        if code == 0:
            sections[name] = f"## {name}\n\n{output}\n\n_{seconds:.0f} s._"
        elif code == SKIP_EXIT:
            sections[name] = f"## {name}\n\n_Skipped: it cannot run on this machine (see its message)._"
        else:
            failed.append(name)
            note = f"**Failed** with exit code {code} after {seconds:.0f} s."
            sections[name] = f"## {name}\n\n{note}\n\n{output}".rstrip()
    header = (f"# Benchmark summary\n\n{datetime.now(UTC).isoformat(timespec='seconds')}, "
              f"{os.cpu_count()} CPUs, Python {platform.python_version()}, "
              f"{'these runs' if chosen else 'total'} {time.perf_counter() - began:.0f} s. "
              f"Raw results: `bench/results/*.json`.")
    if chosen:
        header += f" Updated: {', '.join(names)}; other sections are from an earlier run."
    order = [name for name in all_benchmarks() if name in sections]
    order += [name for name in sections if name not in order]
    RESULTS.mkdir(parents=True, exist_ok=True)
    summary.write_text("\n\n".join([header, *(sections[name] for name in order)]) + "\n", encoding="utf-8")
    print(f"\nwrote {summary.relative_to(ROOT)}" + (f"; failed: {', '.join(failed)}" if failed else ""))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
