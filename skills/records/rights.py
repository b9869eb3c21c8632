"""People's data rights: everything Badger holds about a person, and erasing it in one transaction.

Only an L&D admin exports or erases someone; a person may ask for either themselves (a RightsRequest that an
admin confirms). Erasure deletes (or, with keep_aggregates, anonymises under a random pseudonym) every row about
the person, removes their id from other people's rows, queues voids of their sent xAPI statements and leaves a
tombstone saying when and by whom only. It is re-runnable: a second run finds nothing and says so.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import String, cast, or_, update
from sqlalchemy.engine import Engine
from sqlmodel import Session, SQLModel, col, delete, select

from core.errors import NotFoundError
from core.queue import WorkItem
from skills.access import Actor, acting_employee
from skills.assistant.models import ConversationTurn
from skills.console.models import AdminAction, ConsoleLinkUse, ConsoleSession, ConsoleUpload, TalentOptOut
from skills.errors import PermissionDenied, ValidationFailed
from skills.issuing.models import IssuedCredential
from skills.models import AnswerFeedback, Badge, Employee, Enrolment, EnrolmentEvent, Notice, NoticeStatus, utcnow
from skills.notices import Kind, add_notice
from skills.records.exports import require_admin
from skills.records.models import RightsRequest
from skills.records.xapi import ERASED_PREFIX, KIND, XapiConfig, queue_void

ERASED = "(erased)"
# Rows that are the person's own and carry nothing worth keeping once they are gone (console use, opt-outs).
OWN_ROWS: tuple[tuple[str, Any], ...] = (
    ("console_sessions", ConsoleSession.user_id), ("console_links_used", ConsoleLinkUse.user_id),
    ("console_uploads", ConsoleUpload.user_id), ("talent_opt_out", TalentOptOut.user_id))


def _plain(row: SQLModel) -> dict[str, Any]:
    return {k: (v.isoformat() if isinstance(v, datetime | date) else v) for k, v in row.model_dump().items()}


def _conversation_filter(user_id: str) -> Any:
    return or_(col(ConversationTurn.user_id) == user_id, col(ConversationTurn.conversation).startswith(user_id + "|"))


def _mentions(column: Any, user_id: str) -> Any:
    """Rows whose JSON column mentions the id (a notice to someone else naming this person)."""
    return cast(column, String).contains(user_id)


def person_document(*, session: Session, actor: Actor, user_id: str) -> dict[str, Any]:
    """Everything Badger holds about one person as one JSON-ready document (admins only)."""
    admin = require_admin(session, actor, "export someone's data")
    employee = session.get(Employee, user_id)
    enrolments = list(session.exec(select(Enrolment).where(Enrolment.employee_id == user_id)
                                   .order_by(col(Enrolment.id))))
    ids = [e.id for e in enrolments]
    turns = list(session.exec(select(ConversationTurn).where(_conversation_filter(user_id))
                              .order_by(col(ConversationTurn.id))))
    if employee is None and not enrolments and not turns:
        raise NotFoundError(f"There is no one with the id {user_id} in Badger, and no record mentions them.")
    events = session.exec(select(EnrolmentEvent).where(or_(col(EnrolmentEvent.enrolment_id).in_(ids),
                                                           col(EnrolmentEvent.actor_id) == user_id))
                          .order_by(col(EnrolmentEvent.id)))
    notices = session.exec(select(Notice).where(or_(col(Notice.recipient_id) == user_id,
                                                    col(Notice.enrolment_id).in_(ids),
                                                    _mentions(Notice.payload, user_id)))
                           .order_by(col(Notice.id)))
    return {
        "subject": user_id, "generated_at": utcnow().isoformat(), "generated_by": admin.user_id,
        "person": _plain(employee) if employee else None,
        "reports": [e.user_id for e in session.exec(select(Employee).where(Employee.manager_id == user_id))],
        "enrolments": [_plain(e) for e in enrolments],
        "audit": [_plain(e) for e in events],
        "badges": [_plain(b) for b in session.exec(select(Badge).where(Badge.employee_id == user_id))],
        "conversation_turns": [_plain(t) for t in turns],
        "feedback": [_plain(f) for f in session.exec(select(AnswerFeedback).where(AnswerFeedback.user_id == user_id))],
        "notices": [_plain(n) for n in notices],
        "rights_requests": [_plain(r) for r in session.exec(select(RightsRequest).where(
            or_(col(RightsRequest.subject_id) == user_id, col(RightsRequest.requested_by) == user_id)))],
        "issued_badges": [_plain(c) for c in session.exec(select(IssuedCredential).where(
            IssuedCredential.employee_id == user_id).order_by(col(IssuedCredential.seq)))],
        "questions_queued": [_plain(w) for w in session.exec(select(WorkItem).where(
            _mentions(WorkItem.payload, user_id)).order_by(col(WorkItem.id)))],
        "talent_opt_out": session.get(TalentOptOut, user_id) is not None,
        "admin_actions": [_plain(a) for a in session.exec(select(AdminAction).where(
            AdminAction.actor_id == user_id).order_by(col(AdminAction.id)))],
    }


@dataclass
class Erasure:
    """What an erasure changed (counts only: the report must not repeat what was erased)."""

    deleted: dict[str, int] = field(default_factory=dict)
    anonymised: dict[str, int] = field(default_factory=dict)
    voids_queued: int = 0
    pseudonym: str | None = None
    tombstone_id: int | None = None

    @property
    def found(self) -> bool:
        """True when anything about the person was there."""
        return bool(sum(self.deleted.values()) or sum(self.anonymised.values()))


def _count(result: Any) -> int:
    return int(result.rowcount or 0)


def _scrub(value: Any, needles: set[str]) -> Any:
    if isinstance(value, str):
        return ERASED if value in needles else value
    if isinstance(value, list):
        return [_scrub(v, needles) for v in value]
    if isinstance(value, dict):
        return {k: _scrub(v, needles) for k, v in value.items()}
    return value


def erase_person(*, session: Session, actor: Actor, user_id: str, keep_aggregates: bool = False,
                 xapi: XapiConfig | None = None) -> Erasure:
    """Erase (or anonymise) everything about `user_id` in the session's transaction; the caller commits."""
    admin = require_admin(session, actor, "erase someone's data")
    if admin.user_id == user_id:
        raise PermissionDenied("You can't erase your own data; ask another L&D admin to do it.")
    if user_id.startswith(ERASED_PREFIX):
        raise ValidationFailed(f"{user_id} is already an anonymised placeholder; there is nothing personal left.")
    report = Erasure()
    employee = session.get(Employee, user_id)
    needles = {user_id} | ({employee.name} if employee and employee.name else set()) | (
        {employee.email} if employee and employee.email else set())
    ids = [i for i in session.exec(select(Enrolment.id).where(Enrolment.employee_id == user_id)) if i is not None]
    # xAPI: statements already in the LRS get a void; ones never sent simply go.
    statements = session.exec(select(Notice).where(Notice.kind == KIND, col(Notice.enrolment_id).in_(ids))).all()
    for row in statements:
        if row.status == NoticeStatus.SENT and xapi is not None:
            queue_void(session, xapi, str(row.payload["statement"]["id"]))
            report.voids_queued += 1
    d = report.deleted
    d["notices"] = _count(session.exec(delete(Notice).where(or_(col(Notice.recipient_id) == user_id,
                                                                 col(Notice.enrolment_id).in_(ids)))))
    d["conversation_turns"] = _count(session.exec(delete(ConversationTurn).where(_conversation_filter(user_id))))
    d["feedback"] = _count(session.exec(delete(AnswerFeedback).where(col(AnswerFeedback.user_id) == user_id)))
    d["rights_requests"] = _count(session.exec(delete(RightsRequest).where(
        or_(col(RightsRequest.subject_id) == user_id, col(RightsRequest.requested_by) == user_id))))
    d["questions_queued"] = _count(session.exec(delete(WorkItem).where(_mentions(WorkItem.payload, user_id))))
    for name, column in OWN_ROWS:
        d[name] = _count(session.exec(delete(column.class_).where(column == user_id)))
    a = report.anonymised
    a["admin_actions"] = _count(session.exec(update(AdminAction).where(col(AdminAction.actor_id) == user_id)
                                             .values(actor_id=None)))
    for notice in session.exec(select(Notice).where(_mentions(Notice.payload, user_id))).all():
        notice.payload = _scrub(dict(notice.payload), needles)  # a notice to someone else that names them
        session.add(notice)
        a["notices"] = a.get("notices", 0) + 1
    # Their part in other people's records: the id goes, the record stays.
    a["audit_as_actor"] = _count(session.exec(update(EnrolmentEvent).where(
        col(EnrolmentEvent.actor_id) == user_id, ~col(EnrolmentEvent.enrolment_id).in_(ids)).values(actor_id=None)))
    for column in (Enrolment.nominated_by, Enrolment.decided_by):
        a["decisions"] = a.get("decisions", 0) + _count(session.exec(update(Enrolment).where(
            col(column) == user_id, ~col(Enrolment.id).in_(ids)).values({column: None})))
    a["reports_unlinked"] = _count(session.exec(update(Employee).where(col(Employee.manager_id) == user_id)
                                                .values(manager_id=None)))
    if keep_aggregates and (ids or employee is not None):
        _anonymise(session, report, employee, user_id, ids)
    else:
        # The public page of a badge Badger issued them goes too (its status-list slot stays unused).
        d["issued_badges"] = _count(session.exec(delete(IssuedCredential).where(or_(
            col(IssuedCredential.employee_id) == user_id, col(IssuedCredential.enrolment_id).in_(ids)))))
        d["badges"] = _count(session.exec(delete(Badge).where(or_(col(Badge.employee_id) == user_id,
                                                                  col(Badge.enrolment_id).in_(ids)))))
        d["audit"] = _count(session.exec(delete(EnrolmentEvent).where(col(EnrolmentEvent.enrolment_id).in_(ids))))
        d["enrolments"] = _count(session.exec(delete(Enrolment).where(col(Enrolment.id).in_(ids))))
    session.flush()
    if employee is not None:
        session.delete(employee)
        d["person"] = 1
    tombstone = RightsRequest(action="erase", status="done", decided_by=admin.user_id, decided_at=utcnow())
    session.add(tombstone)
    session.flush()
    report.tombstone_id = tombstone.id
    return report


