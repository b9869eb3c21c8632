"""`badger console` as a process: serves the console on localhost and prints a one-time link that signs in."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from sqlmodel import Session
from typer.testing import CliRunner

from bot import cli_console, cli_org
from bot.console import load_settings
from core.db import get_engine
from knowledge.base import KnowledgeBase
from skills.console.models import TalentOptOut, TeamBudget
from tests.knowledge.conftest import make_settings
from tests.servers import free_port
from tests.skills.assistant.conftest import CATALOGUE, add_org

ROOT = Path(__file__).resolve().parents[2]


def test_badger_console_serves_and_its_link_signs_in_once(tmp_path: Path) -> None:
    data = tmp_path / "data"
    kb = KnowledgeBase(make_settings(badger_data_dir=data))
    kb.load([CATALOGUE])
    add_org(kb)
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "CHROMA_URL", "BADGER_CONSOLE_URL")}
    env.update(BADGER_DATA_DIR=str(data), PYTHONPATH=str(ROOT), COLUMNS="400")
    port = free_port()
    process = subprocess.Popen([sys.executable, "-m", "bot.cli", "console", "--user", "UADA", "--port", str(port)],
                               cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        assert process.stdout is not None
        link = ""
        deadline = time.monotonic() + 60
        while not link and time.monotonic() < deadline:
            line = process.stdout.readline()
            assert line, "badger console exited before printing its link"
            if match := re.search(r"(http://127\.0\.0\.1:\d+/login/link\?token=\S+)", line):
                link = match.group(1)
        client = httpx.Client(timeout=10)
        form = None
        while time.monotonic() < deadline:
            try:
                form = client.get(link)
                break
            except httpx.ConnectError:
                time.sleep(0.1)  # polling for the server to listen, with a deadline
        assert form is not None and form.status_code == 200
        fields = dict(re.findall(r'name="(csrf|token)" value="([^"]*)"', form.text))
        signed = client.post(f"http://127.0.0.1:{port}/login/link", data=fields)
        assert signed.status_code == 303
        assert "Ada Admin" in client.get(f"http://127.0.0.1:{port}/overview").text
        assert client.post(f"http://127.0.0.1:{port}/login/link", data=fields).status_code == 403
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_budget_talent_opt_out_and_link_commands(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("BADGER_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv("DATABASE_URL", raising=False)
    runner = CliRunner()
    assert runner.invoke(cli_org.app, ["demo"]).exit_code == 0
    done = runner.invoke(cli_org.app, ["budget", "Platform", "12000"])
    assert done.exit_code == 0 and "Platform's budget is 12000" in done.output
    refused = runner.invoke(cli_org.app, ["budget", "Platform", "1", "--by", "U0DEMOLEO1"])
    assert refused.exit_code == 2 and "for L&D admins and managers" in refused.output
    unknown = runner.invoke(cli_org.app, ["budget", "Nowhere", "1"])
    assert unknown.exit_code == 2 and "Nowhere" in unknown.output
    assert runner.invoke(cli_org.app, ["talent-opt-out", "U0DEMOLEO1"]).exit_code == 0
    engine = get_engine(load_settings())
    with Session(engine) as session:
        budget = session.get(TeamBudget, "Platform")
        assert budget is not None and budget.amount == 12000
        assert session.get(TalentOptOut, "U0DEMOLEO1") is not None
    assert runner.invoke(cli_org.app, ["talent-opt-out", "U0DEMOLEO1", "--undo"]).exit_code == 0
    with Session(engine) as session:
        assert session.get(TalentOptOut, "U0DEMOLEO1") is None

    link = runner.invoke(cli_console.app, ["link", "--user", "U0DEMOSAM1"])
    assert link.exit_code == 0 and "/login/link?token=" in link.output
    employee = runner.invoke(cli_console.app, ["link", "--user", "U0DEMOLEO1"])
    assert employee.exit_code == 2 and "for L&D admins and managers" in employee.output
