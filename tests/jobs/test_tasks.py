"""The job functions as the scheduler calls them: settings from the environment, their own sessions."""

from __future__ import annotations

import io
import random
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from PIL import Image as PILImage
from slack_sdk import WebClient
from sqlalchemy import update
from sqlmodel import Session, col, select

from bot.slack.outbox import Deliverer
from core.settings import Settings, get_settings
from jobs.tasks import resync_catalogue, send_reminders, sync_timezones, weekly_digest
from skills.enrolment import enrol
from skills.models import Employee, Enrolment, Notice
from skills.policy import Policy
from tests.fakes.slack_server import FakeSlack
from tests.skills.factories import Org

MONDAY_NOON = datetime(2030, 3, 4, 12, 0, tzinfo=UTC)
CATALOGUE = """\
- id: k8s-basics
  title: Kubernetes Basics
  provider: Cloud Academy
  description: Run containers on Kubernetes clusters.
  skills: [Kubernetes]
- id: sql-intro
  title: Introduction to SQL
  provider: Data School
  description: Query relational databases with SQL.
  skills: [SQL]
"""


def timezones(org: Org) -> dict[str, str]:
    with Session(org.engine) as session:
        return {e.user_id: e.timezone for e in session.exec(select(Employee))}


def test_timezones_come_from_slack_profiles_at_most_weekly(job_org: Org, slack: FakeSlack) -> None:
    slack.add_user("UDANA", tz="America/New_York")
    slack.add_user("UERIN", tz="Asia/Tokyo")
    slack.add_user("UMIA", tz="Not/AZone")  # an unknown name changes nothing
    summary = sync_timezones(now=MONDAY_NOON)
    assert (summary["checked"], summary["changed"], summary["rate_limited"]) == (6, 2, False)
    assert timezones(job_org)["UDANA"] == "America/New_York" and timezones(job_org)["UERIN"] == "Asia/Tokyo"
    assert timezones(job_org)["UMIA"] == "UTC"
    calls = len(slack.of("users.info"))
    assert sync_timezones(now=MONDAY_NOON + timedelta(days=1))["checked"] == 0  # synced a day ago
    assert len(slack.of("users.info")) == calls
    assert sync_timezones(now=MONDAY_NOON + timedelta(days=8))["checked"] == 6


def test_a_rate_limit_ends_the_run_and_the_next_run_resumes(job_org: Org, slack: FakeSlack) -> None:
    slack.add_user("UDANA", tz="Europe/Berlin")
    slack.fail("users.info", times=1, status=429, retry_after=30)
    first = sync_timezones(now=MONDAY_NOON)
    assert (first["checked"], first["rate_limited"]) == (0, True)
    assert len(slack.of("users.info")) == 1  # stopped at the first 429
    second = sync_timezones(now=MONDAY_NOON + timedelta(days=1))
    assert (second["checked"], second["rate_limited"]) == (6, False)
    assert timezones(job_org)["UDANA"] == "Europe/Berlin"


def test_without_a_bot_token_timezone_sync_is_skipped(job_org: Org, monkeypatch: pytest.MonkeyPatch,
                                                       slack: FakeSlack) -> None:
    monkeypatch.setenv("SLACK_BOT_TOKEN", "")
    get_settings.cache_clear()
    assert sync_timezones(now=MONDAY_NOON)["skipped"] is True
    assert slack.of("users.info") == []


def test_send_reminders_queues_notices_and_is_idempotent(job_org: Org) -> None:
    enrolment = job_org.run(enrol, actor=job_org.dana, credential_id="py-101", policy=Policy())
    with job_org.engine.begin() as conn:
        conn.execute(update(Enrolment).where(col(Enrolment.id) == enrolment.id)
                     .values(state="in_progress", updated_at=MONDAY_NOON - timedelta(days=30)))
    summary = send_reminders(now=MONDAY_NOON)
    assert (summary["queued"], summary["by_reason"]) == (1, {"stalled": 1})
    assert send_reminders(now=MONDAY_NOON + timedelta(hours=1))["already_sent"] == 1
    with Session(job_org.engine) as session:
        [notice] = session.exec(select(Notice).where(Notice.kind == "reminder")).all()
    assert (notice.recipient_id, notice.enrolment_id, notice.status) == ("UDANA", enrolment.id, "pending")


def test_weekly_digest_queues_one_per_manager_per_week(job_org: Org) -> None:
    assert weekly_digest(now=MONDAY_NOON) == {"queued": 2}
    assert weekly_digest(now=MONDAY_NOON + timedelta(hours=2)) == {"queued": 0}


def test_the_weekly_digest_job_reaches_each_manager_with_its_chart(job_org: Org, slack: FakeSlack) -> None:
    """From the scheduled job through the outbox to the PNG uploaded under each manager's digest."""
    job_org.run(enrol, actor=job_org.dana, credential_id="py-101", policy=Policy())
    assert weekly_digest(now=MONDAY_NOON) == {"queued": 2}
    outbox = Deliverer(WebClient(token="xoxb-test-token", base_url=slack.api_url), job_org.engine,
                       rng=random.Random(3))
    assert outbox.deliver_once(now=MONDAY_NOON + timedelta(minutes=5)).sent == 2
    uploads = {upload["channel"]: upload for upload in slack.files}
    assert set(uploads) == {"DMIA", "DOMAR"}
    for channel, upload in uploads.items():
        [digest] = slack.messages[channel]
        assert "learning in week 2030-W10" in digest["text"]
        assert (upload["filename"], upload["thread_ts"]) == ("team-digest.png", digest["ts"])
        with PILImage.open(io.BytesIO(upload["content"])) as image:
            assert image.format == "PNG" and image.width > 100 and image.height > 100
    assert outbox.deliver_once(now=MONDAY_NOON + timedelta(hours=2)).claimed == 0 and len(slack.files) == 2


def test_catalogue_resync_loads_new_entries_and_embeds_nothing_when_unchanged(
    job_settings: Settings, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    assert resync_catalogue() == {"sources": 0}
    source = tmp_path / "partners.yaml"
    source.write_text(CATALOGUE, encoding="utf-8")
    monkeypatch.setenv("BADGER_CATALOGUE_SOURCES", f'["{source}"]')
    get_settings.cache_clear()
    first = resync_catalogue()
    assert (first["sources"], first["added"], first["embedded"]) == (1, 2, 2)
    again = resync_catalogue()
    assert (again["added"], again["updated"], again["unchanged"], again["embedded"]) == (0, 0, 2, 0)
