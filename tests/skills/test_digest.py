"""The weekly manager digest: each report's learning, the team's gaps, once per manager per ISO week."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import update
from sqlmodel import Session, col, select

from skills.digest import queue_digests, team_digests
from skills.enrolment import enrol
from skills.models import Enrolment, Notice, RoleSkill
from skills.normalise import normalise_role, normalise_skill
from skills.policy import Policy
from tests.skills.factories import Org
from tests.skills.finder import SubstringFinder

NOW = datetime(2030, 3, 4, 9, 0, tzinfo=UTC)  # Monday of ISO week 2030-W10


def set_enrolment(org: Org, who: Any, credential_id: str, **values: Any) -> None:
    enrolment = org.run(enrol, actor=who, credential_id=credential_id, policy=Policy(approval_cost_threshold=10_000))
    with org.engine.begin() as conn:
        conn.execute(update(Enrolment).where(col(Enrolment.id) == enrolment.id).values(**values))


@pytest.fixture
def team(org: Org) -> Org:
    """Software Engineers need Python, Kubernetes and Communication; Dana is learning, Erin earned badges."""
    with Session(org.engine) as session:
        for position, skill in enumerate(["Python Programming", "Kubernetes", "Communication"]):
            session.add(RoleSkill(role_key=normalise_role("Software Engineer"), skill_key=normalise_skill(skill),
                                  role="Software Engineer", skill=skill, position=position))
        session.commit()
    set_enrolment(org, org.dana, "cloud-arch", state="in_progress", percent=40, due_date=date(2030, 4, 1))
    set_enrolment(org, org.dana, "ml-intro", state="approved")
    set_enrolment(org, org.erin, "py-101", state="earned", percent=100, earned_at=NOW - timedelta(days=2))
    set_enrolment(org, org.erin, "ml-intro", state="earned", percent=100, earned_at=NOW - timedelta(days=40))
    return org


def test_each_manager_gets_their_teams_picture(team: Org) -> None:
    digests = {d["manager_id"]: d for d in team.run(team_digests, now=NOW)}
    assert set(digests) == {"UMIA", "UOMAR"}
    mia = digests["UMIA"]
    assert set(mia) == {"manager_id", "manager_name", "week", "people", "top_gaps"}
    assert (mia["manager_name"], mia["week"]) == ("Mia", "2030-W10")
    dana, erin = mia["people"]
    assert dana == {"user_id": "UDANA", "name": "Dana", "in_progress": 2, "earned_this_week": 0, "earned": 0,
                    "courses": [{"title": "Cloud Architecture", "percent": 40, "due_date": "2030-04-01"},
                                {"title": "Machine Learning", "percent": 0, "due_date": None}]}
    assert (erin["name"], erin["in_progress"], erin["earned_this_week"], erin["earned"]) == ("Erin", 0, 1, 2)
    # Erin's Python badge covers Python Programming for her, not for Dana; nobody has the other two.
    assert mia["top_gaps"] == [{"skill": "Communication", "count": 2}, {"skill": "Kubernetes", "count": 2},
                               {"skill": "Python Programming", "count": 1}]
    assert digests["UOMAR"]["people"][0]["name"] == "Owen" and digests["UOMAR"]["top_gaps"] == []


def test_a_finder_adds_a_suggestion_to_each_gap(team: Org) -> None:
    digests = team.run(team_digests, now=NOW, finder=SubstringFinder(team.engine))
    mia = next(d for d in digests if d["manager_id"] == "UMIA")
    kubernetes = next(g for g in mia["top_gaps"] if g["skill"] == "Kubernetes")
    assert kubernetes["suggestions"] == [{"id": "cloud-arch", "title": "Cloud Architecture"}]


def test_digests_are_queued_once_per_manager_per_week(team: Org) -> None:
    assert team.run(queue_digests, now=NOW) == 2
    assert team.run(queue_digests, now=NOW + timedelta(days=3)) == 0  # the same ISO week
    assert team.run(queue_digests, now=NOW + timedelta(days=7)) == 2
    with Session(team.engine) as session:
        notices = list(session.exec(select(Notice).where(Notice.kind == "digest").order_by(col(Notice.id))))
    assert [(n.recipient_id, n.idempotency_key) for n in notices] == [
        ("UMIA", "digest:UMIA:2030-W10"), ("UOMAR", "digest:UOMAR:2030-W10"),
        ("UMIA", "digest:UMIA:2030-W11"), ("UOMAR", "digest:UOMAR:2030-W11")]
    assert notices[0].payload["people"][1]["earned_this_week"] == 1
