"""Nominations: a manager proposes, the employee answers."""

from __future__ import annotations

import pytest
from sqlmodel import Session, select

from skills.enrolment import withdraw
from skills.errors import AlreadyEnrolled, PermissionDenied, ValidationFailed
from skills.models import Notice, State
from skills.nominations import accept_nomination, decline_nomination, nominate
from tests.skills.factories import Org


def sent(org: Org) -> list[tuple[str, str]]:
    with Session(org.engine) as session:
        return [(n.kind, n.recipient_id) for n in session.exec(select(Notice).order_by(Notice.id))]  # type: ignore[arg-type]


def test_nomination_reaches_the_employee_and_acceptance_is_preapproved(org: Org) -> None:
    nomination = org.run(
        nominate,
        actor=org.mia,
        employee_id="UDANA",
        credential_id="cloud-arch",
        reason="You'll lead the migration",
    )
    assert nomination.state == State.NOMINATED
    assert sent(org) == [("nomination", "UDANA")]
    accepted = org.run(accept_nomination, actor=org.dana, enrolment_id=nomination.id)
    assert accepted.state == State.APPROVED  # costs 1200 but needs no separate approval
    assert accepted.decided_by == "UMIA"
    assert sent(org)[-1] == ("nomination_accepted", "UMIA")


def test_declining_a_nomination_tells_the_nominator(org: Org) -> None:
    nomination = org.run(
        nominate, actor=org.ada, employee_id="UOWEN", credential_id="ml-intro", reason="Team goal"
    )
    declined = org.run(
        decline_nomination, actor=org.owen, enrolment_id=nomination.id, reason="Already know it"
    )
    assert declined.state == State.DECLINED
    assert sent(org)[-1] == ("nomination_declined", "UADA")


def test_only_the_nominee_answers(org: Org) -> None:
    nomination = org.run(
        nominate, actor=org.mia, employee_id="UDANA", credential_id="py-101", reason="Basics"
    )
    with pytest.raises(PermissionDenied, match="Only Dana can accept this nomination"):
        org.run(accept_nomination, actor=org.mia, enrolment_id=nomination.id)


def test_nominations_need_a_reason_and_someone_else(org: Org) -> None:
    with pytest.raises(ValidationFailed, match="why"):
        org.run(nominate, actor=org.mia, employee_id="UDANA", credential_id="py-101", reason=" ")
    with pytest.raises(ValidationFailed, match="yourself"):
        org.run(nominate, actor=org.mia, employee_id="UMIA", credential_id="py-101", reason="Me")


def test_cannot_nominate_someone_already_enrolled(org: Org) -> None:
    org.run(nominate, actor=org.mia, employee_id="UDANA", credential_id="py-101", reason="Basics")
    with pytest.raises(
        AlreadyEnrolled, match="Dana already has an enrolment for Python for Everybody: it is a nomination"
    ):
        org.run(nominate, actor=org.ada, employee_id="UDANA", credential_id="py-101", reason="Again")


def test_manager_can_withdraw_a_nomination_and_the_employee_hears(org: Org) -> None:
    nomination = org.run(
        nominate, actor=org.mia, employee_id="UDANA", credential_id="py-101", reason="Basics"
    )
    org.run(withdraw, actor=org.mia, enrolment_id=nomination.id)
    assert sent(org)[-1] == ("nomination_withdrawn", "UDANA")
