"""Enrolment requests and decisions: enrol, approve, decline, withdraw."""

from __future__ import annotations

from datetime import date

from sqlmodel import Session, col, select

from knowledge.models import Credential
from skills.access import Actor, acting_employee, get_employee, manages_or_admin, possessive
from skills.errors import InvalidTransition, PermissionDenied, ValidationFailed
from skills.lifecycle import (
    active_credential,
    insert_unique,
    load_enrolment,
    payload,
    record,
    refuse_duplicate,
    require_state,
)
from skills.models import Employee, Enrolment, State, utcnow
from skills.notices import Kind, add_notice
from skills.policy import Policy


def approvers_for(session: Session, employee: Employee) -> list[Employee]:
    """Who decides the employee's requests: their manager, or every other admin when they have none."""
    if employee.manager_id is not None:
        manager = session.get(Employee, employee.manager_id)
        if manager is not None:
            return [manager]
    admins = select(Employee).where(col(Employee.is_admin).is_(True), Employee.user_id != employee.user_id)
    return list(session.exec(admins.order_by(col(Employee.user_id))))


def enrol(
    *,
    session: Session,
    actor: Actor,
    credential_id: str,
    due_date: date | None = None,
    policy: Policy | None = None,
) -> Enrolment:
    """Enrol the acting user: approved at once, or requested from their manager when policy says so."""
    me = acting_employee(session, actor)
    credential = active_credential(session, credential_id)
    refuse_duplicate(session, me, credential, self_=True)
    needs_approval = (policy or Policy.from_settings()).needs_approval(credential)
    approvers = approvers_for(session, me) if needs_approval else []
    if needs_approval and not approvers:
        raise ValidationFailed(
            f"{credential.title} needs approval, but you have no manager in Badger and no admin "
            "can approve it; please ask your L&D team."
        )
    state = State.REQUESTED if needs_approval else State.APPROVED
    enrolment = Enrolment(
        employee_id=me.user_id, credential_id=credential.id, state=state.value, due_date=due_date
    )
    insert_unique(session, enrolment, me, credential, self_=True)
    event = record(
        session,
        enrolment,
        actor_id=me.user_id,
        action="request" if needs_approval else "enrol",
        to_state=state,
        initial=True,
    )
    for approver in approvers:
        add_notice(
            session,
            kind=Kind.APPROVAL_REQUEST,
            recipient_id=approver.user_id,
            enrolment_id=enrolment.id,
            idempotency_key=f"{Kind.APPROVAL_REQUEST}:{event.id}:{approver.user_id}",
            payload=payload(
                enrolment, credential, me, me, cost=credential.cost, currency=credential.currency
            ),
        )
    return enrolment


def _decide(
    session: Session, actor: Actor, enrolment_id: int, *, approve: bool, reason: str | None
) -> Enrolment:
    me = acting_employee(session, actor)
    enrolment = load_enrolment(session, enrolment_id)
    employee = get_employee(session, enrolment.employee_id)
    verb = "approve" if approve else "decline"
    if not manages_or_admin(me, employee):
        raise PermissionDenied(
            f"Only {possessive(employee.name)} manager or an L&D admin can {verb} this request."
        )
    require_state(enrolment, [State.REQUESTED], f"{verb} this request")
    if not approve and not (reason and reason.strip()):
        raise ValidationFailed(f"Please give a reason for declining, so {employee.name} knows why.")
    enrolment.decided_by = me.user_id
    enrolment.decision_reason = reason.strip() if reason else None
    enrolment.decided_at = utcnow()
    to_state = State.APPROVED if approve else State.DECLINED
    event = record(
        session,
        enrolment,
        actor_id=me.user_id,
        action=verb,
        to_state=to_state,
        reason=enrolment.decision_reason,
    )
    credential = session.get(Credential, enrolment.credential_id)
    assert credential is not None
    kind = Kind.REQUEST_APPROVED if approve else Kind.REQUEST_DECLINED
    add_notice(
        session,
        kind=kind,
        recipient_id=employee.user_id,
        enrolment_id=enrolment.id,
        idempotency_key=f"{kind}:{event.id}",
        payload=payload(enrolment, credential, employee, me, reason=enrolment.decision_reason),
    )
    return enrolment


def approve(*, session: Session, actor: Actor, enrolment_id: int, reason: str | None = None) -> Enrolment:
    """The employee's manager (or an admin) approves a pending request."""
    return _decide(session, actor, enrolment_id, approve=True, reason=reason)


def decline(*, session: Session, actor: Actor, enrolment_id: int, reason: str) -> Enrolment:
    """The employee's manager (or an admin) declines a pending request, giving a reason."""
    return _decide(session, actor, enrolment_id, approve=False, reason=reason)


def withdraw(*, session: Session, actor: Actor, enrolment_id: int, reason: str | None = None) -> Enrolment:
    """Withdraw an enrolment: the employee or an admin; a nomination by the employee's manager or an admin."""
    me = acting_employee(session, actor)
    enrolment = load_enrolment(session, enrolment_id)
    employee = get_employee(session, enrolment.employee_id)
    is_self = me.user_id == employee.user_id
    if enrolment.state == State.NOMINATED:
        if is_self:
            raise InvalidTransition("This is a nomination for you: decline it instead of withdrawing it.")
        if not manages_or_admin(me, employee):
            raise PermissionDenied(
                f"Only {possessive(employee.name)} manager or an L&D admin can withdraw this nomination."
            )
    elif not (is_self or me.is_admin):
        raise PermissionDenied(f"Only {employee.name} or an L&D admin can withdraw this enrolment.")
    require_state(
        enrolment,
        [State.NOMINATED, State.REQUESTED, State.APPROVED, State.IN_PROGRESS],
        "withdraw this enrolment",
    )
    was = enrolment.state
    event = record(
        session,
        enrolment,
        actor_id=me.user_id,
        action="withdraw",
        to_state=State.WITHDRAWN,
        reason=reason.strip() if reason else None,
    )
    credential = session.get(Credential, enrolment.credential_id)
    assert credential is not None
    if was == State.NOMINATED:
        recipients = [(Kind.NOMINATION_WITHDRAWN, employee)]
    elif was == State.REQUESTED:
        recipients = [
            (Kind.REQUEST_WITHDRAWN, a) for a in approvers_for(session, employee) if a.user_id != me.user_id
        ]
    elif me.user_id != employee.user_id:
        recipients = [(Kind.ENROLMENT_WITHDRAWN, employee)]  # an admin withdrew it: the employee hears why
    else:
        recipients = []
    for kind, recipient in recipients:
        add_notice(
            session,
            kind=kind,
            recipient_id=recipient.user_id,
            enrolment_id=enrolment.id,
            idempotency_key=f"{kind}:{event.id}:{recipient.user_id}",
            payload=payload(enrolment, credential, employee, me, reason=event.reason),
        )
    return enrolment
