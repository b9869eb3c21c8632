"""Settings: defaults, overrides from the environment, refusal of placeholders."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from core.settings import Settings


def settings(**values: object) -> Settings:
    return Settings(_env_file=None, **values)  # type: ignore[arg-type]


def test_defaults_keep_everything_in_the_data_dir(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.chdir(tmp_path)
    for name in ("BADGER_DATA_DIR", "DATABASE_URL", "CHROMA_URL", "EMBEDDING_BACKEND", "OPENAI_API_KEY"):
        monkeypatch.delenv(name, raising=False)
    s = settings()
    assert s.resolved_database_url == f"sqlite:///{tmp_path / '.badger' / 'badger.db'}"
    assert s.chroma_path == Path(".badger") / "chroma"
    assert s.resolved_embedding_model == "all-MiniLM-L6-v2" and s.chroma_url is None


def test_environment_overrides_database_and_chroma(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATABASE_URL", "postgresql+psycopg://u@localhost/badger")
    monkeypatch.setenv("CHROMA_URL", "http://127.0.0.1:8000")
    s = settings()
    assert s.resolved_database_url.startswith("postgresql+psycopg://")
    assert s.chroma_url == "http://127.0.0.1:8000"


def test_env_file_is_read(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("BADGER_DATA_DIR", raising=False)
    env = tmp_path / ".env"
    env.write_text("BADGER_DATA_DIR=/srv/badger\n", encoding="utf-8")
    assert Settings(_env_file=env).badger_data_dir == Path("/srv/badger")  # type: ignore[call-arg]


@pytest.mark.parametrize("key", ["changeme", "your-openai-key", "sk-xxx"])
def test_placeholder_secrets_are_refused(key: str) -> None:
    with pytest.raises(ValidationError, match="placeholder"):
        settings(openai_api_key=key)


def test_secret_is_not_shown_in_repr() -> None:
    s = settings(openai_api_key="sk-real-secret-value")
    assert "sk-real-secret-value" not in repr(s) and "sk-real-secret-value" not in str(s.model_dump())


def test_bad_log_level_is_named() -> None:
    with pytest.raises(ValidationError, match="LOG_LEVEL"):
        settings(log_level="chatty")
