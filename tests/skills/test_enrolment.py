"""Enrolment requests and manager decisions, on SQLite and PostgreSQL."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from core.errors import NotFoundError
from core.settings import Settings
from skills.access import Actor
from skills.enrolment import approve, decline, enrol, withdraw
from skills.errors import AlreadyEnrolled, InvalidTransition, PermissionDenied, ValidationFailed
from skills.models import Employee, Enrolment, EnrolmentEvent, Notice, State
from skills.policy import Policy
from tests.blocking import wait_until_blocked
from tests.skills.factories import Org

POLICY = Policy(approval_cost_threshold=500)


def notices(org: Org) -> list[Notice]:
    with Session(org.engine) as session:
        return list(session.exec(select(Notice).order_by(Notice.id)))  # type: ignore[arg-type]


def events(org: Org, enrolment_id: int) -> list[EnrolmentEvent]:
    with Session(org.engine) as session:
        query = select(EnrolmentEvent).where(EnrolmentEvent.enrolment_id == enrolment_id)
        return list(session.exec(query.order_by(EnrolmentEvent.id)))  # type: ignore[arg-type]


def test_cheap_credential_is_approved_at_once_without_bothering_the_manager(org: Org) -> None:
    enrolment = org.run(enrol, actor=org.dana, credential_id="py-101", policy=POLICY)
    assert enrolment.state == State.APPROVED
    assert notices(org) == []
    [event] = events(org, enrolment.id or 0)
    assert (event.actor_id, event.action, event.from_state, event.to_state) == (
        "UDANA",
        "enrol",
        None,
        "approved",
    )


def test_expensive_credential_asks_the_manager(org: Org) -> None:
    enrolment = org.run(enrol, actor=org.dana, credential_id="cloud-arch", policy=POLICY)
    assert enrolment.state == State.REQUESTED
    [notice] = notices(org)
    assert (notice.kind, notice.recipient_id, notice.status) == ("approval_request", "UMIA", "pending")
    assert notice.payload["credential_title"] == "Cloud Architecture"
    assert notice.payload["employee_name"] == "Dana"
    assert notice.payload["cost"] == 1200


def test_policy_can_require_approval_for_everything(org: Org) -> None:
    enrolment = org.run(
        enrol, actor=org.dana, credential_id="ml-intro", policy=Policy(approval_required_for_all=True)
    )
    assert enrolment.state == State.REQUESTED


def test_policy_reads_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BADGER_APPROVAL_COST_THRESHOLD", "100")
    monkeypatch.setenv("BADGER_APPROVAL_REQUIRED_FOR_ALL", "false")
    policy = Policy.from_settings(Settings(_env_file=None))  # type: ignore[call-arg]
    assert policy.approval_cost_threshold == 100
    assert policy.approval_required_for_all is False


def test_manager_approves_and_the_employee_is_told(org: Org) -> None:
    requested = org.run(enrol, actor=org.dana, credential_id="cloud-arch", policy=POLICY)
    approved = org.run(approve, actor=org.mia, enrolment_id=requested.id, reason="Go for it")
    assert approved.state == State.APPROVED
    assert approved.decided_by == "UMIA"
    decision = notices(org)[-1]
    assert (decision.kind, decision.recipient_id, decision.payload["reason"]) == (
        "request_approved",
        "UDANA",
        "Go for it",
    )
    assert [e.action for e in events(org, requested.id or 0)] == ["request", "approve"]


def test_declining_needs_a_reason_and_passes_it_on(org: Org) -> None:
    requested = org.run(enrol, actor=org.dana, credential_id="cloud-arch", policy=POLICY)
    with pytest.raises(ValidationFailed, match="reason"):
        org.run(decline, actor=org.mia, enrolment_id=requested.id, reason="  ")
    declined = org.run(decline, actor=org.mia, enrolment_id=requested.id, reason="No budget this quarter")
    assert declined.state == State.DECLINED
    assert notices(org)[-1].payload["reason"] == "No budget this quarter"


def test_a_decided_request_cannot_be_decided_again(org: Org) -> None:
    requested = org.run(enrol, actor=org.dana, credential_id="cloud-arch", policy=POLICY)
    org.run(approve, actor=org.mia, enrolment_id=requested.id)
    with pytest.raises(InvalidTransition, match="approved"):
        org.run(decline, actor=org.ada, enrolment_id=requested.id, reason="too late")


def test_enrolling_twice_is_refused_with_the_current_state(org: Org) -> None:
    org.run(enrol, actor=org.dana, credential_id="cloud-arch", policy=POLICY)
    with pytest.raises(
        AlreadyEnrolled, match="You already have an enrolment for Cloud Architecture: it is waiting"
    ):
        org.run(enrol, actor=org.dana, credential_id="cloud-arch", policy=POLICY)


def test_after_a_decline_the_employee_may_ask_again(org: Org) -> None:
    first = org.run(enrol, actor=org.dana, credential_id="cloud-arch", policy=POLICY)
    org.run(decline, actor=org.mia, enrolment_id=first.id, reason="Next quarter")
    second = org.run(enrol, actor=org.dana, credential_id="cloud-arch", policy=POLICY)
    assert second.id != first.id and second.state == State.REQUESTED


def test_database_refuses_a_second_active_enrolment_but_keeps_history(org: Org) -> None:
    with Session(org.engine) as session:
        session.add(Enrolment(employee_id="UDANA", credential_id="py-101", state="withdrawn"))
        session.add(Enrolment(employee_id="UDANA", credential_id="py-101", state="declined"))
        session.add(Enrolment(employee_id="UDANA", credential_id="py-101", state="approved"))
        session.commit()
        session.add(Enrolment(employee_id="UDANA", credential_id="py-101", state="nominated"))
        with pytest.raises(IntegrityError):
            session.commit()


def test_retired_and_unknown_credentials_cannot_be_joined(org: Org) -> None:
    with pytest.raises(ValidationFailed, match="retired"):
        org.run(enrol, actor=org.dana, credential_id="old-course", policy=POLICY)
    with pytest.raises(NotFoundError):
        org.run(enrol, actor=org.dana, credential_id="nope", policy=POLICY)


def test_someone_outside_the_directory_can_do_nothing(org: Org) -> None:
    with pytest.raises(PermissionDenied, match="directory"):
        org.run(enrol, actor=Actor("USTRANGER"), credential_id="py-101", policy=POLICY)


def test_without_a_manager_requests_go_to_the_admins(org: Org) -> None:
    with Session(org.engine) as session:
        session.add(Employee(user_id="UADA2", name="Ada Two", is_admin=True))
        session.commit()
    org.run(enrol, actor=org.ada, credential_id="cloud-arch", policy=POLICY)
    assert [(n.kind, n.recipient_id) for n in notices(org)] == [("approval_request", "UADA2")]


def test_a_request_nobody_can_approve_is_refused(org: Org) -> None:
    with pytest.raises(ValidationFailed, match="no manager"):
        org.run(enrol, actor=org.ada, credential_id="cloud-arch", policy=POLICY)


def test_withdrawing_a_pending_request_tells_the_manager(org: Org) -> None:
    requested = org.run(enrol, actor=org.dana, credential_id="cloud-arch", policy=POLICY)
    withdrawn = org.run(withdraw, actor=org.dana, enrolment_id=requested.id, reason="Changed my mind")
    assert withdrawn.state == State.WITHDRAWN
    assert [(n.kind, n.recipient_id) for n in notices(org)][-1] == ("request_withdrawn", "UMIA")
    again = org.run(enrol, actor=org.dana, credential_id="cloud-arch", policy=POLICY)
    assert again.state == State.REQUESTED


def test_an_abandoned_unit_of_work_leaves_no_trace(org: Org) -> None:
    with Session(org.engine) as session:
        enrol(session=session, actor=org.dana, credential_id="cloud-arch", policy=POLICY)
        session.rollback()  # e.g. the Slack reply failed before commit
    assert notices(org) == []
    with Session(org.engine) as session:
        assert session.exec(select(Enrolment)).all() == []
        assert session.exec(select(EnrolmentEvent)).all() == []


def test_a_click_that_loses_the_race_is_told_it_is_already_enrolled(org: Org) -> None:
    outcome: list[BaseException | Enrolment] = []

    def second_click() -> None:
        try:
            outcome.append(org.run(enrol, actor=org.dana, credential_id="py-101", policy=POLICY))
        except AlreadyEnrolled as exc:
            outcome.append(exc)

    with Session(org.engine) as first:
        enrol(session=first, actor=org.dana, credential_id="py-101", policy=POLICY)  # written, not committed
        racer = threading.Thread(target=second_click)
        racer.start()
        wait_until_blocked(org.engine, racer)  # the second click found nothing committed; its insert waits
        first.commit()
    racer.join(timeout=30)
    [result] = outcome
    assert isinstance(result, AlreadyEnrolled)
    with Session(org.engine) as session:
        assert len(session.exec(select(Enrolment)).all()) == 1


def test_an_admin_withdrawing_an_enrolment_tells_the_employee(org: Org) -> None:
    enrolment = org.run(enrol, actor=org.dana, credential_id="py-101", policy=POLICY)
    org.run(withdraw, actor=org.ada, enrolment_id=enrolment.id, reason="Course cancelled by the provider")
    [notice] = notices(org)
    assert (notice.kind, notice.recipient_id, notice.payload["reason"]) == (
        "enrolment_withdrawn",
        "UDANA",
        "Course cancelled by the provider",
    )


def test_two_racing_decisions_record_only_one(org: Org) -> None:
    requested = org.run(enrol, actor=org.dana, credential_id="cloud-arch", policy=POLICY)
    outcome: list[BaseException | Enrolment] = []

    def admin_declines() -> None:
        try:
            outcome.append(org.run(decline, actor=org.ada, enrolment_id=requested.id, reason="No budget"))
        except InvalidTransition as exc:
            outcome.append(exc)

    with Session(org.engine) as manager:
        approve(session=manager, actor=org.mia, enrolment_id=requested.id)  # written, not committed
        racer = threading.Thread(target=admin_declines)
        racer.start()
        wait_until_blocked(org.engine, racer)  # the admin's decline waits on the approval in flight
        manager.commit()
    racer.join(timeout=30)
    [result] = outcome
    assert isinstance(result, InvalidTransition)
    assert [e.action for e in events(org, requested.id or 0)] == ["request", "approve"]
    assert [n.kind for n in notices(org)] == ["approval_request", "request_approved"]
