"""The reminder sweep: each reason, in each recipient's own working hours, once per period."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest
from sqlalchemy import update
from sqlmodel import Session, col, select

from skills.access import Actor
from skills.enrolment import enrol
from skills.models import Employee, Enrolment, Notice
from skills.nominations import nominate
from skills.policy import Policy
from skills.reminders import ReminderRules, SweepReport, sweep
from tests.skills.factories import Org

RULES = ReminderRules(hours=(9, 17), stalled_days=14, due_soon_days=3, nomination_days=3, approval_days=2)
LONG_AGO = datetime(2030, 2, 1, 12, 0, tzinfo=UTC)
MON_NY_10AM = datetime(2030, 3, 4, 15, 0, tzinfo=UTC)  # New York 10:00 Monday; Tokyo 00:00 Tuesday
TUE_TOKYO_10AM = datetime(2030, 3, 5, 1, 0, tzinfo=UTC)  # Tokyo 10:00 Tuesday; New York 20:00 Monday
PAYLOAD_KEYS = {"reason", "enrolment_id", "credential_id", "credential_title", "provider", "due_date", "percent",
                "days", "employee_id", "employee_name"}


@pytest.fixture
def zoned(org: Org) -> Org:
    """Dana works in New York, Erin in Tokyo, their manager Mia in London."""
    with org.engine.begin() as conn:
        for user_id, tz in (("UDANA", "America/New_York"), ("UERIN", "Asia/Tokyo"), ("UMIA", "Europe/London")):
            conn.execute(update(Employee).where(col(Employee.user_id) == user_id).values(timezone=tz))
    return org


def learning(org: Org, who: Actor, credential_id: str = "py-101", **values: Any) -> int:
    """An approved enrolment moved to in progress, its last change and due date set as the test needs."""
    enrolment = org.run(enrol, actor=who, credential_id=credential_id, policy=Policy())
    assert enrolment.id is not None
    backdate(org, enrolment.id, **{"state": "in_progress", "percent": 30, "updated_at": LONG_AGO, **values})
    return enrolment.id


def backdate(org: Org, enrolment_id: int, **values: Any) -> None:
    with org.engine.begin() as conn:
        conn.execute(update(Enrolment).where(col(Enrolment.id) == enrolment_id).values(**values))


def run(org: Org, now: datetime) -> SweepReport:
    return org.run(sweep, now=now, rules=RULES)


def reminders(org: Org) -> list[Notice]:
    with Session(org.engine) as session:
        return list(session.exec(select(Notice).where(Notice.kind == "reminder").order_by(col(Notice.id))))


def test_stalled_learning_is_nudged_in_each_persons_working_hours_once(zoned: Org) -> None:
    dana = learning(zoned, zoned.dana)
    erin = learning(zoned, zoned.erin)
    first = run(zoned, MON_NY_10AM)
    assert (first.queued, first.skipped_outside_hours, first.already_sent) == (1, 1, 0)
    assert run(zoned, MON_NY_10AM.replace(hour=20)).queued == 0  # New York 15:00, the same day: already sent
    second = run(zoned, TUE_TOKYO_10AM)
    assert (second.queued, second.skipped_outside_hours, second.already_sent) == (1, 0, 1)  # Dana: sent today
    later = run(zoned, TUE_TOKYO_10AM.replace(hour=15))  # New York 10:00 Tuesday: both had theirs this week
    assert (later.queued, later.already_sent) == (0, 2)
    sent = reminders(zoned)
    assert [(n.recipient_id, n.enrolment_id, n.payload["reason"]) for n in sent] == [
        ("UDANA", dana, "stalled"), ("UERIN", erin, "stalled")]
    assert set(sent[0].payload) == PAYLOAD_KEYS
    assert sent[0].status == "pending" and sent[0].created_at.tzinfo is not None
    assert sent[0].payload["days"] == 31 and sent[0].payload["employee_name"] == "Dana"
    assert sent[0].payload["credential_title"] == "Python for Everybody" and sent[0].payload["percent"] == 30
    a_week_later = run(zoned, datetime(2030, 3, 11, 15, 0, tzinfo=UTC))  # New York 11:00 (daylight saving began)
    assert a_week_later.queued == 1 and len(reminders(zoned)) == 3


def test_weekends_are_skipped(zoned: Org) -> None:
    learning(zoned, zoned.dana)
    saturday = run(zoned, datetime(2030, 3, 2, 15, 0, tzinfo=UTC))  # New York 10:00 Saturday
    assert (saturday.queued, saturday.skipped_outside_hours) == (0, 1)
    assert run(zoned, MON_NY_10AM).queued == 1


def test_due_soon_and_overdue(zoned: Org) -> None:
    soon = learning(zoned, zoned.dana, due_date=date(2030, 3, 6), updated_at=datetime(2030, 3, 3, tzinfo=UTC))
    late = learning(zoned, zoned.erin, due_date=date(2030, 3, 1), updated_at=datetime(2030, 3, 3, tzinfo=UTC))
    run(zoned, MON_NY_10AM)
    run(zoned, TUE_TOKYO_10AM)
    assert [(n.enrolment_id, n.payload["reason"], n.payload["days"], n.payload["due_date"])
            for n in reminders(zoned)] == [(soon, "due_soon", 2, "2030-03-06"), (late, "overdue", 4, "2030-03-01")]
    assert run(zoned, datetime(2030, 3, 5, 15, 0, tzinfo=UTC)).queued == 0  # due soon: once per due date


def test_an_overdue_course_is_not_also_called_stalled(zoned: Org) -> None:
    learning(zoned, zoned.dana, due_date=date(2030, 2, 20))
    report = run(zoned, MON_NY_10AM)
    assert report.by_reason == {"overdue": 1}


def test_an_unanswered_nomination_nudges_the_nominee(zoned: Org) -> None:
    named = zoned.run(nominate, actor=zoned.mia, employee_id="UDANA", credential_id="ml-intro", reason="Team goal")
    assert named.id is not None
    backdate(zoned, named.id, updated_at=datetime(2030, 3, 2, 12, 0, tzinfo=UTC))
    assert run(zoned, MON_NY_10AM).queued == 0  # two days: not yet
    backdate(zoned, named.id, updated_at=datetime(2030, 2, 28, 12, 0, tzinfo=UTC))
    assert run(zoned, MON_NY_10AM).by_reason == {"nomination_unanswered": 1}
    [notice] = reminders(zoned)
    assert (notice.recipient_id, notice.payload["days"], notice.payload["employee_id"]) == ("UDANA", 4, "UDANA")


def test_a_pending_approval_nudges_the_manager_in_the_managers_hours(zoned: Org) -> None:
    asked = zoned.run(enrol, actor=zoned.erin, credential_id="cloud-arch", policy=Policy())
    assert asked.id is not None and asked.state == "requested"
    backdate(zoned, asked.id, updated_at=datetime(2030, 2, 28, 12, 0, tzinfo=UTC))
    assert run(zoned, TUE_TOKYO_10AM).skipped_outside_hours == 1  # Erin's morning is Mia's night
    assert run(zoned, datetime(2030, 3, 5, 10, 0, tzinfo=UTC)).queued == 1  # London 10:00
    [notice] = reminders(zoned)
    assert (notice.recipient_id, notice.payload["reason"]) == ("UMIA", "approval_pending")
    assert (notice.payload["employee_id"], notice.payload["employee_name"], notice.payload["days"]) == (
        "UERIN", "Erin", 5)


def test_a_request_from_someone_without_a_manager_nudges_the_admins(zoned: Org) -> None:
    asked = zoned.run(enrol, actor=zoned.omar, credential_id="cloud-arch", policy=Policy())
    assert asked.id is not None
    backdate(zoned, asked.id, updated_at=LONG_AGO)
    run(zoned, MON_NY_10AM)
    assert [(n.recipient_id, n.payload["employee_id"]) for n in reminders(zoned)] == [("UADA", "UOMAR")]


def test_finished_and_fresh_enrolments_owe_nothing(zoned: Org) -> None:
    done = learning(zoned, zoned.dana)
    backdate(zoned, done, state="earned", percent=100)
    learning(zoned, zoned.erin, updated_at=datetime(2030, 3, 1, tzinfo=UTC))  # moved three days ago
    report = run(zoned, MON_NY_10AM)
    assert (report.queued, report.skipped_outside_hours, report.already_sent) == (0, 0, 0)


def test_the_sweep_records_when_an_enrolment_was_last_reminded(zoned: Org) -> None:
    dana = learning(zoned, zoned.dana)
    run(zoned, MON_NY_10AM)
    with Session(zoned.engine) as session:
        enrolment = session.get(Enrolment, dana)
        assert enrolment is not None and enrolment.last_reminded_at == MON_NY_10AM


def test_the_idempotency_key_still_holds_when_the_last_reminder_time_is_lost(zoned: Org) -> None:
    dana = learning(zoned, zoned.dana)
    run(zoned, MON_NY_10AM)
    backdate(zoned, dana, last_reminded_at=None)  # e.g. a second sweep that read the row before the first committed
    again = run(zoned, MON_NY_10AM)
    assert (again.queued, again.already_sent) == (0, 1) and len(reminders(zoned)) == 1


def test_now_must_be_timezone_aware(zoned: Org) -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        run(zoned, datetime(2030, 3, 4, 15, 0))
