"""xAPI statements from the audit trail, queued as outbox rows (kind "xapi") with ids derived from the event.

A statement id is uuid5 of the audit event's id in this workspace's namespace, so a retry, a backfill or a second
replica always produce the same id and a learning record store (which refuses a known id) records it once.
"""

from __future__ import annotations

import hashlib
import json
import re
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from sqlalchemy import String, and_, cast, exists, literal
from sqlmodel import Session, col, select

from core.settings import Settings
from knowledge.models import Credential
from skills.models import Badge, Employee, Enrolment, EnrolmentEvent, Notice
from skills.notices import add_notice

KIND = "xapi"  # Notice.kind of a statement waiting for (or sent to) the LRS; the Slack deliverer skips it
VERSION = "1.0.3"
COURSE = "https://w3id.org/xapi/cmi5/activitytype/course"
PROGRESS = "https://w3id.org/xapi/cmi5/result/extensions/progress"
BADGE_ASSERTION = "http://specification.openbadges.org/xapi/extensions/badgeassertion"
BADGE_ATTACHMENT = "http://specification.openbadges.org/xapi/attachment/badge"
RESCAN = 1000  # events re-checked behind the newest queued one on each pass
ERASED_PREFIX = "ERASED-"  # pseudonymous employees left by `people erase --keep-aggregates`: never sent

VERBS: dict[str, tuple[str, str]] = {  # audit action -> (verb IRI, display)
    "request": ("http://adlnet.gov/expapi/verbs/registered", "registered"),
    "enrol": ("http://adlnet.gov/expapi/verbs/registered", "registered"),
    "nominate": ("http://adlnet.gov/expapi/verbs/registered", "registered"),
    "approve": ("https://w3id.org/xapi/dod-isd/verbs/approved", "approved"),
    "accept_nomination": ("https://w3id.org/xapi/dod-isd/verbs/approved", "approved"),
    "progress": ("http://adlnet.gov/expapi/verbs/progressed", "progressed"),
    "complete": ("http://adlnet.gov/expapi/verbs/completed", "completed"),
    "earn": ("http://specification.openbadges.org/xapi/verbs/earned", "earned"),
    "withdraw": ("https://w3id.org/xapi/adl/verbs/abandoned", "withdrew"),
}
VOIDED = ("http://adlnet.gov/expapi/verbs/voided", "voided")


@dataclass(frozen=True)
class XapiConfig:
    """How statements name people and the workspace: `actor` is "account" or "mbox_sha1sum"."""

    homepage: str
    actor: str = "account"

    @classmethod
    def from_settings(cls, settings: Settings) -> XapiConfig:
        """The configuration from XAPI_* settings."""
        return cls(homepage=settings.xapi_homepage.rstrip("/"), actor=settings.xapi_actor)

    @property
    def namespace(self) -> uuid.UUID:
        """The uuid5 namespace of this workspace's statement ids."""
        return uuid.uuid5(uuid.NAMESPACE_URL, self.homepage + "/badger/xapi")


def statement_id(config: XapiConfig, event_id: int) -> str:
    """The statement id of an audit event: the same on every run and replica."""
    return str(uuid.uuid5(config.namespace, f"enrolment-event:{event_id}"))


def agent(config: XapiConfig, employee: Employee) -> dict[str, Any]:
    """An xAPI agent for a person: a Slack account in the workspace, or the SHA-1 of their mailto IRI."""
    if config.actor == "mbox_sha1sum" and employee.email:
        digest = hashlib.sha1(f"mailto:{employee.email.strip().lower()}".encode(), usedforsecurity=False)
        return {"objectType": "Agent", "name": employee.name, "mbox_sha1sum": digest.hexdigest()}
    return {"objectType": "Agent", "name": employee.name,
            "account": {"homePage": config.homepage, "name": employee.user_id}}


def platform_agent(config: XapiConfig) -> dict[str, Any]:
    """Badger itself, the actor of voiding statements (the person's own data is gone by then)."""
    return {"objectType": "Agent", "name": "Badger", "account": {"homePage": config.homepage, "name": "badger"}}


def activity(config: XapiConfig, credential: Credential) -> dict[str, Any]:
    """The credential as a course activity: its URL when it is an absolute IRI, else a stable IRI."""
    iri = credential.url if credential.url and re.match(r"^https?://", credential.url) else (
        f"{config.homepage}/badger/credentials/{credential.id}")
    definition: dict[str, Any] = {"type": COURSE, "name": {"en-US": credential.title}}
    if credential.description:
        definition["description"] = {"en-US": credential.description[:1000]}
    return {"objectType": "Activity", "id": iri, "definition": definition}


