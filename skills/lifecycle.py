"""Shared machinery for enrolment transitions: loading, legality checks, audit rows, unique inserts."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError
from sqlmodel import Session, col, select

from core.errors import NotFoundError
from knowledge.models import ACTIVE, Credential
from skills.errors import AlreadyEnrolled, InvalidTransition, ValidationFailed
from skills.models import ACTIVE_STATES, Employee, Enrolment, EnrolmentEvent, State, utcnow

DESCRIPTIONS: dict[str, str] = {
    State.NOMINATED: "a nomination waiting for an answer",
    State.REQUESTED: "waiting for approval",
    State.APPROVED: "approved and not started yet",
    State.IN_PROGRESS: "in progress",
    State.COMPLETED: "completed",
    State.EARNED: "finished with a badge earned",
    State.DECLINED: "declined",
    State.WITHDRAWN: "withdrawn",
}


def active_credential(session: Session, credential_id: str) -> Credential:
    """A credential that can still be joined, or a user-facing error."""
    credential = session.get(Credential, credential_id)
    if credential is None:
        raise NotFoundError(f"There is no credential with the id {credential_id} in the catalogue.")
    if credential.status != ACTIVE:
        raise ValidationFailed(
            f"{credential.title} has been retired from the catalogue, so no one can join it now."
        )
    return credential


def load_enrolment(session: Session, enrolment_id: int) -> Enrolment:
    """The enrolment, row-locked for the rest of the transaction where the database supports it."""
    enrolment = session.exec(select(Enrolment).where(Enrolment.id == enrolment_id).with_for_update()).first()
    if enrolment is None:
        raise NotFoundError(f"There is no enrolment number {enrolment_id}.")
    return enrolment


def require_state(enrolment: Enrolment, allowed: Iterable[State], doing: str) -> None:
    """Refuse an illegal move with a message naming the current state."""
    if enrolment.state not in set(allowed):
        raise InvalidTransition(
            f"You can't {doing}: it is {DESCRIPTIONS.get(enrolment.state, enrolment.state)}."
        )


def record(
    session: Session,
    enrolment: Enrolment,
    *,
    actor_id: str,
    action: str,
    to_state: State,
    reason: str | None = None,
    initial: bool = False,
) -> EnrolmentEvent:
    """Move the enrolment to `to_state` and write the audit row; returns the event (its id keys notices)."""
    assert enrolment.id is not None
    event = EnrolmentEvent(
        enrolment_id=enrolment.id,
        actor_id=actor_id,
        action=action,
        from_state=None if initial else enrolment.state,
        to_state=to_state.value,
        reason=reason,
    )
    if not initial:  # a new row already carries its state and timestamps; touching them costs an UPDATE
        enrolment.state = to_state.value
        enrolment.updated_at = utcnow()
    session.add(enrolment)
    session.add(event)
    try:
        session.flush()
    except StaleDataError:
        session.rollback()
        raise InvalidTransition(
            "Someone else changed this enrolment at the same moment; please look again."
        ) from None
    return event


def refuse_duplicate(session: Session, employee: Employee, credential: Credential, *, self_: bool) -> None:
    """Raise AlreadyEnrolled if the employee has an active enrolment or a badge for the credential."""
    rows = session.exec(
        select(Enrolment.state).where(
            Enrolment.employee_id == employee.user_id,
            Enrolment.credential_id == credential.id,
            col(Enrolment.state).in_([*ACTIVE_STATES, State.EARNED]),
        )
    ).all()
    if not rows:
        return
    who, have = ("You", "have") if self_ else (employee.name, "has")
    if set(rows) == {State.EARNED}:
        raise AlreadyEnrolled(f"{who} already earned {credential.title}.")
    state = next(s for s in rows if s != State.EARNED)
    raise AlreadyEnrolled(
        f"{who} already {have} an enrolment for {credential.title}: it is {DESCRIPTIONS[state]}."
    )


def insert_unique(
    session: Session, enrolment: Enrolment, employee: Employee, credential: Credential, *, self_: bool
) -> None:
    """Insert a new active enrolment; a concurrent twin loses to the unique index and the session rolls back."""
    # No SAVEPOINT here: with pysqlite, releasing one that opened the transaction commits the row early.
    session.add(enrolment)
    try:
        session.flush()
    except IntegrityError:
        session.rollback()
        refuse_duplicate(session, employee, credential, self_=self_)
        raise


def payload(
    enrolment: Enrolment, credential: Credential, employee: Employee, actor: Employee, **extra: Any
) -> dict[str, Any]:
    """What a notice needs to be rendered without another query."""
    return {
        "enrolment_id": enrolment.id,
        "state": enrolment.state,
        "credential_id": credential.id,
        "credential_title": credential.title,
        "provider": credential.provider,
        "employee_id": employee.user_id,
        "employee_name": employee.name,
        "actor_id": actor.user_id,
        "actor_name": actor.name,
        **extra,
    }
