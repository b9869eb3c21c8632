"""Who is acting, and what they may do: authorisation keyed on the acting user only."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session

from core.errors import NotFoundError
from skills.errors import PermissionDenied
from skills.models import Employee


@dataclass(frozen=True)
class Actor:
    """The acting user as the surface authenticated them (a Slack user id); roles come from the database."""

    user_id: str


def acting_employee(session: Session, actor: Actor) -> Employee:
    """The acting user's employee record; strangers may do nothing."""
    employee = session.get(Employee, actor.user_id)
    if employee is None:
        raise PermissionDenied(
            "You're not in Badger's directory yet; ask an L&D admin to load the org chart."
        )
    return employee


def get_employee(session: Session, user_id: str) -> Employee:
    """An employee by Slack user id, or a NotFoundError."""
    employee = session.get(Employee, user_id)
    if employee is None:
        raise NotFoundError(f"There is no one with the id {user_id} in Badger's directory.")
    return employee


def manages(actor: Employee, employee: Employee) -> bool:
    """True when the actor is the employee's direct manager."""
    return employee.manager_id is not None and employee.manager_id == actor.user_id


def manages_or_admin(actor: Employee, employee: Employee) -> bool:
    """True when the actor is the employee's manager or an admin (never for themselves)."""
    if actor.user_id == employee.user_id:
        return False
    return actor.is_admin or manages(actor, employee)


def possessive(name: str) -> str:
    """ "Dana" -> "Dana's", "James" -> "James'"."""
    return f"{name}'" if name.endswith("s") else f"{name}'s"
