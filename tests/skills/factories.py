"""Test data builders: employees, credentials and a small org chart."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from sqlalchemy.engine import Engine
from sqlmodel import Session

from knowledge.models import Credential
from skills.access import Actor
from skills.models import Employee

T = TypeVar("T")


def credential(
    id: str,
    title: str,
    *,
    cost: float | None = None,
    skills: list[str] | None = None,
    provider: str = "Test University",
    status: str = "active",
) -> Credential:
    """A catalogue row as the catalogue loader would store it."""
    digest = hashlib.sha256(id.encode()).hexdigest()
    return Credential(
        id=id,
        title=title,
        provider=provider,
        skills=skills or [],
        cost=cost,
        content_hash=digest,
        embed_hash=digest,
        status=status,
    )


@dataclass(frozen=True)
class Org:
    """Actors of the standard test org."""

    engine: Engine
    dana: Actor  # employee, reports to Mia
    erin: Actor  # another of Mia's reports
    mia: Actor  # Dana's and Erin's manager
    omar: Actor  # another manager (of Owen)
    owen: Actor
    ada: Actor  # L&D admin, no manager

    def run(self, fn: Callable[..., T], **kwargs: Any) -> T:
        """Call a skill in its own committed unit of work, as one Slack interaction would."""
        with Session(self.engine, expire_on_commit=False) as session:
            result = fn(session=session, **kwargs)
            session.commit()
            return result


def make_org(engine: Engine) -> Org:
    """Insert the standard org and catalogue."""
    with Session(engine) as session:
        session.add(Employee(user_id="UADA", name="Ada", is_admin=True, role="L&D Lead"))
        session.add(Employee(user_id="UMIA", name="Mia", team="Platform", role="Engineering Manager"))
        session.add(Employee(user_id="UOMAR", name="Omar", team="Data", role="Data Science Manager"))
        session.flush()
        session.add(
            Employee(
                user_id="UDANA", name="Dana", team="Platform", manager_id="UMIA", role="Software Engineer"
            )
        )
        session.add(
            Employee(
                user_id="UERIN", name="Erin", team="Platform", manager_id="UMIA", role="Software Engineer"
            )
        )
        session.add(
            Employee(user_id="UOWEN", name="Owen", team="Data", manager_id="UOMAR", role="Data Scientist")
        )
        session.add(
            credential(
                "py-101", "Python for Everybody", cost=49, skills=["Python Programming", "Data Structures"]
            )
        )
        session.add(
            credential(
                "cloud-arch", "Cloud Architecture", cost=1200, skills=["Cloud Computing", "Kubernetes"]
            )
        )
        session.add(
            credential("ml-intro", "Machine Learning", cost=0, skills=["Machine Learning", "Statistics"])
        )
        session.add(credential("old-course", "Retired Course", cost=0, status="retired"))
        session.commit()
    return Org(
        engine, Actor("UDANA"), Actor("UERIN"), Actor("UMIA"), Actor("UOMAR"), Actor("UOWEN"), Actor("UADA")
    )


def set_email(engine: Engine, user_id: str, email: str) -> None:
    """Give someone an email address (badges are matched to it)."""
    with Session(engine) as session:
        employee = session.get(Employee, user_id)
        assert employee is not None
        employee.email = email
        session.add(employee)
        session.commit()
