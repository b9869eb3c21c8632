"""`badger db upgrade` and `badger org ...` from the command line, on both backends."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlmodel import Session, select
from typer.testing import CliRunner

from bot import cli_db, cli_org
from core.db import make_engine
from skills.models import Employee, RoleSkill

runner = CliRunner()


@pytest.fixture
def env(db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """Point the CLI's settings at the test database, away from any .env file."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("BADGER_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("DATABASE_URL", db_url)
    return db_url


def test_db_upgrade_then_demo_org(env: str) -> None:
    result = runner.invoke(cli_db.app, ["upgrade"])
    assert result.exit_code == 0, result.output
    head = cli_db.head_revision()
    assert f"Database migrated from none to {head}" in result.output
    assert f"already at migration {head}" in runner.invoke(cli_db.app, ["upgrade"]).output
    assert "up to date" in runner.invoke(cli_db.app, ["current"]).output
    result = runner.invoke(cli_org.app, ["demo"])
    assert result.exit_code == 0, result.output
    assert "15 people" in result.output and "9 roles" in result.output
    engine = make_engine(env)
    with Session(engine) as session:
        assert len(session.exec(select(Employee)).all()) == 15
        assert session.exec(select(RoleSkill)).first() is not None
    engine.dispose()
    listing = runner.invoke(cli_org.app, ["list", "--team", "Data"])
    assert "U0DEMOPRI1" in listing.output and "U0DEMOHAN1" in listing.output
    assert "U0DEMODAN1" not in listing.output  # Dana is on Platform


def test_org_load_reports_every_problem_and_exits_1(env: str, tmp_path: Path) -> None:
    bad = tmp_path / "people.csv"
    bad.write_text("user_id,name,email,role,team,manager_id\nUAAA,Ann,,,,UZZZ\nUBBB,,,,,\n", encoding="utf-8")
    result = runner.invoke(cli_org.app, ["load", str(bad)])
    assert result.exit_code == 1
    assert "people.csv:row 2: manager_id: UZZZ is neither in this file nor in Badger" in result.output
    assert "people.csv:row 3: name: required" in result.output
    assert "Nothing was changed" in result.output


def test_org_load_json_summary(env: str, tmp_path: Path) -> None:
    good = tmp_path / "people.yaml"
    good.write_text(
        "- {user_id: UAAA, name: Ann}\n- {user_id: UBBB, name: Bo, manager_id: UAAA}\n", encoding="utf-8"
    )
    result = runner.invoke(cli_org.app, ["load", str(good), "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output) == {"file": str(good), "created": 2, "updated": 0}


def test_missing_file_is_one_clear_line(env: str) -> None:
    result = runner.invoke(cli_org.app, ["load", "nowhere.csv"])
    assert result.exit_code == 2
    assert "nowhere.csv: no such file" in result.output
