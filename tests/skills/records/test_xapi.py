"""xAPI statements from the audit trail: the verbs, actor, object and context, validated with ADL's tincan."""

from __future__ import annotations

import hashlib
import json
import uuid
from typing import Any

import pytest
from sqlmodel import Session, col, select
from tincan import Statement

from skills.models import EnrolmentEvent, Notice
from skills.records.xapi import COURSE, KIND, PROGRESS, XapiConfig, queue_statements, statement_id
from tests.skills.factories import Org
from tests.skills.records.records_helpers import BADGE_URL, make_history

CONFIG = XapiConfig(homepage="https://acme.slack.com")


def queued(org: Org, config: XapiConfig = CONFIG) -> list[dict[str, Any]]:
    """Queue statements for the history; every xAPI row's statement, oldest first."""
    with Session(org.engine) as session:
        queue_statements(session, config)
        rows = session.exec(select(Notice).where(Notice.kind == KIND).order_by(col(Notice.id))).all()
        return [row.payload["statement"] for row in rows]


def valid(statement: dict[str, Any]) -> Statement:
    """The statement parsed by tincan (it raises on a malformed one), checked for the fields an LRS requires."""
    parsed = Statement.from_json(json.dumps(statement))
    assert uuid.UUID(statement["id"]).version == 5
    assert statement["verb"]["id"].startswith(("http://", "https://"))
    assert statement["object"]["id"].startswith("https://")
    assert parsed.to_json()  # serialises back
    return parsed


def test_each_lifecycle_event_becomes_one_valid_statement(org: Org) -> None:
    make_history(org)
    statements = queued(org)
    for statement in statements:
        valid(statement)
    with pytest.raises(ValueError):  # the validator does refuse a malformed statement
        valid({**statements[0], "timestamp": "yesterday"})
    dana = [s for s in statements if s["actor"].get("account", {}).get("name") == "UDANA"]
    assert [s["verb"]["display"]["en-US"] for s in dana] == [
        "registered", "progressed", "earned", "registered", "progressed"]
    assert [s["result"]["extensions"][PROGRESS] for s in dana if s["verb"]["display"]["en-US"] == "progressed"] == [
        40, 25]
    earned = next(s for s in dana if s["verb"]["display"]["en-US"] == "earned")
    assert earned["result"]["extensions"]["http://specification.openbadges.org/xapi/extensions/badgeassertion"] == {
        "@id": BADGE_URL}
    [attachment] = earned["attachments"]
    assert attachment["fileUrl"] == BADGE_URL and len(attachment["sha2"]) == 64
    assert earned["object"]["definition"]["type"] == COURSE
    assert earned["object"]["definition"]["name"] == {"en-US": "Python for Everybody"}
    assert earned["actor"]["account"]["homePage"] == "https://acme.slack.com"
    assert earned["context"]["platform"] == "Badger"
    owen = next(s for s in statements if s["actor"].get("account", {}).get("name") == "UOWEN")
    assert owen["context"]["instructor"]["account"]["name"] == "UOMAR"  # the nominating manager


def test_ids_come_from_the_audit_event_and_queueing_twice_adds_nothing(org: Org) -> None:
    make_history(org)
    first = queued(org)
    assert queued(org) == first
    with Session(org.engine) as session:
        events = session.exec(select(EnrolmentEvent).where(col(EnrolmentEvent.action) != "start")).all()
        assert {s["id"] for s in first} <= {statement_id(CONFIG, e.id or 0) for e in events}
    other = XapiConfig(homepage="https://other.slack.com")
    assert statement_id(other, 1) != statement_id(CONFIG, 1) == statement_id(CONFIG, 1)


def test_hashed_email_actor(org: Org) -> None:
    make_history(org)
    statements = queued(org, XapiConfig(homepage="https://acme.slack.com", actor="mbox_sha1sum"))
    digest = hashlib.sha1(b"mailto:dana@example.com", usedforsecurity=False).hexdigest()
    dana = [s for s in statements if s["actor"].get("mbox_sha1sum") == digest]
    assert len(dana) == 5 and "account" not in dana[0]["actor"]
    for statement in dana:
        valid(statement)
