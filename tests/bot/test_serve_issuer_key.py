"""`badger serve` refuses to start with an issuer key file others can read (a real process)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from skills.issuing.keyring import init_keys
from tests.bot.slack.conftest import SECRET, TOKEN

ROOT = Path(__file__).resolve().parents[2]


def test_serve_refuses_a_key_readable_by_others(tmp_path: Path) -> None:
    key = tmp_path / "data" / "issuer-keys.json"
    init_keys(key)
    os.chmod(key, 0o644)
    env = {**os.environ, "BADGER_DATA_DIR": str(tmp_path / "data"), "SLACK_BOT_TOKEN": TOKEN,
           "SLACK_SIGNING_SECRET": SECRET, "SLACK_API_URL": "http://127.0.0.1:9/api/", "COLUMNS": "250",
           "PYTHONPATH": str(ROOT)}
    for name in ("SLACK_APP_TOKEN", "OPENAI_API_KEY", "DATABASE_URL", "CHROMA_URL"):
        env.pop(name, None)
    done = subprocess.run([sys.executable, "-m", "bot.cli", "serve", "--http", "--port", "0"], cwd=tmp_path,
                          env=env, capture_output=True, text=True, timeout=120)
    output = " ".join((done.stdout + done.stderr).split())
    assert done.returncode != 0
    assert f"the issuer key file {key} is readable by others (mode 644): run `chmod 600 {key}`" in output