def _anonymise(session: Session, report: Erasure, employee: Employee | None, user_id: str, ids: list[int]) -> None:
    """Keep enrolments and badges for counts and skills, under a random pseudonym with no personal fields."""
    pseudonym = ERASED_PREFIX + secrets.token_hex(8)
    session.add(Employee(user_id=pseudonym, name="Erased person", team=employee.team if employee else None,
                         role=employee.role if employee else None, timezone="UTC"))
    session.flush()
    a = report.anonymised
    a["enrolments"] = _count(session.exec(update(Enrolment).where(col(Enrolment.id).in_(ids)).values(
        employee_id=pseudonym, note="", milestones=[], nomination_reason=None, decision_reason=None, badge_url=None)))
    a["audit"] = _count(session.exec(update(EnrolmentEvent).where(col(EnrolmentEvent.enrolment_id).in_(ids))
                                     .values(reason=None)))
    session.exec(update(EnrolmentEvent).where(col(EnrolmentEvent.enrolment_id).in_(ids),
                                              col(EnrolmentEvent.actor_id) == user_id).values(actor_id=pseudonym))
    a["badges"] = _count(session.exec(update(Badge).where(col(Badge.employee_id) == user_id).values(
        employee_id=pseudonym, document={}, source_url=None, credential_uid=None)))
    # An issued badge names its earner only by a salted hash of the email; it stays verifiable for counts.
    a["issued_badges"] = _count(session.exec(update(IssuedCredential).where(
        col(IssuedCredential.employee_id) == user_id).values(employee_id=pseudonym)))
    report.pseudonym = pseudonym


