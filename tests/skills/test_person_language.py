"""Each person's language from the org file's `language` column; search prefers it."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session

from skills.errors import ValidationFailed
from skills.models import Employee
from skills.org import load_org

HEADER = "user_id,name,email,role,team,manager_id,language\n"


def _load(engine: Engine, tmp_path: Path, rows: str) -> None:
    path = tmp_path / "org.csv"
    path.write_text(HEADER + rows, encoding="utf-8")
    with Session(engine) as session:
        load_org(session, path)
        session.commit()


def test_the_org_file_sets_each_persons_language(engine: Engine, tmp_path: Path) -> None:
    _load(engine, tmp_path, "UES1,Lucía,,,,,es-ES\nUEN1,Sam,,,,,English\nUNO1,Kim,,,,,\n")
    with Session(engine) as session:
        assert {u: session.get(Employee, u).language for u in ("UES1", "UEN1", "UNO1")} == {  # type: ignore[union-attr]
            "UES1": "es", "UEN1": "en", "UNO1": None}


def test_a_language_that_is_not_one_is_named(engine: Engine, tmp_path: Path) -> None:
    with pytest.raises(ValidationFailed) as caught:
        _load(engine, tmp_path, "UES1,Lucía,,,,,klingonish\n")
    assert caught.value.problems == ["org.csv:row 2: language: 'klingonish' is not a language (like en or Spanish)"]
