"""Nominations: a manager (or admin) proposes a credential; the employee accepts or declines."""

from __future__ import annotations

from datetime import date

from sqlmodel import Session

from knowledge.models import Credential
from skills.access import Actor, acting_employee, get_employee, manages_or_admin, possessive
from skills.errors import PermissionDenied, ValidationFailed
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


def nominate(
    *,
    session: Session,
    actor: Actor,
    employee_id: str,
    credential_id: str,
    reason: str,
    due_date: date | None = None,
) -> Enrolment:
    """Nominate a direct report (an admin: anyone) for a credential, with a reason."""
    me = acting_employee(session, actor)
    employee = get_employee(session, employee_id)
    if employee.user_id == me.user_id:
        raise ValidationFailed("You can't nominate yourself; enrol instead.")
    if not manages_or_admin(me, employee):
        raise PermissionDenied(f"Only {possessive(employee.name)} manager or an L&D admin can nominate them.")
    if not reason.strip():
        raise ValidationFailed(f"Please say why you're nominating {employee.name}.")
    credential = active_credential(session, credential_id)
    refuse_duplicate(session, employee, credential, self_=False)
    enrolment = Enrolment(
        employee_id=employee.user_id,
        credential_id=credential.id,
        state=State.NOMINATED.value,
        nominated_by=me.user_id,
        nomination_reason=reason.strip(),
        due_date=due_date,
    )
    insert_unique(session, enrolment, employee, credential, self_=False)
    event = record(
        session,
        enrolment,
        actor_id=me.user_id,
        action="nominate",
        to_state=State.NOMINATED,
        reason=enrolment.nomination_reason,
        initial=True,
    )
    add_notice(
        session,
        kind=Kind.NOMINATION,
        recipient_id=employee.user_id,
        enrolment_id=enrolment.id,
        idempotency_key=f"{Kind.NOMINATION}:{event.id}",
        payload=payload(
            enrolment,
            credential,
            employee,
            me,
            reason=enrolment.nomination_reason,
            due_date=str(due_date or ""),
        ),
    )
    return enrolment


def _answer(
    session: Session, actor: Actor, enrolment_id: int, *, accept: bool, reason: str | None
) -> Enrolment:
    me = acting_employee(session, actor)
    enrolment = load_enrolment(session, enrolment_id)
    verb = "accept" if accept else "decline"
    if me.user_id != enrolment.employee_id:
        employee = get_employee(session, enrolment.employee_id)
        raise PermissionDenied(f"Only {employee.name} can {verb} this nomination.")
    require_state(enrolment, [State.NOMINATED], f"{verb} this nomination")
    if accept:
        # The nomination is the approval: no separate request goes to the manager.
        enrolment.decided_by = enrolment.nominated_by
        enrolment.decided_at = utcnow()
    event = record(
        session,
        enrolment,
        actor_id=me.user_id,
        action=f"{verb}_nomination",
        to_state=State.APPROVED if accept else State.DECLINED,
        reason=reason.strip() if reason else None,
    )
    nominator = session.get(Employee, enrolment.nominated_by) if enrolment.nominated_by else None
    credential = session.get(Credential, enrolment.credential_id)
    assert credential is not None
    if nominator is not None:
        kind = Kind.NOMINATION_ACCEPTED if accept else Kind.NOMINATION_DECLINED
        add_notice(
            session,
            kind=kind,
            recipient_id=nominator.user_id,
            enrolment_id=enrolment.id,
            idempotency_key=f"{kind}:{event.id}",
            payload=payload(enrolment, credential, me, me, reason=event.reason),
        )
    return enrolment


def accept_nomination(*, session: Session, actor: Actor, enrolment_id: int) -> Enrolment:
    """The nominee accepts: the enrolment is approved at once."""
    return _answer(session, actor, enrolment_id, accept=True, reason=None)


def decline_nomination(
    *, session: Session, actor: Actor, enrolment_id: int, reason: str | None = None
) -> Enrolment:
    """The nominee declines, optionally saying why."""
    return _answer(session, actor, enrolment_id, accept=False, reason=reason)
