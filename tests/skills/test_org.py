"""Loading the org chart and role profiles: all or nothing, problems named by file, row and field."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from skills.errors import ValidationFailed
from skills.models import Employee, RoleSkill
from skills.org import demo_file, load_org, load_role_profiles

HEADER = "user_id,name,email,role,team,manager_id\n"


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def people(engine: Engine) -> dict[str, Employee]:
    with Session(engine) as session:
        return {e.user_id: e for e in session.exec(select(Employee))}


def load(engine: Engine, path: Path) -> tuple[int, int]:
    with Session(engine) as session:
        result = load_org(session, path)
        session.commit()
    return result.created, result.updated


def test_demo_org_loads_fifteen_people_in_three_teams(engine: Engine) -> None:
    assert load(engine, demo_file("org.csv")) == (15, 0)
    loaded = people(engine)
    assert len({e.team for e in loaded.values() if e.manager_id}) == 3
    assert loaded["U0DEMOLEO1"].manager_id == "U0DEMODAN1"
    assert [e.name for e in loaded.values() if e.is_admin] == ["Sam Okafor"]
    assert load(engine, demo_file("org.csv")) == (0, 15)  # loading again updates in place


def test_yaml_with_the_same_keys_loads(engine: Engine, tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "org.yaml",
        """
people:
  - {user_id: UBOSS, name: Boss, email: boss@example.com, role: Engineering Manager, team: Core}
  - {user_id: UDEV, name: Dev, role: Software Engineer, team: Core, manager_id: UBOSS, timezone: Asia/Tokyo}
""",
    )
    assert load(engine, path) == (2, 0)
    assert people(engine)["UDEV"].timezone == "Asia/Tokyo"


def test_reports_listed_before_their_manager_still_load(engine: Engine, tmp_path: Path) -> None:
    path = write(tmp_path, "org.csv", HEADER + "UDEV,Dev,,,,UBOSS\nUBOSS,Boss,,,,\n")
    assert load(engine, path) == (2, 0)


def test_every_problem_is_named_and_nothing_is_loaded(engine: Engine, tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "org.csv",
        HEADER
        + "UOK,Fine Person,ok@example.com,,,\n"
        + "dana,Dana,not-an-email,,,\n"
        + "UX1,,x@example.com,,,UNOBODY\n"
        + "UOK,Twice,,,,\n",
    )
    with pytest.raises(ValidationFailed) as caught:
        load(engine, path)
    assert caught.value.problems == [
        "org.csv:row 3: user_id: 'dana' is not a Slack user id (like U012ABCDEF)",
        "org.csv:row 3: email: 'not-an-email' is not an email address",
        "org.csv:row 4: name: required",
        "org.csv:row 5: user_id: UOK already appears at org.csv:row 2",
        "org.csv:row 4: manager_id: UNOBODY is neither in this file nor in Badger",
    ]
    assert people(engine) == {}


def test_management_cycles_are_refused(engine: Engine, tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "org.csv",
        HEADER + "UAAA,A,,,,UBBB\nUBBB,B,,,,UCCC\nUCCC,C,,,,UAAA\nUDDD,D,,,,UAAA\nUEEE,E,,,,UEEE\n",
    )
    with pytest.raises(ValidationFailed) as caught:
        load(engine, path)
    assert caught.value.problems == [
        "org.csv:row 6: manager_id: UEEE cannot be their own manager",
        "org.csv:row 2: manager_id: management cycle UAAA -> UBBB -> UCCC -> UAAA",
    ]


def test_a_cycle_through_people_already_loaded_is_refused(engine: Engine, tmp_path: Path) -> None:
    load(engine, write(tmp_path, "first.csv", HEADER + "UBOSS,Boss,,,,\nUDEV,Dev,,,,UBOSS\n"))
    with pytest.raises(ValidationFailed, match="management cycle UBOSS -> UDEV -> UBOSS"):
        load(engine, write(tmp_path, "second.csv", HEADER + "UBOSS,Boss,,,,UDEV\n"))
    assert people(engine)["UBOSS"].manager_id is None


def test_a_wrong_header_is_refused(engine: Engine, tmp_path: Path) -> None:
    with pytest.raises(ValidationFailed, match=r"row 1: .*missing: manager_id.*unknown: manger_id"):
        load(engine, write(tmp_path, "org.csv", "user_id,name,email,role,team,manger_id\nUAAA,A,,,,\n"))


def test_other_formats_are_refused(engine: Engine, tmp_path: Path) -> None:
    with pytest.raises(ValidationFailed, match=r"\.csv, \.yaml or \.yml"):
        load(engine, write(tmp_path, "org.txt", "hello"))


def test_demo_role_profiles_load_and_reload(engine: Engine) -> None:
    with Session(engine) as session:
        assert load_role_profiles(session, demo_file("roles.yaml")) == 9
        session.commit()
        assert load_role_profiles(session, demo_file("roles.yaml")) == 9
        session.commit()
        rows = session.exec(select(RoleSkill).where(RoleSkill.role_key == "data scientist")).all()
    assert {r.skill_key for r in rows} >= {"python", "machine learning", "sql", "data analysis"}


def test_role_profile_problems_are_named(engine: Engine, tmp_path: Path) -> None:
    path = write(tmp_path, "roles.yaml", "roles:\n  - role: Dev\n    skills: []\n  - skills: [x]\n")
    with pytest.raises(ValidationFailed) as caught, Session(engine) as session:
        load_role_profiles(session, path)
    assert caught.value.problems == [
        "roles.yaml:entry 1: skills: a non-empty list is required",
        "roles.yaml:entry 2: role: required",
    ]
