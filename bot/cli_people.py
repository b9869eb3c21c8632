"""Who acts for a command: the person --by names, or the only admin (people are found with one_person)."""

from __future__ import annotations

from sqlmodel import Session, col, select

from skills.access import Actor
from skills.assistant.resolve import one_person
from skills.errors import ValidationFailed
from skills.models import Employee


def acting(session: Session, by: str | None) -> Actor:
    """The actor named by --by; without it, the only admin (an error when there are none or several)."""
    if by:
        return Actor(one_person(session, by).user_id)
    admins = session.exec(select(Employee).where(col(Employee.is_admin).is_(True))).all()
    if len(admins) == 1:
        return Actor(admins[0].user_id)
    raise ValidationFailed("Say who is acting with --by (a manager or an L&D admin): "
                           + ("there is no admin in Badger." if not admins else "there are several admins."))
