"""The console's people views: the directory, one person's record, the audit trail; talent opt-outs."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any

from sqlalchemy import select as select_many
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, select

from knowledge.models import Credential
from skills.access import Actor, acting_employee
from skills.console.access import Scope, require_visible
from skills.console.models import AdminAction, TalentOptOut
from skills.console.tables import Table
from skills.models import Badge, Employee, Enrolment, EnrolmentEvent

PAGE_ROWS = 500
PERSON_TABLES = ("enrolments", "badges", "nominations", "audit")


def directory(session: Session, scope: Scope, *, query: str = "", team: str = "",
              limit: int | None = PAGE_ROWS) -> Table:
    """The people in the scope, by team and name, optionally filtered."""
    manager = aliased(Employee)
    stmt = (
        select_many(col(Employee.user_id), col(Employee.name), col(Employee.role), col(Employee.team),
                    col(manager.name), col(Employee.is_admin))
        .outerjoin(manager, col(manager.user_id) == col(Employee.manager_id))
        .where(scope.covers(col(Employee.user_id)))
        .order_by(col(Employee.team), col(Employee.name))
    )
    if query:
        like = f"%{query.lower()}%"
        stmt = stmt.where(col(Employee.name).ilike(like) | col(Employee.user_id).ilike(like))
    if team:
        stmt = stmt.where(col(Employee.team) == team)
    if limit is not None:
        stmt = stmt.limit(limit)
    rows = (tuple(r) for r in session.execute(stmt))
    return Table("people", "People", ["Slack id", "Name", "Role", "Team", "Manager", "Admin"], rows,
                 links={"Name": ("people/", 0)})


def person_tables(session: Session, scope: Scope, user_id: str) -> tuple[Employee, list[Table]]:
    """One person's enrolments, badges, nominations and audit trail (refused outside the scope)."""
    person = require_visible(session, scope, user_id)
    return person, [person_table(session, person, key) for key in PERSON_TABLES]


def person_table(session: Session, person: Employee, key: str) -> Table:
    """One of a person's tables (the caller checked the scope)."""
    if key == "enrolments":
        enrolments = session.execute(
            select_many(col(Enrolment.id), col(Credential.title), col(Credential.provider), col(Enrolment.state),
                        col(Enrolment.percent), col(Enrolment.due_date), col(Enrolment.earned_at),
                        col(Enrolment.badge_verified_at).is_not(None))
            .join(Credential, col(Credential.id) == col(Enrolment.credential_id))
            .where(col(Enrolment.employee_id) == person.user_id).order_by(col(Enrolment.created_at).desc())
        )
        return Table("enrolments", "Enrolments", ["#", "Credential", "Provider", "State", "%", "Due", "Earned",
                                                  "Verified"], [tuple(r) for r in enrolments])
    if key == "badges":
        badges = session.execute(
            select_many(col(Badge.achievement), col(Badge.issuer), col(Badge.format), col(Badge.verified_at))
            .where(col(Badge.employee_id) == person.user_id).order_by(col(Badge.verified_at).desc())
        )
        return Table("badges", "Verified badges", ["Achievement", "Issuer", "Format", "Verified"],
                     [tuple(r) for r in badges])
    if key == "nominations":
        nominator = aliased(Employee)
        nominations = session.execute(
            select_many(col(Enrolment.id), col(Credential.title), col(nominator.name),
                        col(Enrolment.nomination_reason), col(Enrolment.state), col(Enrolment.created_at))
            .join(Credential, col(Credential.id) == col(Enrolment.credential_id))
            .join(nominator, col(nominator.user_id) == col(Enrolment.nominated_by))
            .where(col(Enrolment.employee_id) == person.user_id).order_by(col(Enrolment.created_at).desc())
        )
        return Table("nominations", "Nominations", ["#", "Credential", "Nominated by", "Reason", "State", "When"],
                     [tuple(r) for r in nominations])
    if key == "audit":
        return audit(session, None, employee_id=person.user_id, limit=None)
    raise KeyError(key)