def request_rights(*, session: Session, actor: Actor, action: str) -> RightsRequest:
    """The acting person asks for a copy of their data ("export") or its erasure ("erase"); an admin confirms."""
    me = acting_employee(session, actor)
    if action not in ("export", "erase"):
        raise ValidationFailed("You can ask for a copy of your data (export) or for it to be erased (erase).")
    pending = session.exec(select(RightsRequest).where(RightsRequest.subject_id == me.user_id,
                                                       RightsRequest.action == action,
                                                       RightsRequest.status == "requested")).first()
    if pending is not None:
        return pending
    request = RightsRequest(action=action, subject_id=me.user_id, requested_by=me.user_id)
    session.add(request)
    session.flush()
    admins = session.exec(select(Employee).where(col(Employee.is_admin).is_(True), Employee.user_id != me.user_id))
    for admin in admins:
        add_notice(session, kind=Kind.RIGHTS_REQUEST, recipient_id=admin.user_id,
                   idempotency_key=f"{Kind.RIGHTS_REQUEST}:{request.id}:{admin.user_id}",
                   payload={"request_id": request.id, "action": action, "employee_id": me.user_id,
                            "employee_name": me.name})
    return request


def confirm_request(*, session: Session, actor: Actor, request_id: int, xapi: XapiConfig | None = None,
                    forget_vectors: Callable[[str], int] | None = None) -> str:
    """An admin confirms a person's request: an erasure is carried out now; an export is marked for the CLI."""
    admin = require_admin(session, actor, "confirm data requests")
    request = session.get(RightsRequest, request_id)
    if request is None or request.status != "requested" or request.subject_id is None:
        raise NotFoundError("That data request has already been handled (or no longer exists).")
    subject = request.subject_id
    if subject == admin.user_id:
        raise PermissionDenied("Another L&D admin must confirm a request about your own data.")
    if request.action == "export":
        close_requests(session, admin=actor, user_id=subject, action="export")
        return (f"Confirmed. Run `badger people export {subject} --out FILE` and send the file to them "
                "privately (it holds everything Badger keeps about them).")
    report = erase_person(session=session, actor=actor, user_id=subject, xapi=xapi)
    if forget_vectors is not None:
        report.deleted["vectors"] = forget_vectors(subject)
    return (f"Erased everything Badger held about {subject} ({sum(report.deleted.values())} rows removed, "
            f"{sum(report.anonymised.values())} anonymised). The database file is scrubbed by the nightly retention "
            "job.")


