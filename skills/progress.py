"""Progress on an enrolment: start, update (percentage, milestones, note, due date), complete, badge."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlmodel import Session

from knowledge.models import Credential
from skills.access import Actor, acting_employee, get_employee
from skills.errors import PermissionDenied, ValidationFailed
from skills.lifecycle import load_enrolment, payload, record, require_state
from skills.models import Employee, Enrolment, State, utcnow
from skills.notices import Kind, add_notice

_WORKING = (State.APPROVED, State.IN_PROGRESS)


def _own_or_admin(
    session: Session, actor: Actor, enrolment_id: int, doing: str
) -> tuple[Employee, Enrolment]:
    me = acting_employee(session, actor)
    enrolment = load_enrolment(session, enrolment_id)
    if me.user_id != enrolment.employee_id and not me.is_admin:
        employee = get_employee(session, enrolment.employee_id)
        raise PermissionDenied(f"Only {employee.name} or an L&D admin can {doing}.")
    return me, enrolment


def _start(session: Session, me: Employee, enrolment: Enrolment) -> None:
    enrolment.started_at = utcnow()
    record(session, enrolment, actor_id=me.user_id, action="start", to_state=State.IN_PROGRESS)


def start(*, session: Session, actor: Actor, enrolment_id: int) -> Enrolment:
    """Mark an approved enrolment as started."""
    me, enrolment = _own_or_admin(session, actor, enrolment_id, "start this course")
    require_state(enrolment, [State.APPROVED], "start this course")
    _start(session, me, enrolment)
    return enrolment


def _apply_milestones(enrolment: Enrolment, plan: list[str] | None, done: list[str] | None) -> None:
    current = {m["name"]: bool(m["done"]) for m in enrolment.milestones}
    if plan is not None:
        names = [n.strip() for n in plan if n.strip()]
        if len(set(names)) != len(names):
            raise ValidationFailed("Each milestone needs a different name.")
        current = {n: current.get(n, False) for n in names}
    for name in done or []:
        if name.strip() not in current:
            raise ValidationFailed(f"There is no milestone called {name.strip()!r} on this enrolment.")
        current[name.strip()] = True
    enrolment.milestones = [{"name": n, "done": d} for n, d in current.items()]


def update_progress(
    *,
    session: Session,
    actor: Actor,
    enrolment_id: int,
    percent: int | None = None,
    note: str | None = None,
    due_date: date | None = None,
    milestones: list[str] | None = None,
    milestones_done: list[str] | None = None,
) -> Enrolment:
    """Record progress (an approved enrolment starts here); milestones set the percentage unless given."""
    me, enrolment = _own_or_admin(session, actor, enrolment_id, "update progress on this enrolment")
    require_state(enrolment, _WORKING, "update progress on this enrolment")
    if percent is not None and not 0 <= percent <= 100:
        raise ValidationFailed("Progress is a percentage between 0 and 100.")
    if enrolment.state == State.APPROVED:
        _start(session, me, enrolment)
    if milestones is not None or milestones_done:
        _apply_milestones(enrolment, milestones, milestones_done)
        if percent is None and enrolment.milestones:
            done = sum(1 for m in enrolment.milestones if m["done"])
            percent = round(100 * done / len(enrolment.milestones))
    if percent is not None:
        enrolment.percent = percent
    if note is not None:
        enrolment.note = note.strip()
    if due_date is not None:
        enrolment.due_date = due_date
    summary = f"{enrolment.percent}%" + (f": {enrolment.note}" if note else "")
    record(
        session, enrolment, actor_id=me.user_id, action="progress", to_state=State.IN_PROGRESS, reason=summary
    )
    return enrolment


def complete(
    *, session: Session, actor: Actor, enrolment_id: int, completed_on: date | None = None
) -> Enrolment:
    """Mark the course finished, recording the completion date (today by default)."""
    me, enrolment = _own_or_admin(session, actor, enrolment_id, "complete this enrolment")
    require_state(enrolment, _WORKING, "mark this enrolment complete")
    today = datetime.now(UTC).date()
    completed_on = completed_on or today
    if completed_on > today:
        raise ValidationFailed("The completion date can't be in the future.")
    if enrolment.state == State.APPROVED:
        _start(session, me, enrolment)
    enrolment.completed_on = completed_on
    enrolment.percent = 100
    enrolment.milestones = [{"name": m["name"], "done": True} for m in enrolment.milestones]
    record(session, enrolment, actor_id=me.user_id, action="complete", to_state=State.COMPLETED)
    _ask_to_confirm(session, me, enrolment)
    return enrolment


def _ask_to_confirm(session: Session, me: Employee, enrolment: Enrolment) -> None:
    """The manager is asked to confirm the badge was earned (that confirmation is what triggers the shoutout)."""
    employee = session.get(Employee, enrolment.employee_id)
    credential = session.get(Credential, enrolment.credential_id)
    if employee is None or credential is None or employee.manager_id is None or employee.manager_id == me.user_id:
        return
    add_notice(session, kind=Kind.COMPLETION, recipient_id=employee.manager_id, enrolment_id=enrolment.id,
               idempotency_key=f"{Kind.COMPLETION}:{enrolment.id}",
               payload=payload(enrolment, credential, employee, me))


def record_badge(
    *, session: Session, actor: Actor, enrolment_id: int, badge_url: str | None = None
) -> Enrolment:
    """Record the badge earned for a finished (or, if the badge came first, ongoing) enrolment."""
    me, enrolment = _own_or_admin(session, actor, enrolment_id, "record a badge for this enrolment")
    require_state(enrolment, [*_WORKING, State.COMPLETED], "record a badge for this enrolment")
    enrolment.completed_on = enrolment.completed_on or datetime.now(UTC).date()
    enrolment.percent = 100
    enrolment.earned_at = utcnow()
    enrolment.badge_url = badge_url
    record(session, enrolment, actor_id=me.user_id, action="earn", to_state=State.EARNED)
    return enrolment
