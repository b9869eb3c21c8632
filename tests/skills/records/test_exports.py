"""Exports: every kind, CSV and JSON Lines, --since, admins only; the same rows on SQLite and PostgreSQL."""

from __future__ import annotations

import csv
import io
import json
from datetime import date

import pytest
from sqlmodel import Session

from skills.errors import PermissionDenied, ValidationFailed
from skills.models import Employee
from skills.records.exports import export_records, write_export
from tests.skills.factories import Org
from tests.skills.records.records_helpers import make_history


def exported(org: Org, kind: str, fmt: str, since: date | None = None) -> str:
    """The export as text, written by the admin Ada."""
    buffer = io.StringIO()
    with Session(org.engine) as session:
        write_export(export_records(session=session, actor=org.ada, kind=kind, since=since), buffer, fmt)
    return buffer.getvalue()


def test_enrolments_as_csv_have_every_enrolment_and_defuse_formulas(org: Org) -> None:
    ids = make_history(org)
    rows = list(csv.DictReader(io.StringIO(exported(org, "enrolments", "csv"))))
    assert [(int(r["enrolment_id"]), r["employee_id"], r["state"]) for r in rows] == [
        (ids["py"], "UDANA", "earned"), (ids["ml"], "UDANA", "in_progress"), (ids["owen"], "UOWEN", "nominated"),
        (ids["erin"], "UERIN", "approved")]
    dana = rows[0]
    assert (dana["email"], dana["credential_title"], dana["manager_id"]) == (
        "dana@example.com", "Python for Everybody", "UMIA")
    assert rows[2]["nominated_by"] == "UOMAR" and rows[2]["due_date"] == "2027-01-31"
    assert rows[1]["percent"] == "25"
    assert "note" not in rows[0]  # free text stays in Badger; HR gets the record


def test_jsonl_badges_and_skills(org: Org) -> None:
    make_history(org)
    badges = [json.loads(line) for line in exported(org, "badges", "jsonl").splitlines()]
    assert [(b["employee_id"], b["achievement"], b["skills"]) for b in badges] == [
        ("UDANA", "Kubernetes", ["Kubernetes", "Helm"])]
    skills = [json.loads(line) for line in exported(org, "skills", "jsonl").splitlines()]
    assert sorted((s["employee_id"], s["skill"], s["source"]) for s in skills) == [
        ("UDANA", "Data Structures", "credential"), ("UDANA", "Helm", "badge"), ("UDANA", "Kubernetes", "badge"),
        ("UDANA", "Python Programming", "credential")]


def test_since_keeps_only_recent_rows(org: Org) -> None:
    make_history(org)
    assert exported(org, "enrolments", "csv", since=date(2999, 1, 1)).splitlines()[1:] == []
    assert len(exported(org, "enrolments", "jsonl", since=date(2000, 1, 1)).splitlines()) == 4


def test_only_admins_export_and_unknown_kinds_are_named(org: Org) -> None:
    with Session(org.engine) as session, pytest.raises(PermissionDenied, match="Only an L&D admin"):
        export_records(session=session, actor=org.mia, kind="enrolments")
    with Session(org.engine) as session, pytest.raises(ValidationFailed, match="no export called 'people'"):
        export_records(session=session, actor=org.ada, kind="people")


def test_csv_cells_a_spreadsheet_would_run_are_defused(org: Org) -> None:
    make_history(org)
    with Session(org.engine) as session:
        dana = session.get(Employee, "UDANA")
        assert dana is not None
        dana.name = "=HYPERLINK(\"http://evil\")"
        session.add(dana)
        session.commit()
    rows = list(csv.DictReader(io.StringIO(exported(org, "enrolments", "csv"))))
    assert rows[0]["employee_name"] == "'=HYPERLINK(\"http://evil\")"
    assert rows[0]["percent"].isdigit()  # numbers are left as they are
    jsonl = json.loads(exported(org, "enrolments", "jsonl").splitlines()[0])
    assert jsonl["employee_name"] == "=HYPERLINK(\"http://evil\")"  # JSON is data, not a spreadsheet
