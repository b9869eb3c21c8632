"""Where things stand: my status, a manager's team dashboard, the audit trail, reminders due."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select as sa_select
from sqlmodel import Session, col, or_, select

from knowledge.models import Credential
from skills.access import Actor, acting_employee, get_employee, manages_or_admin, possessive
from skills.errors import PermissionDenied
from skills.lifecycle import load_enrolment
from skills.models import ACTIVE_STATES, Employee, Enrolment, EnrolmentEvent, State
from skills.reminders import ReminderRules, sweep
from skills.views import EnrolmentView, MemberStatus, MyStatus, Reminder

REMINDABLE = (State.APPROVED, State.IN_PROGRESS)


def _visible(session: Session, actor: Actor, employee_id: str | None, what: str) -> Employee:
    me = acting_employee(session, actor)
    if employee_id is None or employee_id == me.user_id:
        return me
    employee = get_employee(session, employee_id)
    if not manages_or_admin(me, employee):
        raise PermissionDenied(f"Only {employee.name}, their manager or an L&D admin can see {what}.")
    return employee


def my_status(*, session: Session, actor: Actor, employee_id: str | None = None) -> MyStatus:
    """Enrolments with progress and due dates, badges and open nominations (one's own, or a report's)."""
    employee = _visible(session, actor, employee_id, "their learning status")
    rows = session.exec(
        select(Enrolment, Credential)
        .join(Credential, col(Enrolment.credential_id) == col(Credential.id))
        .where(
            Enrolment.employee_id == employee.user_id,
            col(Enrolment.state).in_([*ACTIVE_STATES, State.EARNED]),
        )
        .order_by(col(Enrolment.due_date).is_(None), col(Enrolment.due_date), col(Enrolment.id))
    ).all()
    views = [EnrolmentView.of(e, c) for e, c in rows]
    return MyStatus(
        employee_id=employee.user_id,
        name=employee.name,
        active=[v for v in views if v.state not in (State.NOMINATED, State.EARNED)],
        badges=[v for v in views if v.state == State.EARNED],
        nominations=[v for v in views if v.state == State.NOMINATED],
    )


def team_status(*, session: Session, actor: Actor, manager_id: str | None = None) -> list[MemberStatus]:
    """A manager's dashboard: each direct report's active enrolments and badge count (admins: any team)."""
    me = acting_employee(session, actor)
    manager = me if manager_id is None else get_employee(session, manager_id)
    if manager.user_id != me.user_id and not me.is_admin:
        raise PermissionDenied(
            f"Only {manager.name} or an L&D admin can see {possessive(manager.name)} team."
        )
    members = session.exec(
        select(Employee).where(Employee.manager_id == manager.user_id).order_by(col(Employee.name))
    ).all()
    rows = session.exec(
        select(Enrolment, Credential)
        .join(Credential, col(Enrolment.credential_id) == col(Credential.id))
        .join(Employee, col(Enrolment.employee_id) == col(Employee.user_id))
        .where(
            Employee.manager_id == manager.user_id, col(Enrolment.state).in_([*ACTIVE_STATES, State.EARNED])
        )
        .order_by(col(Enrolment.id))
    ).all()
    active: dict[str, list[EnrolmentView]] = {m.user_id: [] for m in members}
    badges: dict[str, int] = dict.fromkeys(active, 0)
    for enrolment, credential in rows:
        if enrolment.state == State.EARNED:
            badges[enrolment.employee_id] += 1
        else:
            active[enrolment.employee_id].append(EnrolmentView.of(enrolment, credential))
    return [MemberStatus(m.user_id, m.name, m.role, active[m.user_id], badges[m.user_id]) for m in members]


def enrolment_view(*, session: Session, actor: Actor, enrolment_id: int) -> EnrolmentView:
    """One enrolment with its credential, for the employee, their manager or an admin."""
    enrolment = load_enrolment(session, enrolment_id)
    _visible(session, actor, enrolment.employee_id, "this enrolment")
    credential = session.get(Credential, enrolment.credential_id)
    assert credential is not None
    return EnrolmentView.of(enrolment, credential)


def history(*, session: Session, actor: Actor, enrolment_id: int) -> list[EnrolmentEvent]:
    """The audit trail of one enrolment, for the employee, their manager or an admin."""
    enrolment = load_enrolment(session, enrolment_id)
    _visible(session, actor, enrolment.employee_id, "this enrolment's history")
    query = select(EnrolmentEvent).where(EnrolmentEvent.enrolment_id == enrolment_id)
    return list(session.exec(query.order_by(col(EnrolmentEvent.id))))


def due_for_reminder(
    *, session: Session, now: datetime, within_days: int = 7, every_days: int = 7, limit: int = 1000
) -> list[Reminder]:
    """Ongoing enrolments due within `within_days` (or overdue) not reminded in the last `every_days`."""
    today = now.date()
    # Plain rows, not ORM objects: a reminder run can cover tens of thousands of enrolments.
    rows = (
        session.connection()
        .execute(
            sa_select(
                col(Enrolment.id),
                col(Enrolment.employee_id),
                col(Enrolment.credential_id),
                col(Credential.title),
                col(Enrolment.due_date),
                col(Enrolment.percent),
            )
            .join(Credential, col(Enrolment.credential_id) == col(Credential.id))
            .where(
                col(Enrolment.state).in_(REMINDABLE),
                col(Enrolment.due_date) <= today + timedelta(days=within_days),
                or_(
                    col(Enrolment.last_reminded_at).is_(None),
                    col(Enrolment.last_reminded_at) < now - timedelta(days=every_days),
                ),
            )
            .order_by(col(Enrolment.due_date), col(Enrolment.id))
            .limit(limit)
        )
        .all()
    )
    return [
        Reminder(
            enrolment_id or 0,
            employee_id,
            credential_id,
            title,
            due,
            percent,
            due is not None and due < today,
        )
        for enrolment_id, employee_id, credential_id, title, due, percent in rows
        if due is not None
    ]


def queue_reminders(*, session: Session, now: datetime, within_days: int = 7, every_days: int = 7) -> int:
    """Queue every reminder due now at any hour (scripts, demos); the hourly job sweeps in working hours."""
    rules = ReminderRules(hours=(0, 24), weekends=True, due_soon_days=within_days, repeat_days=every_days)
    return sweep(session=session, now=now, rules=rules).queued
