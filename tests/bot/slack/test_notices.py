"""Every notice kind the skills write renders to a message with working buttons, and goes out through the outbox."""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

import pytest
from slack_sdk import WebClient
from sqlmodel import Session, col, select

from bot.slack.blocks import pages
from bot.slack.notices import RENDERERS, render
from bot.slack.outbox import Deliverer
from core.db import init_db, make_engine
from skills.assistant.messages import Action
from skills.enrolment import approve, decline, enrol, withdraw
from skills.models import Notice, utcnow
from skills.nominations import accept_nomination, decline_nomination, nominate
from skills.notices import Kind, add_notice
from skills.policy import Policy
from skills.progress import complete
from skills.recognition import award, set_shoutout_opt_out
from skills.records.rights import request_rights
from skills.status import queue_reminders
from tests.fakes.slack_server import FakeSlack
from tests.skills.factories import Org, make_org

POLICY = Policy(approval_cost_threshold=500)
BUTTON_KINDS = {"approve", "decline", "accept_nomination", "decline_nomination", "status", "complete",
                "hold_shoutout", "confirm_earned", "confirm_rights"}  # perform()


@pytest.fixture
def org(tmp_path: Path) -> Iterator[Org]:
    """The standard test org on SQLite."""
    engine = make_engine(f"sqlite:///{tmp_path / 'badger.db'}")
    init_db(engine)
    yield make_org(engine)
    engine.dispose()


def every_kind(org: Org) -> list[Notice]:
    """Drive the real skills until the outbox holds one notice of every kind."""
    asked = org.run(enrol, actor=org.dana, credential_id="cloud-arch", policy=POLICY)
    org.run(approve, actor=org.mia, enrolment_id=asked.id)
    asked = org.run(enrol, actor=org.erin, credential_id="cloud-arch", policy=POLICY)
    org.run(decline, actor=org.mia, enrolment_id=asked.id, reason="No budget <this> quarter & next")
    asked = org.run(enrol, actor=org.owen, credential_id="cloud-arch", policy=POLICY)
    org.run(withdraw, actor=org.owen, enrolment_id=asked.id)
    named = org.run(nominate, actor=org.mia, employee_id="UDANA", credential_id="py-101", reason="Team goal",
                    due_date=date.today() + timedelta(days=3))
    org.run(accept_nomination, actor=org.dana, enrolment_id=named.id)
    named_dana = named.id
    named = org.run(nominate, actor=org.mia, employee_id="UERIN", credential_id="py-101", reason="Team goal")
    org.run(decline_nomination, actor=org.erin, enrolment_id=named.id, reason="Already know it")
    named = org.run(nominate, actor=org.omar, employee_id="UOWEN", credential_id="py-101", reason="Later")
    org.run(withdraw, actor=org.omar, enrolment_id=named.id, reason="Changed plans")
    mine = org.run(enrol, actor=org.erin, credential_id="ml-intro", policy=POLICY)
    org.run(withdraw, actor=org.ada, enrolment_id=mine.id, reason="Duplicate")
    assert org.run(queue_reminders, now=utcnow()) == 1  # Dana's accepted nomination is due in three days
    org.run(complete, actor=org.dana, enrolment_id=named_dana)  # Mia is asked to confirm the badge
    org.run(award, actor=org.mia, employee_id="UERIN", credential_id="ml-intro")  # a shoutout and Mia's preview
    org.run(set_shoutout_opt_out, actor=org.owen, opt_out=True)
    org.run(award, actor=org.omar, employee_id="UOWEN", credential_id="ml-intro")  # a private congratulation
    org.run(add_notice, kind=Kind.DIGEST, recipient_id="UMIA", idempotency_key="digest:UMIA:2026-W48", payload={
        "manager_id": "UMIA", "manager_name": "Mia", "week": "2026-W48", "top_gaps": [{"skill": "Kubernetes",
        "count": 2}], "people": [{"user_id": "UDANA", "name": "Dana", "in_progress": 1, "earned_this_week": 0,
                                  "earned": 0, "courses": [{"title": "Python", "percent": 40, "due_date": None}]}]})
    org.run(add_notice, kind=Kind.BADGE_ISSUED, recipient_id="UERIN", idempotency_key="badge_issued:1", payload={
        "issued_id": "1", "credential_title": "Machine Learning", "organisation": "Example Ltd",
        "credential_url": "https://badges.example.org/credentials/1", "linkedin_url": "https://www.linkedin.com/x"})
    org.run(request_rights, actor=org.dana, action="erase")  # Ada (the admin) is asked to confirm
    with Session(org.engine) as session:
        return list(session.exec(select(Notice).order_by(col(Notice.id))))


def test_every_kind_renders_with_buttons_the_assistant_understands(org: Org) -> None:
    rows = every_kind(org)
    assert {n.kind for n in rows} == set(RENDERERS)
    for notice in rows:
        message = render(notice)
        [blocks] = pages(message, feedback=False)
        for block in blocks:
            for element in block.get("elements", []) if block["type"] == "actions" else []:
                action = Action.parse(element["value"])
                assert action.kind in BUTTON_KINDS
                assert action.args in ({}, {"enrolment_id": notice.enrolment_id},
                                       {"notice_id": notice.payload.get("shoutout_notice_id")},
                                       {"request_id": notice.payload.get("request_id")})
        assert message.text and "None" not in message.text, notice.kind
    declined = render(next(n for n in rows if n.kind == Kind.REQUEST_DECLINED))
    section = pages(declined, feedback=False)[0][0]["text"]["text"]
    assert "No budget &lt;this&gt; quarter &amp; next" in section  # escaped for mrkdwn


def test_every_kind_is_delivered_once(org: Org) -> None:
    rows = every_kind(org)
    slack = FakeSlack()
    try:
        outbox = Deliverer(WebClient(token="xoxb-test", base_url=slack.api_url), org.engine, rng=random.Random(1))
        later = utcnow() + timedelta(minutes=11)  # past the shoutout's hold window
        while outbox.deliver_once(now=later).claimed:
            pass
        landed = [m for messages in slack.messages.values() for m in messages]
        assert len(landed) == len(rows) == len(slack.posted())
    finally:
        slack.stop()


def test_an_unknown_kind_is_sent_as_plain_text_with_a_warning(caplog: pytest.LogCaptureFixture) -> None:
    notice = Notice(id=9, kind="badge_shoutout", recipient_id="C0TEAM", idempotency_key="k",
                    payload={"credential_title": "Kubernetes", "employee_name": "Dana", "skills": ["k8s"]})
    message = render(notice)
    assert "badge_shoutout" in message.text and "Kubernetes" in message.text and message.buttons() == []
    assert [(r.levelname, "notice 9" in r.message) for r in caplog.records] == [("WARNING", True)]
