"""`badger badges verify` and `badger badges import` from the command line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, select
from typer.testing import CliRunner

from bot import cli_badges
from skills.models import Badge, Employee
from tests.skills.badges.badge_helpers import VCS, credential, sign_di

runner = CliRunner()
VALID = VCS / "v2/dataIntegrityProof/didKey/legacyRegistry-noStatus-noExpiry-basicOBv3.json"
TAMPERED = VCS / "v2/ed25519/didKey/legacy-noStatus-noExpiry-tampered.json"


@pytest.fixture
def env(engine: Engine, db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Engine:
    """Point the CLI at the test database, with Dana (employee) and Ada (admin)."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("BADGER_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("DATABASE_URL", db_url)
    with Session(engine) as session:
        session.add(Employee(user_id="UDANA", name="Dana", email="dana@example.com"))
        session.add(Employee(user_id="UADA", name="Ada", email="ada@example.com", is_admin=True))
        session.commit()
    return engine


def test_verify_valid_exits_0_with_json(env: Engine) -> None:
    result = runner.invoke(cli_badges.app, ["verify", str(VALID), "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["valid"] is True and data["format"] == "ob3-di" and data["errors"] == []
    assert {"issuer", "achievement", "checks"} <= set(data)


def test_verify_tampered_exits_1_and_names_the_check(env: Engine) -> None:
    result = runner.invoke(cli_badges.app, ["verify", str(TAMPERED)])
    assert result.exit_code == 1
    assert "✗ proof" in result.output and "Not valid" in result.output


def test_verify_missing_file_exits_2(env: Engine, tmp_path: Path) -> None:
    result = runner.invoke(cli_badges.app, ["verify", str(tmp_path / "nope.json")])
    assert result.exit_code == 2 and "can't read" in result.output


def test_import_records_once(env: Engine, tmp_path: Path) -> None:
    badge = tmp_path / "badge.json"
    badge.write_text(json.dumps(sign_di(credential(email="dana@example.com", name="Rust Basics"))))
    first = runner.invoke(cli_badges.app, ["import", "--user", "UDANA", str(badge)])
    assert first.exit_code == 0, first.output
    assert "Recorded Rust Basics for UDANA" in first.output
    again = runner.invoke(cli_badges.app, ["import", "--user", "UDANA", str(badge), "--json"])
    assert again.exit_code == 0 and json.loads(again.output)["created"] is False
    with Session(env) as session:
        assert len(session.exec(select(Badge)).all()) == 1


def test_import_for_someone_else_needs_an_admin(env: Engine, tmp_path: Path) -> None:
    badge = tmp_path / "badge.json"
    badge.write_text(json.dumps(sign_di(credential(email="ada@example.com", name="Rust Basics"))))
    refused = runner.invoke(cli_badges.app, ["import", "--user", "UADA", "--as", "UDANA", str(badge)])
    assert refused.exit_code == 2 and "only your own badges" in refused.output
    done = runner.invoke(cli_badges.app, ["import", "--user", "UADA", str(badge)])
    assert done.exit_code == 0, done.output


def test_import_of_someone_elses_badge_exits_1_with_the_reason(env: Engine, tmp_path: Path) -> None:
    badge = tmp_path / "badge.json"
    badge.write_text(json.dumps(sign_di(credential(email="erin@example.com"))))
    result = runner.invoke(cli_badges.app, ["import", "--user", "UDANA", str(badge)])
    assert result.exit_code == 1 and "another email address" in result.output


def test_import_of_an_invalid_badge_exits_1(env: Engine) -> None:
    result = runner.invoke(cli_badges.app, ["import", "--user", "UDANA", str(TAMPERED), "--json"])
    assert result.exit_code == 1
    assert any(p.startswith("proof:") for p in json.loads(result.output)["problems"])
