"""The authorisation matrix: every transition, for employee, other employee, manager, other manager, admin."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from sqlmodel import Session, col, select

from skills.access import Actor
from skills.enrolment import approve, decline, enrol, withdraw
from skills.errors import InvalidTransition, PermissionDenied, ValidationFailed
from skills.models import Enrolment, EnrolmentEvent
from skills.nominations import accept_nomination, decline_nomination, nominate
from skills.policy import Policy
from skills.progress import complete, record_badge, start, update_progress
from tests.skills.factories import Org

ROLES = ("employee", "other_employee", "manager", "other_manager", "admin")
ACTOR_OF = {
    "employee": "dana",
    "other_employee": "erin",
    "manager": "mia",
    "other_manager": "omar",
    "admin": "ada",
}


def requested(org: Org) -> int:
    return org.run(enrol, actor=org.dana, credential_id="cloud-arch", policy=Policy()).id or 0


def approved(org: Org) -> int:
    return org.run(enrol, actor=org.dana, credential_id="py-101", policy=Policy()).id or 0


def nominated(org: Org) -> int:
    return (
        org.run(nominate, actor=org.mia, employee_id="UDANA", credential_id="py-101", reason="Grow").id or 0
    )


Setup = Callable[[Org], int]
Act = Callable[[Org, Actor, int], Any]

# transition -> (setup, action, outcome per role: "ok" or the exception expected)
MATRIX: dict[str, tuple[Setup, Act, dict[str, str]]] = {
    "approve": (
        requested,
        lambda o, a, i: o.run(approve, actor=a, enrolment_id=i),
        {"manager": "ok", "admin": "ok"},
    ),
    "decline": (
        requested,
        lambda o, a, i: o.run(decline, actor=a, enrolment_id=i, reason="Budget"),
        {"manager": "ok", "admin": "ok"},
    ),
    "withdraw request": (
        requested,
        lambda o, a, i: o.run(withdraw, actor=a, enrolment_id=i),
        {"employee": "ok", "admin": "ok"},
    ),
    "withdraw nomination": (
        nominated,
        lambda o, a, i: o.run(withdraw, actor=a, enrolment_id=i),
        {"employee": "InvalidTransition", "manager": "ok", "admin": "ok"},
    ),
    "start": (
        approved,
        lambda o, a, i: o.run(start, actor=a, enrolment_id=i),
        {"employee": "ok", "admin": "ok"},
    ),
    "update progress": (
        approved,
        lambda o, a, i: o.run(update_progress, actor=a, enrolment_id=i, percent=50),
        {"employee": "ok", "admin": "ok"},
    ),
    "complete": (
        approved,
        lambda o, a, i: o.run(complete, actor=a, enrolment_id=i),
        {"employee": "ok", "admin": "ok"},
    ),
    "record badge": (
        approved,
        lambda o, a, i: o.run(record_badge, actor=a, enrolment_id=i),
        {"employee": "ok", "admin": "ok"},
    ),
    "accept nomination": (
        nominated,
        lambda o, a, i: o.run(accept_nomination, actor=a, enrolment_id=i),
        {"employee": "ok"},
    ),
    "decline nomination": (
        nominated,
        lambda o, a, i: o.run(decline_nomination, actor=a, enrolment_id=i),
        {"employee": "ok"},
    ),
    "nominate": (
        lambda o: 0,
        lambda o, a, i: o.run(
            nominate, actor=a, employee_id="UDANA", credential_id="ml-intro", reason="Grow"
        ),
        {"employee": "ValidationFailed", "manager": "ok", "admin": "ok"},
    ),
}
ERRORS = {
    "PermissionDenied": PermissionDenied,
    "InvalidTransition": InvalidTransition,
    "ValidationFailed": ValidationFailed,
}


def snapshot(org: Org) -> tuple[list[tuple[int | None, str]], int]:
    with Session(org.engine) as session:
        states = [(e.id, e.state) for e in session.exec(select(Enrolment).order_by(col(Enrolment.id)))]
        return states, len(session.exec(select(EnrolmentEvent)).all())


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("transition", list(MATRIX))
def test_matrix(org: Org, transition: str, role: str) -> None:
    setup, act, allowed = MATRIX[transition]
    enrolment_id = setup(org)
    actor: Actor = getattr(org, ACTOR_OF[role])
    expected = allowed.get(role, "PermissionDenied")
    before = snapshot(org)
    if expected == "ok":
        result = act(org, actor, enrolment_id)
        with Session(org.engine) as session:
            last = session.exec(select(EnrolmentEvent).order_by(col(EnrolmentEvent.id).desc())).first()
        assert last is not None and last.actor_id == actor.user_id and last.enrolment_id == result.id
    else:
        with pytest.raises(ERRORS[expected]):
            act(org, actor, enrolment_id)
        assert snapshot(org) == before  # nothing changed, nothing audited
