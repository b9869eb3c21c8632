"""An answer worker process loads torch only when it embeds locally: with OpenAI embeddings it never imports it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.fakes.openai_server import FakeOpenAI
from tests.fakes.slack_server import FakeSlack

ROOT = Path(__file__).resolve().parents[3]
SCRIPT = '''
import json
import time
from pathlib import Path


def torch_loaded(pid):
    """Whether the process has torch's native library mapped (read from outside the process)."""
    return "libtorch" in Path(f"/proc/{pid}/maps").read_text()


if __name__ == "__main__":
    from bot.slack.answers import AnswerPool
    from core.settings import Settings

    pool = AnswerPool(Settings(_env_file=None), 1)
    deadline = time.monotonic() + 240
    while not pool.ready:  # the worker has built its services and warmed up
        assert time.monotonic() < deadline and pool.processes[0].is_alive(), "the answer worker did not start"
        time.sleep(0.1)
    print(json.dumps({"torch": torch_loaded(pool.processes[0].pid)}))
    pool.close(5)
'''


@pytest.mark.parametrize(("backend", "torch"), [("openai", False), ("local", True)])
def test_the_answer_worker_imports_torch_only_for_local_embeddings(
    tmp_path: Path, slack: FakeSlack, fake_openai: FakeOpenAI, backend: str, torch: bool
) -> None:
    script = tmp_path / "worker_modules.py"
    script.write_text(SCRIPT, encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": str(ROOT), "BADGER_DATA_DIR": str(tmp_path / "data"),
           "EMBEDDING_BACKEND": backend, "OPENAI_API_KEY": "sk-test-worker", "OPENAI_BASE_URL": fake_openai.base_url,
           "SLACK_BOT_TOKEN": "xoxb-test", "SLACK_API_URL": slack.api_url}
    env.pop("DATABASE_URL", None)
    env.pop("CHROMA_URL", None)
    done = subprocess.run([sys.executable, str(script)], cwd=tmp_path, env=env, capture_output=True, text=True,
                          timeout=300, check=False)
    assert done.returncode == 0, done.stderr[-3000:]
    modules = json.loads(done.stdout.strip().splitlines()[-1])
    assert modules == {"torch": torch}  # local: the worker pins torch to one thread before loading the model
