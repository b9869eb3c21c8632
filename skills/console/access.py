"""Who may see what in the console: admins everything, managers their direct and indirect reports, others nothing."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import true
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import Session, col, select

from core.errors import NotFoundError
from skills.access import Actor, acting_employee
from skills.errors import PermissionDenied
from skills.models import Employee

ADMIN_ONLY = "Only L&D admins can do that."
MAX_LISTED = 5_000


@dataclass(frozen=True)
class Scope:
    """The signed-in user's view: everyone (admins) or the people below them in the org chart."""

    user_id: str
    name: str
    is_admin: bool
    reports: tuple[str, ...] | None = None  # a manager's people, read once per request when not too many

    def people(self) -> Any:
        """The user ids this scope may see: a list, or a subquery (everyone for admins)."""
        if self.is_admin:
            return select(Employee.user_id)
        return list(self.reports) if self.reports is not None else reports_of(self.user_id)

    def covers(self, column: Any) -> ColumnElement[bool]:
        """A WHERE clause keeping rows whose employee column is within the scope."""
        if self.is_admin:
            return true()
        clause: ColumnElement[bool] = column.in_(self.people())
        return clause


def reports_of(manager_id: str) -> Any:
    """The direct and indirect reports of a manager, as a recursive query (never the manager themselves)."""
    tree = (
        select(Employee.user_id).where(Employee.manager_id == manager_id).cte("reports", recursive=True)
    )
    tree = tree.union(select(Employee.user_id).join(tree, col(Employee.manager_id) == tree.c.user_id))
    return select(tree.c.user_id)


def console_scope(session: Session, actor: Actor) -> Scope:
    """The console view of the acting user; anyone who is neither an admin nor a manager is refused."""
    me = acting_employee(session, actor)
    if not me.is_admin:
        has_reports = session.exec(select(Employee.user_id).where(Employee.manager_id == me.user_id).limit(1)).first()
        if has_reports is None:
            raise PermissionDenied("The L&D console is for L&D admins and managers.")
    if me.is_admin:
        return Scope(user_id=me.user_id, name=me.name, is_admin=True)
    # An id list lets the database use its indexes; a very large org falls back to the recursive subquery.
    reports = session.exec(reports_of(me.user_id).limit(MAX_LISTED + 1)).all()
    listed = tuple(reports) if len(reports) <= MAX_LISTED else None
    return Scope(user_id=me.user_id, name=me.name, is_admin=False, reports=listed)


def require_admin(scope: Scope) -> None:
    """Refuse a manager an admin-only action."""
    if not scope.is_admin:
        raise PermissionDenied(ADMIN_ONLY)


def require_visible(session: Session, scope: Scope, user_id: str) -> Employee:
    """The employee, if the scope may see them; otherwise refused (the same answer whether or not they exist)."""
    employee = session.get(Employee, user_id)
    if employee is None and scope.is_admin:
        raise NotFoundError(f"There is no one with the id {user_id} in Badger's directory.")
    if employee is not None and (scope.is_admin or user_id in visible_ids(session, scope, [user_id])):
        return employee
    raise PermissionDenied("You can see only the people who report to you.")  # managers: same for strangers


def visible_ids(session: Session, scope: Scope, user_ids: list[str]) -> set[str]:
    """Which of these user ids the scope may see."""
    if scope.is_admin:
        return set(user_ids)
    rows = session.exec(select(Employee.user_id).where(col(Employee.user_id).in_(user_ids),
                                                       col(Employee.user_id).in_(scope.people())))
    return set(rows.all())

