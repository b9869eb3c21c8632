"""`badger jobs list` and `badger jobs run NAME [--now ISO-TIME]` as an operator runs them."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import update
from sqlmodel import col
from typer.testing import CliRunner

from bot.cli import app
from core.db import get_engine
from core.settings import get_settings
from skills.enrolment import enrol
from skills.models import Enrolment
from skills.policy import Policy
from tests.skills.factories import Org, make_org

runner = CliRunner()


@pytest.fixture
def org(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[Org]:
    """The test org in a SQLite database; the scheduler's timezone is New York."""
    for name, value in {"BADGER_DATA_DIR": str(tmp_path / "data"), "DATABASE_URL": "", "CHROMA_URL": "",
                        "SLACK_BOT_TOKEN": "", "BADGER_TIMEZONE": "America/New_York"}.items():
        monkeypatch.setenv(name, value)
    get_settings.cache_clear()
    yield make_org(get_engine(get_settings()))
    get_settings.cache_clear()


def badger(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_jobs_list_names_every_job_with_its_schedule(org: Org) -> None:
    code, out, _ = badger("jobs", "list", "--json")
    jobs = {job["id"]: job for job in json.loads(out)}
    assert code == 0 and set(jobs) == {"reminders", "digest", "catalogue-resync", "timezones", "retention", "xapi"}
    assert jobs["digest"]["schedule"] == "Mondays at 09:00 (America/New_York)"
    assert jobs["digest"]["next_run"].endswith(("-05:00", "-04:00")) and "T09:00" in jobs["digest"]["next_run"]
    assert not jobs["reminders"]["scheduled"] and jobs["reminders"]["help"]
    code, out, _ = badger("jobs", "list")
    assert code == 0 and "hourly" in out and "catalogue-resync" in out  # a table, wrapped to the terminal


def test_jobs_run_reads_a_naive_time_in_the_scheduler_timezone(org: Org) -> None:
    enrolment = org.run(enrol, actor=org.dana, credential_id="py-101", policy=Policy())
    with org.engine.begin() as conn:  # Dana (UTC) has not touched it for a month
        conn.execute(update(Enrolment).where(col(Enrolment.id) == enrolment.id).values(
            state="in_progress", updated_at=datetime(2030, 3, 4, tzinfo=UTC) - timedelta(days=30)))
    # 08:30 in New York is 13:30 UTC: Dana's working hours (08:30 UTC would not be).
    code, out, _ = badger("jobs", "run", "reminders", "--now", "2030-03-04T08:30", "--json")
    assert code == 0 and json.loads(out)["queued"] == 1
    code, out, _ = badger("jobs", "run", "reminders", "--now", "2030-03-04T14:00+00:00")
    assert code == 0 and "reminders done" in out and "already_sent 1" in out


def test_jobs_run_the_digest_now(org: Org) -> None:
    code, out, _ = badger("jobs", "run", "digest", "--json")
    assert code == 0 and json.loads(out) == {"queued": 2}


def test_an_unknown_job_lists_the_names(org: Org) -> None:
    code, _, err = badger("jobs", "run", "backup")
    err = " ".join(err.split())  # unwrap the console's line breaks
    assert code == 2
    assert "no job called 'backup'" in err and "reminders, digest, catalogue-resync, timezones, retention, xapi" in err


def test_a_bad_time_is_a_clear_error(org: Org) -> None:
    code, _, err = badger("jobs", "run", "reminders", "--now", "next tuesday")
    assert code == 2 and "'next tuesday' is not an ISO time" in " ".join(err.replace("│", " ").split())
