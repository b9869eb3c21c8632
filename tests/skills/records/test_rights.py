"""People's rights: one document with everything about a person; erasure in one transaction, re-runnable."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from core.db import init_db, make_engine
from core.errors import NotFoundError
from core.settings import Settings
from knowledge.index import VectorIndex
from skills.assistant.memory import ConversationKey, DatabaseThreads, Turn
from skills.assistant.models import ConversationTurn
from skills.errors import PermissionDenied
from skills.feedback import record_feedback
from skills.models import AnswerFeedback, Badge, Employee, Enrolment, EnrolmentEvent, Notice, utcnow
from skills.records.models import RightsRequest
from skills.records.rights import erase, person_document, request_rights
from tests.skills.factories import Org, make_org
from tests.skills.records.records_helpers import make_history

SECRET = "Dana's secret note"


def talk(org: Org) -> None:
    """Dana chats with the bot and votes on an answer; Erin chats too."""
    threads = DatabaseThreads(org.engine)
    threads.append(ConversationKey("UDANA", "D1"), Turn("I want to learn Rust, dana@example.com", "Here are 3"))
    threads.append(ConversationKey("UERIN", "D2"), Turn("cloud courses?", "Here are 2"))
    org.run(record_feedback, actor=org.dana, answer_ref="D1:1.2", helpful=True)


def document(org: Org, user_id: str) -> dict[str, object]:
    with Session(org.engine) as session:
        found = person_document(session=session, actor=org.ada, user_id=user_id)
    return json.loads(json.dumps(found))  # proves it is one JSON document


def test_export_holds_everything_about_the_person_and_nothing_about_others(org: Org) -> None:
    ids = make_history(org)
    talk(org)
    doc = document(org, "UDANA")
    assert doc["person"]["email"] == "dana@example.com"  # type: ignore[index]
    assert [e["id"] for e in doc["enrolments"]] == [ids["py"], ids["ml"]]  # type: ignore[union-attr]
    assert {e["action"] for e in doc["audit"]} >= {"enrol", "progress", "earn"}  # type: ignore[union-attr]
    assert [t["user_text"] for t in doc["conversation_turns"]] == [  # type: ignore[union-attr]
        "I want to learn Rust, dana@example.com"]
    assert [f["answer_ref"] for f in doc["feedback"]] == ["D1:1.2"]  # type: ignore[union-attr]
    assert [b["achievement"] for b in doc["badges"]] == ["Kubernetes"]  # type: ignore[union-attr]
    assert doc["notices"] and all(ids["erin"] != n["enrolment_id"] for n in doc["notices"])  # type: ignore[union-attr]
    assert "UERIN" not in json.dumps(doc["enrolments"]) and "cloud courses" not in json.dumps(doc)


def test_only_admins_and_unknown_people_are_named(org: Org) -> None:
    with Session(org.engine) as session, pytest.raises(PermissionDenied, match="Only an L&D admin"):
        person_document(session=session, actor=org.mia, user_id="UDANA")
    with Session(org.engine) as session, pytest.raises(NotFoundError, match="no one with the id UNOBODY"):
        person_document(session=session, actor=org.ada, user_id="UNOBODY")
    with pytest.raises(PermissionDenied):
        erase(org.engine, actor=org.mia, user_id="UDANA")
    with pytest.raises(PermissionDenied, match="your own data"):
        erase(org.engine, actor=org.ada, user_id="UADA")


def test_erase_removes_the_person_keeps_others_and_leaves_a_tombstone(org: Org) -> None:
    ids = make_history(org)
    talk(org)
    org.run(request_rights, actor=org.dana, action="erase")
    report = erase(org.engine, actor=org.ada, user_id="UDANA")
    assert report.found and report.deleted["enrolments"] == 2 and report.deleted["conversation_turns"] == 1
    with Session(org.engine) as session:
        assert session.get(Employee, "UDANA") is None
        assert session.exec(select(Enrolment).where(Enrolment.employee_id == "UDANA")).all() == []
        assert session.exec(select(Badge)).all() == []
        assert session.exec(select(AnswerFeedback)).all() == []
        assert [t.user_id for t in session.exec(select(ConversationTurn))] == ["UERIN"]
        assert {e.id for e in session.exec(select(Enrolment))} == {ids["owen"], ids["erin"]}
        assert "UDANA" not in json.dumps([n.payload for n in session.exec(select(Notice))])
        [tombstone] = session.exec(select(RightsRequest)).all()
        assert (tombstone.action, tombstone.subject_id, tombstone.requested_by, tombstone.decided_by) == (
            "erase", None, None, "UADA")
        assert tombstone.decided_at is not None
    again = erase(org.engine, actor=org.ada, user_id="UDANA")  # re-runnable: nothing left, nothing broken
    assert not again.found


def leave_traces_elsewhere(org: Org, enrolment_id: int) -> None:
    """Dana's rows in the tables of the work queue, the issuer and the console."""
    from core.queue import WorkItem
    from skills.console.models import AdminAction, ConsoleSession, TalentOptOut
    from skills.issuing.models import IssuedCredential

    with Session(org.engine) as session:
        session.add(WorkItem(key="t-dana", kind="command", payload={"place": {"user": "UDANA"}, "text": SECRET}))
        session.add(WorkItem(key="t-erin", kind="command", payload={"place": {"user": "UERIN"}, "text": "cloud"}))
        session.add(IssuedCredential(uid="u1", enrolment_id=enrolment_id, employee_id="UDANA", credential_id="py-101",
                                     achievement="Python", proof_format="eddsa-rdfc-2022", document={"id": "u1"}))
        session.add(ConsoleSession(token_hash="h" * 64, user_id="UDANA", csrf_token="c", expires_at=utcnow()))
        session.add(TalentOptOut(user_id="UDANA"))
        session.add(AdminAction(actor_id="UDANA", action="budget", subject="Platform"))
        session.commit()


