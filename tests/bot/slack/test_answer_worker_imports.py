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
import sys


def loaded():
    return {"torch": "torch" in sys.modules}


if __name__ == "__main__":
    from bot.slack.answers import AnswerPool
    from core.settings import Settings

    pool = AnswerPool(Settings(_env_file=None), 1)
    print(json.dumps(pool.executor.submit(loaded).result(timeout=240)))
    pool.close()
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
