"""Skill gaps, team gaps and talent search."""

from __future__ import annotations

import pytest
from sqlmodel import Session

from skills.enrolment import enrol
from skills.errors import PermissionDenied, ValidationFailed
from skills.gaps import skill_gaps, talent_search, team_gaps
from skills.models import Badge, RoleSkill
from skills.normalise import normalise_role, normalise_skill
from skills.policy import Policy
from skills.progress import record_badge
from tests.skills.factories import Org, credential
from tests.skills.finder import SubstringFinder


@pytest.fixture
def profiled(org: Org) -> Org:
    """Software Engineers need Python, Kubernetes and Communication; Data Scientists need Machine Learning."""
    with Session(org.engine) as session:
        for role, skills in {
            "Software Engineer": ["Python", "Kubernetes", "Communication"],
            "Data Scientist": ["Machine Learning"],
        }.items():
            for position, skill in enumerate(skills):
                session.add(
                    RoleSkill(
                        role_key=normalise_role(role),
                        skill_key=normalise_skill(skill),
                        role=role,
                        skill=skill,
                        position=position,
                    )
                )
        session.add(credential("k8s-admin", "Kubernetes Administration", skills=["Kubernetes"]))
        session.commit()
    return org


def earn(org: Org, who: object, credential_id: str) -> None:
    enrolment = org.run(
        enrol, actor=who, credential_id=credential_id, policy=Policy(approval_cost_threshold=10_000)
    )
    org.run(record_badge, actor=who, enrolment_id=enrolment.id)


def test_gaps_are_role_skills_not_covered_by_earned_badges(profiled: Org) -> None:
    earn(profiled, profiled.dana, "py-101")  # teaches "Python Programming", which meets "Python"
    finder = SubstringFinder(profiled.engine)
    gaps = profiled.run(skill_gaps, actor=profiled.dana, finder=finder)
    assert gaps.role_known
    assert gaps.covered == ["Python"]
    assert [g.skill for g in gaps.gaps] == ["Kubernetes", "Communication"]
    kubernetes = gaps.gaps[0].suggestions
    assert [s.credential_id for s in kubernetes] == ["k8s-admin", "cloud-arch"]  # best match first
    assert gaps.gaps[1].suggestions == []


def test_suggestions_leave_out_what_the_employee_already_has(profiled: Org) -> None:
    profiled.run(enrol, actor=profiled.dana, credential_id="cloud-arch", policy=Policy())
    gaps = profiled.run(skill_gaps, actor=profiled.dana, finder=SubstringFinder(profiled.engine))
    assert [s.credential_id for s in gaps.gaps[1].suggestions] == ["k8s-admin"]


def test_an_unprofiled_role_says_so(profiled: Org) -> None:
    gaps = profiled.run(skill_gaps, actor=profiled.mia)
    assert not gaps.role_known and gaps.gaps == []


def test_managers_see_reports_gaps_but_not_other_teams(profiled: Org) -> None:
    assert profiled.run(skill_gaps, actor=profiled.mia, employee_id="UDANA").name == "Dana"
    with pytest.raises(PermissionDenied, match="Only Owen, their manager or an L&D admin"):
        profiled.run(skill_gaps, actor=profiled.mia, employee_id="UOWEN")


def test_team_gaps_are_ranked_by_how_many_share_them(profiled: Org) -> None:
    earn(profiled, profiled.erin, "k8s-admin")
    ranked = profiled.run(team_gaps, actor=profiled.mia)
    assert [(g.skill, g.count, g.people) for g in ranked] == [
        ("Communication", 2, ["Dana", "Erin"]),
        ("Python", 2, ["Dana", "Erin"]),
        ("Kubernetes", 1, ["Dana"]),
    ]
    with pytest.raises(PermissionDenied):
        profiled.run(team_gaps, actor=profiled.dana, manager_id="UMIA")
    assert profiled.run(team_gaps, actor=profiled.ada, manager_id="UOMAR")[0].skill == "Machine Learning"


def test_talent_search_finds_holders_by_skill_or_credential(profiled: Org) -> None:
    earn(profiled, profiled.owen, "py-101")
    earn(profiled, profiled.erin, "k8s-admin")
    by_skill = profiled.run(talent_search, actor=profiled.mia, skill="python programming ")
    assert [(h.name, h.credential_id, h.verified) for h in by_skill] == [("Owen", "py-101", False)]
    by_credential = profiled.run(talent_search, actor=profiled.omar, credential_id="k8s-admin")
    assert [h.name for h in by_credential] == ["Erin"]
    assert profiled.run(talent_search, actor=profiled.ada, skill="python", verified_only=True) == []


def test_talent_search_is_for_managers_and_admins(profiled: Org) -> None:
    with pytest.raises(PermissionDenied, match="managers"):
        profiled.run(talent_search, actor=profiled.dana, skill="python")
    with pytest.raises(ValidationFailed):
        profiled.run(talent_search, actor=profiled.mia)


def add_verified_badge(org: Org, employee_id: str, skills: list[str]) -> None:
    """A verified badge from a partner outside the catalogue (as `import_badge` records it)."""
    with Session(org.engine) as session:
        session.add(Badge(employee_id=employee_id, fingerprint=f"fp-{employee_id}", format="ob3-di",
                          achievement="Certified Kubernetes Administrator", issuer="CNCF", skills=skills))
        session.commit()


def test_a_verified_badge_outside_the_catalogue_covers_its_skills(profiled: Org) -> None:
    add_verified_badge(profiled, profiled.dana.user_id, ["Kubernetes"])
    gaps = profiled.run(skill_gaps, actor=profiled.dana, finder=SubstringFinder(profiled.engine))
    assert "Kubernetes" in gaps.covered
    assert "Kubernetes" not in [g.skill for g in gaps.gaps]


def test_talent_search_finds_holders_of_badges_outside_the_catalogue(profiled: Org) -> None:
    add_verified_badge(profiled, profiled.dana.user_id, ["Kubernetes"])
    [holder] = profiled.run(talent_search, actor=profiled.ada, skill="kubernetes")
    assert (holder.employee_id, holder.title, holder.verified) == (
        profiled.dana.user_id, "Certified Kubernetes Administrator", True)