def _badge_parts(session: Session, enrolment: Enrolment) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """The Open Badges result extension and attachment (a reference by fileUrl) of an earned badge."""
    badge = session.exec(select(Badge).where(Badge.enrolment_id == enrolment.id)).first()
    url = enrolment.badge_url or (badge.source_url if badge else None)
    if not url:
        return {}, []
    extensions = {BADGE_ASSERTION: {"@id": url}}
    if badge is None or not badge.document:
        return extensions, []
    body = json.dumps(badge.document, sort_keys=True, separators=(",", ":")).encode()
    return extensions, [{"usageType": BADGE_ATTACHMENT, "display": {"en-US": badge.achievement[:200]},
                         "contentType": "application/ld+json", "length": len(body),
                         "sha2": hashlib.sha256(body).hexdigest(), "fileUrl": url}]


def build_statement(session: Session, config: XapiConfig, event: EnrolmentEvent) -> dict[str, Any] | None:
    """The statement for one audit event, or None when the action has no xAPI verb (a decline)."""
    verb = VERBS.get(event.action)
    enrolment = session.get(Enrolment, event.enrolment_id)
    if verb is None or enrolment is None or event.id is None:
        return None
    employee = session.get(Employee, enrolment.employee_id)
    credential = session.get(Credential, enrolment.credential_id)
    if employee is None or credential is None:
        return None
    context: dict[str, Any] = {"platform": "Badger", "language": "en",
                               "contextActivities": {"category": [{"objectType": "Activity",
                                                                   "id": f"{config.homepage}/badger"}]}}
    nominator = session.get(Employee, enrolment.nominated_by) if enrolment.nominated_by else None
    if nominator is not None:
        context["instructor"] = agent(config, nominator)  # the nominating manager
    statement: dict[str, Any] = {
        "id": statement_id(config, event.id), "actor": agent(config, employee),
        "verb": {"id": verb[0], "display": {"en-US": verb[1]}}, "object": activity(config, credential),
        "context": context, "timestamp": event.at.isoformat(), "version": VERSION,
    }
    if event.action == "progress":
        match = re.match(r"^(\d{1,3})%", event.reason or "")
        statement["result"] = {"extensions": {PROGRESS: min(100, int(match.group(1)) if match else enrolment.percent)}}
    elif event.action == "complete":
        statement["result"] = {"completion": True}
    elif event.action == "earn":
        extensions, attachments = _badge_parts(session, enrolment)
        statement["result"] = {"completion": True, "success": True, **({"extensions": extensions} if extensions
                                                                         else {})}
        if attachments:
            statement["attachments"] = attachments
    return statement


def void_statement(config: XapiConfig, target_id: str) -> dict[str, Any]:
    """A statement voiding `target_id` (its own id derived from the target's, so voids are idempotent too)."""
    return {"id": str(uuid.uuid5(config.namespace, f"void:{target_id}")), "actor": platform_agent(config),
            "verb": {"id": VOIDED[0], "display": {"en-US": VOIDED[1]}},
            "object": {"objectType": "StatementRef", "id": target_id}, "version": VERSION,
            "context": {"platform": "Badger"}}


def queue_void(session: Session, config: XapiConfig, target_id: str) -> None:
    """Queue a void of one sent statement (once)."""
    add_notice(session, kind=KIND, recipient_id="xapi", idempotency_key=f"xapi-void:{target_id}",
               payload={"statement": void_statement(config, target_id)})


def _unqueued(session: Session, after: int, limit: int) -> Iterator[EnrolmentEvent]:
    key = literal("xapi:") + cast(col(EnrolmentEvent.id), String)
    query = (select(EnrolmentEvent)
             .join(Enrolment, col(Enrolment.id) == col(EnrolmentEvent.enrolment_id))
             .where(col(EnrolmentEvent.id) > after, col(EnrolmentEvent.action).in_(list(VERBS)),
                    ~col(Enrolment.employee_id).startswith(ERASED_PREFIX),
                    ~exists().where(and_(col(Notice.idempotency_key) == key)))
             .order_by(col(EnrolmentEvent.id)).limit(limit))
    yield from session.exec(query)


def _resume_after(session: Session) -> int:
    """Where the last pass got to, less a margin for events that committed out of id order (PostgreSQL)."""
    key = session.exec(select(Notice.idempotency_key).where(col(Notice.idempotency_key).startswith("xapi:"))
                       .order_by(col(Notice.id).desc()).limit(1)).first()
    return max(0, int(key.partition(":")[2]) - RESCAN) if key and key.partition(":")[2].isdigit() else 0


def queue_statements(session: Session, config: XapiConfig, *, batch: int = 500, full: bool = False) -> int:
    """Queue a statement for every audit event that has none yet (idempotent); the number queued.

    Each pass looks at events after the newest one queued (less RESCAN); `full` looks at the whole history.
    """
    queued, after = 0, 0 if full else _resume_after(session)
    while True:
        events = list(_unqueued(session, after, batch))
        if not events:
            return queued
        for event in events:
            assert event.id is not None
            after = event.id
            statement = build_statement(session, config, event)
            if statement is None:
                continue
            add_notice(session, kind=KIND, recipient_id="xapi", idempotency_key=f"xapi:{event.id}",
                       enrolment_id=event.enrolment_id, payload={"statement": statement})
            queued += 1
        session.commit()
