"""`badger badges award`, `badger org channel` and `badger org opt-out` against a SQLite file in a temp data dir."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select
from typer.testing import CliRunner

from bot import cli_badges, cli_org
from core.db import init_db, make_engine
from skills.models import Employee, Enrolment, Notice
from skills.notices import Kind
from tests.skills.factories import make_org

runner = CliRunner()


@pytest.fixture
def engine(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Engine]:
    """The CLI's database (the data dir's SQLite file) holding the standard test org."""
    monkeypatch.chdir(tmp_path)  # away from any .env file
    monkeypatch.setenv("BADGER_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv("DATABASE_URL", raising=False)
    (tmp_path / "data").mkdir()
    engine = make_engine(f"sqlite:///{tmp_path / 'data' / 'badger.db'}")
    init_db(engine)
    make_org(engine)
    yield engine
    engine.dispose()


def rows(engine: Engine) -> tuple[list[Enrolment], list[Notice]]:
    """Every enrolment and notice."""
    with Session(engine) as session:
        return (list(session.exec(select(Enrolment).order_by(col(Enrolment.id)))),
                list(session.exec(select(Notice).order_by(col(Notice.id)))))


def award(*args: str) -> tuple[int, str]:
    """Run `badger badges award ARGS`; (exit code, output)."""
    result = runner.invoke(cli_badges.app, ["award", *args])
    return result.exit_code, " ".join(result.output.split())


def test_award_then_rerun_changes_nothing(engine: Engine) -> None:
    code, output = award("--user", "Dana", "--credential", "py-101", "--by", "Mia")
    assert code == 0, output
    assert ("Awarded py-101 to Dana (#1); the shoutout posts in #learning in 10 minutes unless their manager "
            "holds it.") in output
    code, output = award("--user", "UDANA", "--credential", "py-101", "--by", "UMIA")
    assert (code, output) == (0, "Dana already earned py-101; nothing changed.")
    enrolments, notices = rows(engine)
    assert [(e.employee_id, e.state) for e in enrolments] == [("UDANA", "earned")]
    assert [(n.kind, n.recipient_id) for n in notices] == [(Kind.SHOUTOUT, "#learning"),
                                                           (Kind.SHOUTOUT_PREVIEW, "UMIA")]


def test_by_defaults_to_the_only_admin_and_json_is_for_scripts(engine: Engine) -> None:
    result = runner.invoke(cli_badges.app, ["award", "--user", "Owen", "--credential", "ml-intro", "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output) == {"changed": True, "enrolment_id": 1, "employee": "UOWEN",
                                         "credential_id": "ml-intro", "state": "earned", "by": "UADA",
                                         "shoutout": "#learning"}
    with Session(engine) as session:
        session.add(Employee(user_id="UBEA", name="Bea", is_admin=True))
        session.commit()
    code, output = award("--user", "Owen", "--credential", "py-101")
    assert code == 2 and "Say who is acting with --by" in output and "several admins" in output


@pytest.mark.parametrize(("args", "message"), [
    (["--user", "Dana", "--credential", "py-101", "--by", "Dana"], "can't confirm your own badge"),
    (["--user", "Dana", "--credential", "py-101", "--by", "Omar"], "Only Dana's manager or an L&D admin"),
    (["--user", "Zed", "--credential", "py-101"], "No one called 'Zed'"),
    (["--user", "Dana", "--credential", "nope"], "no credential with the id nope"),
])
def test_award_refusals_exit_2_and_change_nothing(engine: Engine, args: list[str], message: str) -> None:
    code, output = award(*args)
    assert code == 2 and message in output
    assert rows(engine) == ([], [])


def test_settings_choose_the_default_channel_and_the_hold(engine: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BADGER_SHOUTOUT_CHANNEL", "#wins")
    monkeypatch.setenv("BADGER_SHOUTOUT_HOLD_MINUTES", "0")
    code, output = award("--user", "Erin", "--credential", "py-101", "--by", "Mia")
    assert code == 0 and "the shoutout posts in #wins at once" in output
    [shoutout] = rows(engine)[1]  # no hold: no preview
    assert (shoutout.recipient_id, shoutout.next_attempt_at) == ("#wins", None)


def test_team_channel_and_opt_out_commands(engine: Engine) -> None:
    result = runner.invoke(cli_org.app, ["channel", "Platform", "#platform-wins"])
    assert result.exit_code == 0 and "Platform's shoutouts go to #platform-wins" in result.output
    assert award("--user", "Erin", "--credential", "py-101", "--by", "Mia")[0] == 0
    assert rows(engine)[1][0].recipient_id == "#platform-wins"
    bad = runner.invoke(cli_org.app, ["channel", "Platform", "platform wins"])
    assert bad.exit_code == 2 and "isn't a Slack channel" in " ".join(bad.output.split())
    assert runner.invoke(cli_org.app, ["channel", "Platform"]).exit_code == 2  # a channel, or --clear
    cleared = runner.invoke(cli_org.app, ["channel", "Platform", "--clear", "--by", "Ada"])
    assert cleared.exit_code == 0 and "the default channel" in cleared.output

    result = runner.invoke(cli_org.app, ["opt-out", "Dana"])
    assert result.exit_code == 0 and "Dana opted out of team shoutouts" in result.output
    assert award("--user", "Dana", "--credential", "py-101", "--by", "Mia")[1].endswith(
        "they opted out of shoutouts, so they get a private congratulation.")
    assert rows(engine)[1][-1].kind == Kind.CONGRATULATION
    assert "opted back in" in runner.invoke(cli_org.app, ["opt-out", "Dana", "--undo"]).output


@pytest.mark.parametrize(("app", "command", "words"), [
    (cli_badges.app, "award", ["--user", "--credential", "--by", "exactly one admin", "changes nothing"]),
    (cli_org.app, "channel", ["TEAM", "CHANNEL", "--clear", "--by"]),
    (cli_org.app, "opt-out", ["USER", "--undo", "private congratulation"]),
])
def test_help_explains_each_command(app: object, command: str, words: list[str]) -> None:
    result = runner.invoke(app, [command, "--help"])  # type: ignore[arg-type]
    text = " ".join(result.output.split())
    assert result.exit_code == 0 and all(word in text for word in words), text
