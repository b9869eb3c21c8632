"""`badger ask` and `badger chat`: the same assistant and messages, from the command line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bot.cli import app
from knowledge.base import KnowledgeBase
from tests.fakes.openai_server import FakeOpenAI, call
from tests.knowledge.conftest import make_settings
from tests.skills.assistant.conftest import CATALOGUE, add_org

runner = CliRunner()


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A data dir with the test catalogue and org; the CLI pointed at it, offline."""
    path = tmp_path / "data"
    kb = KnowledgeBase(make_settings(badger_data_dir=path))
    kb.load([CATALOGUE])
    add_org(kb)
    monkeypatch.setenv("BADGER_DATA_DIR", str(path))
    for name in ("OPENAI_API_KEY", "OPENAI_BASE_URL", "DATABASE_URL", "CHROMA_URL"):
        monkeypatch.delenv(name, raising=False)
    return path


def test_ask_json_has_text_and_citations(data_dir: Path) -> None:
    result = runner.invoke(app, ["ask", "free python course", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["citations"] == ["py-basics"] and "Python Basics" in data["text"]
    assert data["mode"] == "offline" and data["actions"][0] == {
        "label": "Enrol #1", "kind": "enrol", "args": {"credential_id": "py-basics"}}


def test_ask_as_a_user_reads_their_records(data_dir: Path) -> None:
    result = runner.invoke(app, ["ask", "my status", "--as", "Dana Dev", "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["intent"] == "status"


def test_ask_without_as_is_anonymous_and_cannot_act(data_dir: Path) -> None:
    result = runner.invoke(app, ["ask", "my status"])
    assert result.exit_code == 0 and "don't know who you are" in result.stdout


def test_ask_as_a_stranger_is_refused(data_dir: Path) -> None:
    result = runner.invoke(app, ["ask", "hi", "--as", "UNOBODY"])
    assert result.exit_code == 2 and "No one called" in result.output


def test_chat_renders_numbered_buttons_you_can_pick(data_dir: Path) -> None:
    result = runner.invoke(app, ["chat", "--as", "UDANA"], input="python course\n1\nmy status\nquit\n")
    assert result.exit_code == 0, result.output
    assert "[1] Enrol #1" in result.stdout and "[2] Details #1" in result.stdout
    assert "You're enrolled in Python Basics" in result.stdout
    assert "Learning now" in result.stdout and result.stdout.rstrip().endswith("Bye!")


def test_ask_in_llm_mode_through_the_fake_server(
    data_dir: Path, fake_openai: FakeOpenAI, monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test-123")
    monkeypatch.setenv("OPENAI_BASE_URL", fake_openai.base_url)
    fake_openai.script = [call("GroundedReply", text="*Python Basics* is free.", citations=[{"id": "py-basics"}])]
    result = runner.invoke(app, ["ask", "free python course", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["mode"] == "llm" and data["citations"] == ["py-basics"]