def pending_requests(*, session: Session, actor: Actor) -> list[RightsRequest]:
    """Requests waiting for an admin (admins only)."""
    require_admin(session, actor, "see data requests")
    return list(session.exec(select(RightsRequest).where(RightsRequest.status == "requested")
                             .order_by(col(RightsRequest.id))))


def close_requests(session: Session, *, admin: Actor, user_id: str, action: str) -> int:
    """Mark the person's pending requests of this kind done (after an export); the number closed."""
    rows = session.exec(select(RightsRequest).where(RightsRequest.subject_id == user_id,
                                                    RightsRequest.action == action,
                                                    RightsRequest.status == "requested")).all()
    for row in rows:
        row.status, row.decided_by, row.decided_at = "done", admin.user_id, utcnow()
        session.add(row)
    return len(rows)


def scrub_database(engine: Engine) -> None:
    """Make erased values unrecoverable from a SQLite file: rebuild it (VACUUM) and empty the WAL.

    PostgreSQL needs VACUUM (FULL for the table files) and its WAL/backups to age out; see the README.
    """
    if engine.dialect.name != "sqlite":
        return
    with engine.connect() as connection:
        raw = connection.connection.dbapi_connection
        assert raw is not None
        raw.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        raw.execute("VACUUM")
        raw.execute("PRAGMA wal_checkpoint(TRUNCATE)")


def erase(engine: Engine, *, actor: Actor, user_id: str, keep_aggregates: bool = False,
          xapi: XapiConfig | None = None, forget_vectors: Callable[[str], int] | None = None) -> Erasure:
    """Erase a person in one transaction (secure_delete on SQLite), then scrub the file and their vectors."""
    with Session(engine) as session:
        if engine.dialect.name == "sqlite":
            session.connection().exec_driver_sql("PRAGMA secure_delete=ON")
        try:
            report = erase_person(session=session, actor=actor, user_id=user_id, keep_aggregates=keep_aggregates,
                                  xapi=xapi)
            session.commit()
        except BaseException:
            session.rollback()
            raise
    scrub_database(engine)
    if forget_vectors is not None:  # after the commit: Chroma is not transactional, and a re-run repeats this
        report.deleted["vectors"] = forget_vectors(user_id)
    return report
