"""`badger export`, `badger people export|erase` as processes, on a SQLite file in a temp data dir."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from core.db import init_db, make_engine
from tests.fakes.lrs_server import FakeLRS
from tests.skills.factories import make_org
from tests.skills.records.records_helpers import make_history

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    """A data dir whose database holds the standard org and a little history."""
    data = tmp_path / "data"
    data.mkdir()
    engine = make_engine(f"sqlite:///{data / 'badger.db'}")
    init_db(engine)
    make_history(make_org(engine))
    engine.dispose()
    return data


def badger(data: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """Run the `badger` CLI in a process against the data dir."""
    env = {**os.environ, "BADGER_DATA_DIR": str(data), "PYTHONPATH": str(ROOT), "COLUMNS": "200"}
    env.pop("DATABASE_URL", None)
    return subprocess.run([sys.executable, "-m", "bot.cli", *args], cwd=data.parent, env=env, text=True,
                          capture_output=True, timeout=120, check=False)


def test_export_writes_the_file_and_refuses_a_manager(data_dir: Path) -> None:
    target = data_dir.parent / "enrolments.jsonl"
    done = badger(data_dir, "export", "enrolments", "--jsonl", "--out", str(target))
    assert done.returncode == 0, done.stderr
    assert [json.loads(line)["employee_id"] for line in target.read_text().splitlines()] == [
        "UDANA", "UDANA", "UOWEN", "UERIN"]
    assert "Exported 4 enrolments row(s) as jsonl" in done.stderr
    refused = badger(data_dir, "export", "badges", "--by", "Mia")
    assert refused.returncode == 2 and "Only an L&D admin may export learning records." in refused.stderr
    bad = badger(data_dir, "export", "enrolments", "--since", "yesterday")
    assert bad.returncode == 2 and "is not a date" in bad.stderr


def test_people_export_then_erase_then_erase_again(data_dir: Path) -> None:
    exported = badger(data_dir, "people", "export", "Dana")
    assert exported.returncode == 0, exported.stderr
    assert json.loads(exported.stdout)["person"]["email"] == "dana@example.com"
    erased = badger(data_dir, "people", "erase", "UDANA", "--yes")
    assert erased.returncode == 0, erased.stderr
    assert "Erased UDANA: " in erased.stdout and "enrolments 2" in erased.stdout
    again = badger(data_dir, "people", "erase", "UDANA", "--yes")
    assert (again.returncode, again.stdout.strip()) == (
        0, "Nothing about UDANA is held any more (already erased, or never known).")
    gone = badger(data_dir, "people", "export", "UDANA")
    assert gone.returncode == 2 and "no one with the id UDANA" in gone.stderr
    unknown = badger(data_dir, "people", "erase", "Nobody at all", "--yes")
    assert unknown.returncode == 2 and "No one called 'Nobody at all'" in unknown.stderr


def test_xapi_backfill_sends_the_history_once(data_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    off = badger(data_dir, "xapi", "backfill")
    assert off.returncode == 2 and "XAPI_ENDPOINT is not set" in off.stderr
    lrs = FakeLRS()
    try:
        for name, value in {"XAPI_ENDPOINT": lrs.endpoint, "XAPI_USERNAME": "lrs-user",
                            "XAPI_PASSWORD": "lrs-pass"}.items():
            monkeypatch.setenv(name, value)
        first = badger(data_dir, "xapi", "backfill")
        assert first.returncode == 0, first.stderr
        assert "Queued 7 statement(s)" in first.stdout and "sent 7" in first.stdout
        again = badger(data_dir, "xapi", "backfill")
        assert "Queued 0 statement(s)" in again.stdout and len(lrs.statements) == 7
        status = badger(data_dir, "xapi", "status")
        assert status.stdout.strip() == "sent 7"
    finally:
        lrs.stop()
