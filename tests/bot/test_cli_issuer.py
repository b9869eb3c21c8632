"""`badger issuer ...` and `badger badges award|issued|export|revoke` for a self-issued credential, end to end."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session
from typer.testing import CliRunner

from bot import cli_badges, cli_issuer
from core.db import init_db, make_engine
from core.settings import Settings
from skills.badges.baked import from_png
from skills.badges.verify import verify_badge
from skills.issuing.identity import issuer_from_settings
from skills.issuing.service import LocalFetcher
from tests.skills.factories import make_org, set_email
from tests.skills.issuing.conftest import add_self_credential

runner = CliRunner()


@pytest.fixture
def engine(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Engine]:
    """The CLI's database holding the standard org, a self-issued credential, and issuer settings."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("BADGER_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.setenv("BADGER_ISSUER_NAME", "Example Ltd")
    monkeypatch.setenv("BADGER_PUBLIC_URL", "https://badges.example.org")
    (tmp_path / "data").mkdir()
    engine = make_engine(f"sqlite:///{tmp_path / 'data' / 'badger.db'}")
    init_db(engine)
    org = make_org(engine)
    add_self_credential(org)
    set_email(engine, "UDANA", "dana@example.org")
    yield engine
    engine.dispose()


def run(app: object, *args: str) -> tuple[int, str]:
    """Run a CLI command; (exit code, output on one line)."""
    result = runner.invoke(app, list(args))  # type: ignore[arg-type]
    return result.exit_code, " ".join(result.output.split())


def _verify(engine: Engine, data: bytes) -> list[str]:
    with Session(engine) as session:
        return verify_badge(data, fetcher=LocalFetcher(session, issuer_from_settings(Settings()))).errors


def test_init_award_export_revoke(engine: Engine, tmp_path: Path) -> None:
    code, output = run(cli_issuer.app, "init")
    assert code == 0 and "Made the issuer key" in output and "did:key:z6Mk" in output
    key = tmp_path / "data" / "issuer-keys.json"
    assert os.stat(key).st_mode & 0o777 == 0o600
    code, output = run(cli_issuer.app, "init")
    assert code != 0 and "already exists; use `badger issuer rotate`" in output

    code, output = run(cli_badges.app, "award", "--user", "Dana", "--credential", "lead-101", "--by", "Mia")
    assert code == 0, output
    code, output = run(cli_badges.app, "issued", "--user", "Dana", "--json")
    issued = json.loads(output)
    assert code == 0 and [(b["achievement"], b["revoked"]) for b in issued] == [("Leading Teams", False)]
    uid = issued[0]["id"]

    assert run(cli_badges.app, "export", uid, "--png", "--out", "badge.png")[0] == 0
    baked = (tmp_path / "badge.png").read_bytes()
    assert json.loads(from_png(baked))["id"] == f"https://badges.example.org/credentials/{uid}"
    assert _verify(engine, baked) == []  # the PNG itself verifies: the credential is baked in
    assert run(cli_badges.app, "export", uid, "--json", "--out", "badge.json")[0] == 0
    assert _verify(engine, (tmp_path / "badge.json").read_bytes()) == []

    code, output = run(cli_badges.app, "revoke", uid, "--reason", "awarded to the wrong person", "--by", "Ada")
    assert code == 0 and f"Revoked {uid}" in output
    assert _verify(engine, baked) == ["status: the issuer has revoked this credential"]
    code, output = run(cli_badges.app, "issued")
    assert "revoked" in output

    code, output = run(cli_badges.app, "export", "nope", "--json")
    assert code != 0 and "Badger issued no badge with the id nope" in output


def test_a_key_readable_by_others_stops_awarding(engine: Engine, tmp_path: Path) -> None:
    assert run(cli_issuer.app, "init")[0] == 0
    os.chmod(tmp_path / "data" / "issuer-keys.json", 0o640)
    code, output = run(cli_badges.app, "award", "--user", "Dana", "--credential", "lead-101", "--by", "Mia")
    assert code != 0 and "is readable by others (mode 640): run `chmod 600" in output
    assert json.loads(run(cli_badges.app, "issued", "--json")[1]) == []
