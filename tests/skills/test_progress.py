"""Progress, completion and badges."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from skills.enrolment import enrol
from skills.errors import AlreadyEnrolled, InvalidTransition, PermissionDenied, ValidationFailed
from skills.models import Enrolment, State
from skills.policy import Policy
from skills.progress import complete, record_badge, start, update_progress
from skills.status import history
from tests.skills.factories import Org


def approved(org: Org) -> Enrolment:
    return org.run(enrol, actor=org.dana, credential_id="py-101", policy=Policy())


def test_first_progress_update_starts_the_course(org: Org) -> None:
    enrolment = approved(org)
    updated = org.run(
        update_progress,
        actor=org.dana,
        enrolment_id=enrolment.id,
        percent=30,
        note="Week 1 done",
        due_date=date(2030, 1, 31),
    )
    assert (updated.state, updated.percent, updated.note, updated.due_date) == (
        State.IN_PROGRESS,
        30,
        "Week 1 done",
        date(2030, 1, 31),
    )
    assert updated.started_at is not None
    trail = org.run(history, actor=org.dana, enrolment_id=enrolment.id)
    assert [(e.action, e.from_state, e.to_state) for e in trail] == [
        ("enrol", None, "approved"),
        ("start", "approved", "in_progress"),
        ("progress", "in_progress", "in_progress"),
    ]
    assert trail[-1].reason == "30%: Week 1 done"


def test_milestones_drive_the_percentage(org: Org) -> None:
    enrolment = approved(org)
    org.run(
        update_progress,
        actor=org.dana,
        enrolment_id=enrolment.id,
        milestones=["Basics", "Loops", "Files", "Web"],
    )
    updated = org.run(update_progress, actor=org.dana, enrolment_id=enrolment.id, milestones_done=["Basics"])
    assert updated.percent == 25
    assert updated.milestones[0] == {"name": "Basics", "done": True}
    with pytest.raises(ValidationFailed, match="no milestone called 'Classes'"):
        org.run(update_progress, actor=org.dana, enrolment_id=enrolment.id, milestones_done=["Classes"])


def test_percentages_out_of_range_are_refused(org: Org) -> None:
    enrolment = approved(org)
    with pytest.raises(ValidationFailed, match="between 0 and 100"):
        org.run(update_progress, actor=org.dana, enrolment_id=enrolment.id, percent=120)


def test_completion_records_the_date_and_a_badge_finishes_it(org: Org) -> None:
    enrolment = approved(org)
    org.run(start, actor=org.dana, enrolment_id=enrolment.id)
    done = org.run(complete, actor=org.dana, enrolment_id=enrolment.id)
    assert (done.state, done.percent, done.completed_on) == (State.COMPLETED, 100, datetime.now(UTC).date())
    earned = org.run(
        record_badge, actor=org.dana, enrolment_id=enrolment.id, badge_url="https://badges.example/1"
    )
    assert earned.state == State.EARNED and earned.earned_at is not None


def test_completion_cannot_be_dated_in_the_future(org: Org) -> None:
    enrolment = approved(org)
    with pytest.raises(ValidationFailed, match="future"):
        org.run(
            complete, actor=org.dana, enrolment_id=enrolment.id, completed_on=date.today() + timedelta(days=2)
        )


def test_a_requested_enrolment_cannot_progress_before_approval(org: Org) -> None:
    requested = org.run(enrol, actor=org.dana, credential_id="cloud-arch", policy=Policy())
    with pytest.raises(InvalidTransition, match="waiting for approval"):
        org.run(update_progress, actor=org.dana, enrolment_id=requested.id, percent=10)


def test_an_earned_badge_is_final(org: Org) -> None:
    enrolment = approved(org)
    org.run(record_badge, actor=org.dana, enrolment_id=enrolment.id)
    with pytest.raises(InvalidTransition, match="badge earned"):
        org.run(update_progress, actor=org.dana, enrolment_id=enrolment.id, percent=10)
    with pytest.raises(AlreadyEnrolled, match="You already earned Python for Everybody"):
        approved(org)


def test_the_audit_trail_is_private(org: Org) -> None:
    enrolment = approved(org)
    assert len(org.run(history, actor=org.mia, enrolment_id=enrolment.id)) == 1
    for outsider in (org.erin, org.omar):
        with pytest.raises(PermissionDenied):
            org.run(history, actor=outsider, enrolment_id=enrolment.id)
