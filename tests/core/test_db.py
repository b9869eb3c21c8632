"""The engine: SQLite by default with tables created; sessions commit or roll back as a unit."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlmodel import select

from core.db import get_engine, session_scope
from core.settings import Settings
from knowledge.models import Credential


def test_sqlite_file_is_created_in_the_data_dir_with_tables(tmp_path: Path) -> None:
    engine = get_engine(Settings(badger_data_dir=tmp_path / "d", _env_file=None))  # type: ignore[call-arg]
    assert (tmp_path / "d" / "badger.db").exists()
    with session_scope(engine) as session:
        session.add(Credential(id="c1", title="T", provider="P", content_hash="h", embed_hash="h"))
    with pytest.raises(RuntimeError), session_scope(engine) as session:
        session.add(Credential(id="c2", title="T", provider="P", content_hash="h", embed_hash="h"))
        raise RuntimeError("boom")
    with session_scope(engine) as session:
        assert [c.id for c in session.exec(select(Credential)).all()] == ["c1"]


def test_a_database_url_in_a_folder_not_made_yet_works(tmp_path: Path) -> None:
    from sqlalchemy import text

    from core.db import make_engine

    engine = make_engine(f"sqlite:///{tmp_path / 'new' / 'dir' / 'badger.db'}")
    with engine.begin() as connection:
        connection.execute(text("CREATE TABLE t (x INTEGER)"))
    assert (tmp_path / "new" / "dir" / "badger.db").exists()