@pytest.mark.parametrize("keep_aggregates", [False, True], ids=["delete", "keep-aggregates"])
def test_the_work_queue_issued_badges_and_console_rows_are_exported_and_erased(org: Org,
                                                                               keep_aggregates: bool) -> None:
    from core.queue import WorkItem
    from skills.console.models import AdminAction, ConsoleSession, TalentOptOut
    from skills.issuing.models import IssuedCredential

    ids = make_history(org)
    leave_traces_elsewhere(org, ids["py"])
    doc = document(org, "UDANA")
    assert [w["key"] for w in doc["questions_queued"]] == ["t-dana"]  # type: ignore[index]
    assert [c["uid"] for c in doc["issued_badges"]] == ["u1"]  # type: ignore[index]
    assert doc["talent_opt_out"] is True and [a["action"] for a in doc["admin_actions"]] == ["budget"]  # type: ignore[index]
    report = erase(org.engine, actor=org.ada, user_id="UDANA", keep_aggregates=keep_aggregates)
    with Session(org.engine) as session:
        assert session.get(Employee, "UDANA") is None
        assert [w.key for w in session.exec(select(WorkItem))] == ["t-erin"]
        assert session.exec(select(ConsoleSession)).all() == [] and session.exec(select(TalentOptOut)).all() == []
        assert [a.actor_id for a in session.exec(select(AdminAction))] == [None]
        issued = [c.employee_id for c in session.exec(select(IssuedCredential))]
        assert issued == ([report.pseudonym] if keep_aggregates else [])


def test_erasing_a_manager_unlinks_them_from_other_records(org: Org) -> None:
    ids = make_history(org)
    erase(org.engine, actor=org.ada, user_id="UMIA")
    with Session(org.engine) as session:
        dana = session.get(Employee, "UDANA")
        assert dana is not None and dana.manager_id is None
        assert session.get(Enrolment, ids["py"]) is not None  # Dana's record stays
        actors = set(session.exec(select(EnrolmentEvent.actor_id).where(EnrolmentEvent.enrolment_id == ids["py"])))
        assert "UMIA" not in actors and None in actors
        payloads = json.dumps([n.payload for n in session.exec(select(Notice))])
        assert "UMIA" not in payloads and '"Mia"' not in payloads


def test_keep_aggregates_anonymises_instead_of_deleting(org: Org) -> None:
    make_history(org)
    report = erase(org.engine, actor=org.ada, user_id="UDANA", keep_aggregates=True)
    assert report.pseudonym and report.pseudonym.startswith("ERASED-")
    with Session(org.engine) as session:
        kept = session.exec(select(Enrolment).where(Enrolment.employee_id == report.pseudonym)).all()
        assert sorted(e.state for e in kept) == ["earned", "in_progress"]
        assert all(e.note == "" for e in kept)
        placeholder = session.get(Employee, report.pseudonym)
        assert placeholder is not None and (placeholder.name, placeholder.email, placeholder.team) == (
            "Erased person", None, "Platform")
        reasons = session.exec(select(EnrolmentEvent.reason).where(
            col(EnrolmentEvent.enrolment_id).in_([e.id for e in kept]))).all()
        assert set(reasons) == {None}


def test_erased_values_do_not_survive_in_the_sqlite_files(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'badger.db'}")
    init_db(engine)
    org = make_org(engine)
    make_history(org)
    talk(org)
    files = [tmp_path / "badger.db", tmp_path / "badger.db-wal"]

    def on_disk(value: str) -> bool:
        return any(value.encode() in p.read_bytes() for p in files if p.exists())

    assert on_disk(SECRET) and on_disk("dana@example.com")  # the check can fail
    erase(engine, actor=org.ada, user_id="UDANA")
    assert not on_disk(SECRET) and not on_disk("dana@example.com") and not on_disk("learn Rust")
    assert on_disk("Erin")
    engine.dispose()


def test_erase_deletes_the_persons_vectors(tmp_path: Path, engine: Engine) -> None:
    org = make_org(engine)
    index = VectorIndex(Settings(badger_data_dir=tmp_path / "data", _env_file=None))  # type: ignore[call-arg]
    profiles = index._client.get_or_create_collection("profiles", embedding_function=None)
    profiles.add(ids=["dana", "erin"], embeddings=[[0.1, 0.2], [0.3, 0.4]],
                 metadatas=[{"user_id": "UDANA"}, {"user_id": "UERIN"}])
    report = erase(org.engine, actor=org.ada, user_id="UDANA", forget_vectors=index.forget_person)
    assert report.deleted["vectors"] == 1
    assert profiles.get()["ids"] == ["erin"]
