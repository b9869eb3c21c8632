"""My status, the team dashboard, reminders due, and the outbox's idempotency."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlmodel import Session, select

from skills.enrolment import enrol
from skills.errors import PermissionDenied
from skills.models import Notice
from skills.nominations import nominate
from skills.notices import add_notice, mark_failed, mark_sent, pending_notices
from skills.policy import Policy
from skills.progress import record_badge, update_progress
from skills.status import due_for_reminder, my_status, queue_reminders, team_status
from tests.skills.factories import Org

NOW = datetime(2030, 3, 1, 9, 0, tzinfo=UTC)


def test_my_status_groups_enrolments_badges_and_nominations(org: Org) -> None:
    ongoing = org.run(enrol, actor=org.dana, credential_id="py-101", policy=Policy())
    org.run(update_progress, actor=org.dana, enrolment_id=ongoing.id, percent=40, due_date=date(2030, 4, 1))
    earned = org.run(enrol, actor=org.dana, credential_id="ml-intro", policy=Policy())
    org.run(record_badge, actor=org.dana, enrolment_id=earned.id)
    org.run(nominate, actor=org.mia, employee_id="UDANA", credential_id="cloud-arch", reason="Migration")
    status = org.run(my_status, actor=org.dana)
    assert [(v.title, v.state, v.percent, v.due_date) for v in status.active] == [
        ("Python for Everybody", "in_progress", 40, date(2030, 4, 1))
    ]
    assert [v.title for v in status.badges] == ["Machine Learning"]
    assert [(v.title, v.nominated_by, v.nomination_reason) for v in status.nominations] == [
        ("Cloud Architecture", "UMIA", "Migration")
    ]


def test_status_is_private_to_the_employee_their_manager_and_admins(org: Org) -> None:
    assert org.run(my_status, actor=org.mia, employee_id="UDANA").name == "Dana"
    assert org.run(my_status, actor=org.ada, employee_id="UDANA").name == "Dana"
    for outsider in (org.erin, org.omar):
        with pytest.raises(PermissionDenied):
            org.run(my_status, actor=outsider, employee_id="UDANA")


def test_team_dashboard_lists_every_report_with_their_enrolments(org: Org) -> None:
    enrolment = org.run(enrol, actor=org.erin, credential_id="py-101", policy=Policy())
    org.run(record_badge, actor=org.erin, enrolment_id=enrolment.id)
    org.run(enrol, actor=org.erin, credential_id="ml-intro", policy=Policy())
    team = org.run(team_status, actor=org.mia)
    assert [(m.name, [v.title for v in m.active], m.badges) for m in team] == [
        ("Dana", [], 0),
        ("Erin", ["Machine Learning"], 1),
    ]
    with pytest.raises(PermissionDenied):
        org.run(team_status, actor=org.omar, manager_id="UMIA")


def test_reminders_are_due_for_near_and_overdue_enrolments_once_a_week(org: Org) -> None:
    soon = org.run(enrol, actor=org.dana, credential_id="py-101", policy=Policy())
    org.run(update_progress, actor=org.dana, enrolment_id=soon.id, percent=10, due_date=date(2030, 3, 5))
    late = org.run(enrol, actor=org.erin, credential_id="py-101", policy=Policy())
    org.run(update_progress, actor=org.erin, enrolment_id=late.id, percent=10, due_date=date(2030, 2, 20))
    far = org.run(enrol, actor=org.owen, credential_id="py-101", policy=Policy())
    org.run(update_progress, actor=org.owen, enrolment_id=far.id, percent=10, due_date=date(2030, 6, 1))
    due = org.run(due_for_reminder, now=NOW)
    assert [(r.employee_id, r.overdue) for r in due] == [("UERIN", True), ("UDANA", False)]
    # queue_reminders is the sweep at any hour: Owen's far-off course has not moved for years, so it stalled.
    assert org.run(queue_reminders, now=NOW) == 3
    assert org.run(queue_reminders, now=NOW + timedelta(days=1)) == 0  # reminded yesterday
    assert org.run(queue_reminders, now=NOW + timedelta(days=8)) == 3
    with Session(org.engine) as session:
        sent = [(n.recipient_id, n.payload["reason"]) for n in session.exec(select(Notice).order_by(Notice.id))]
    assert sorted(sent) == [("UDANA", "due_soon"), ("UDANA", "overdue"), ("UERIN", "overdue"), ("UERIN", "overdue"),
                            ("UOWEN", "stalled"), ("UOWEN", "stalled")]


def test_a_notice_is_queued_once_per_idempotency_key(org: Org) -> None:
    with Session(org.engine) as session:
        first = add_notice(
            session, kind="test", recipient_id="UDANA", idempotency_key="k-1", payload={"n": 1}
        )
        again = add_notice(
            session, kind="test", recipient_id="UDANA", idempotency_key="k-1", payload={"n": 2}
        )
        session.commit()
        assert again.id == first.id
        assert len(session.exec(select(Notice)).all()) == 1


def test_delivered_and_failed_notices_leave_the_pending_queue(org: Org) -> None:
    org.run(nominate, actor=org.mia, employee_id="UDANA", credential_id="py-101", reason="Basics")
    org.run(nominate, actor=org.mia, employee_id="UERIN", credential_id="py-101", reason="Basics")
    with Session(org.engine) as session:
        first, second = pending_notices(session)
        mark_sent(session, first, message_ts="1700000000.000100")
        mark_failed(session, second, error="ratelimited", give_up=False)
        session.commit()
        assert [n.id for n in pending_notices(session)] == [second.id]  # a failed attempt is retried
        mark_failed(session, second, error="channel_not_found", give_up=True)
        session.commit()
        assert pending_notices(session) == []
        assert (first.status, first.message_ts, second.status, second.attempts) == (
            "sent",
            "1700000000.000100",
            "failed",
            2,
        )