def _filtered(stmt: Any, table: Any, *, actor_id: str, action: str, since: datetime | None,
              limit: int | None) -> Any:
    """The audit filters on a table with `actor_id`, `action` and `at` columns (enrolment events, admin actions)."""
    if actor_id:
        stmt = stmt.where(col(table.actor_id) == actor_id)
    if action:
        stmt = stmt.where(col(table.action) == action)
    if since is not None:
        stmt = stmt.where(col(table.at) >= since)
    return stmt if limit is None else stmt.limit(limit)


def audit(session: Session, scope: Scope | None, *, employee_id: str = "", actor_id: str = "", action: str = "",
          since: datetime | None = None, limit: int | None = PAGE_ROWS) -> Table:
    """Every enrolment transition (and, for admins, every admin action), newest first, filtered."""
    actor = aliased(Employee)
    learner = aliased(Employee)
    stmt = (
        select_many(col(EnrolmentEvent.at), col(EnrolmentEvent.actor_id), col(actor.name), col(EnrolmentEvent.action),
                    col(learner.name), col(Credential.title), col(EnrolmentEvent.from_state),
                    col(EnrolmentEvent.to_state), col(EnrolmentEvent.reason))
        .join(Enrolment, col(Enrolment.id) == col(EnrolmentEvent.enrolment_id))
        .join(Credential, col(Credential.id) == col(Enrolment.credential_id))
        .join(learner, col(learner.user_id) == col(Enrolment.employee_id))
        .outerjoin(actor, col(actor.user_id) == col(EnrolmentEvent.actor_id))
        .order_by(col(EnrolmentEvent.at).desc(), col(EnrolmentEvent.id).desc())
    )
    if scope is not None:
        stmt = stmt.where(scope.covers(col(Enrolment.employee_id)))
    if employee_id:
        stmt = stmt.where(col(Enrolment.employee_id) == employee_id)
    stmt = _filtered(stmt, EnrolmentEvent, actor_id=actor_id, action=action, since=since, limit=limit)
    admin_rows: list[tuple[Any, ...]] = []
    if scope is not None and scope.is_admin and not employee_id:
        admin_stmt = _filtered(select(AdminAction).order_by(col(AdminAction.at).desc()), AdminAction,
                               actor_id=actor_id, action=action, since=since, limit=limit)
        admin_rows = [(a.at, a.actor_id, None, a.action, a.subject, None, None, None, a.detail)
                      for a in session.exec(admin_stmt)]

    def rows() -> Iterator[tuple[Any, ...]]:
        events = iter(tuple(r) for r in session.execute(stmt))
        yield from _merge(events, admin_rows, limit)

    return Table("audit", "Audit trail", ["When", "Actor id", "Actor", "Action", "Person", "Credential", "From",
                                          "To", "Reason / detail"], rows())


def _merge(
    events: Iterator[tuple[Any, ...]], admin: list[tuple[Any, ...]], limit: int | None
) -> Iterator[tuple[Any, ...]]:
    """Two newest-first streams as one."""
    from heapq import merge

    merged = merge(events, admin, key=lambda row: _aware(row[0]), reverse=True)
    for count, row in enumerate(merged):
        if limit is not None and count >= limit:
            return
        yield row


def _aware(moment: datetime) -> datetime:
    from core.clock import aware

    return aware(moment)


def set_talent_opt_out(*, session: Session, actor: Actor, opt_out: bool) -> Employee:
    """Opt the acting user out of talent search (or back in)."""
    me = acting_employee(session, actor)
    row = session.get(TalentOptOut, me.user_id)
    if opt_out and row is None:
        session.add(TalentOptOut(user_id=me.user_id))
    elif not opt_out and row is not None:
        session.delete(row)
    session.flush()
    return me
