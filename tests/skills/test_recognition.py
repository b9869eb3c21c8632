"""Recognition: who may award a credential, the shoutout written with it (once), opt-outs, holds, team channels."""

from __future__ import annotations

import json
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import update
from sqlmodel import Session, col, select

from core.errors import NotFoundError
from skills.access import Actor
from skills.badges.fetch import Fetcher
from skills.badges.importing import import_badge
from skills.enrolment import enrol
from skills.errors import InvalidTransition, PermissionDenied, ValidationFailed
from skills.models import Enrolment, EnrolmentEvent, Notice, NoticeStatus, State, utcnow
from skills.nominations import accept_nomination, nominate
from skills.notices import Kind
from skills.policy import Policy
from skills.progress import update_progress
from skills.recognition import (
    ShoutoutPolicy,
    award,
    hold_shoutout,
    normalise_channel,
    release_shoutout,
    set_shoutout_opt_out,
    set_team_channel,
)
from tests.skills.badges.badge_helpers import credential, sign_di
from tests.skills.factories import Org, set_email

T0 = utcnow().replace(microsecond=0)


def notices(org: Org) -> list[Notice]:
    """Every outbox row, oldest first."""
    with Session(org.engine) as session:
        return list(session.exec(select(Notice).order_by(col(Notice.id))))


def events(org: Org, enrolment_id: int | None) -> list[tuple[str, str | None, str, str | None]]:
    """The audit trail of one enrolment as (action, from, to, reason)."""
    with Session(org.engine) as session:
        rows = session.exec(select(EnrolmentEvent).where(EnrolmentEvent.enrolment_id == enrolment_id)
                            .order_by(col(EnrolmentEvent.id)))
        return [(e.action, e.from_state, e.to_state, e.reason) for e in rows]


def give(org: Org, actor: Any = None, **kwargs: Any) -> Enrolment:
    """Mia (by default) confirms Dana earned Python for Everybody, at T0."""
    args = {"employee_id": "UDANA", "credential_id": "py-101", "now": T0, **kwargs}
    return org.run(award, actor=actor or org.mia, **args)


def test_a_manager_confirms_a_course_in_progress_and_one_shoutout_waits_for_the_hold(org: Org) -> None:
    started = org.run(enrol, actor=org.dana, credential_id="py-101", policy=Policy())
    org.run(update_progress, actor=org.dana, enrolment_id=started.id, percent=60)
    done = give(org, badge_url="https://badges.example.com/a/1")
    assert done.id == started.id
    assert (done.state, done.percent, done.badge_url, done.badge_verified_at) == (
        "earned", 100, "https://badges.example.com/a/1", None)
    assert events(org, done.id)[-1] == ("earn", "in_progress", "earned", "confirmed by their manager")
    shoutout, preview = notices(org)[-2:]
    assert (shoutout.kind, shoutout.recipient_id, shoutout.status) == (Kind.SHOUTOUT, "#learning", "pending")
    assert shoutout.idempotency_key == f"shoutout:{done.id}" and shoutout.next_attempt_at == T0 + timedelta(minutes=10)
    assert shoutout.payload == {
        "employee_id": "UDANA", "employee_name": "Dana", "credential_id": "py-101",
        "credential_title": "Python for Everybody", "provider": "Test University",
        "skills": ["Python Programming", "Data Structures"], "verified": False, "image_url": None,
        "nominated_by_id": None, "nominated_by_name": None, "enrolment_id": done.id}
    assert (preview.kind, preview.recipient_id, preview.next_attempt_at) == (Kind.SHOUTOUT_PREVIEW, "UMIA", None)
    assert preview.payload["shoutout_notice_id"] == shoutout.id and preview.payload["channel"] == "#learning"
    assert preview.payload["post_at_text"] == f"{T0 + timedelta(minutes=10):%H:%M} (UTC)"

    again = give(org)  # a retried click, a re-run script
    assert again.id == done.id
    assert [n.id for n in notices(org)] == [shoutout.id, preview.id]
    assert len(events(org, done.id)) == 4  # enrol, start, progress, earn: nothing more


def test_an_admin_awards_without_an_enrolment_and_the_nominating_manager_is_thanked(org: Org) -> None:
    fresh = org.run(award, actor=org.ada, employee_id="UOWEN", credential_id="ml-intro", now=T0)
    assert (fresh.state, fresh.completed_on, fresh.decided_by) == ("earned", T0.date(), "UADA")
    assert events(org, fresh.id) == [("earn", None, "earned", "confirmed by an L&D admin")]
    assert [(n.kind, n.recipient_id) for n in notices(org)] == [(Kind.SHOUTOUT, "#learning"),
                                                                 (Kind.SHOUTOUT_PREVIEW, "UOMAR")]
    named = org.run(nominate, actor=org.mia, employee_id="UERIN", credential_id="py-101", reason="Team goal")
    org.run(accept_nomination, actor=org.erin, enrolment_id=named.id)
    org.run(award, actor=org.mia, employee_id="UERIN", credential_id="py-101", now=T0)
    shoutout = next(n for n in notices(org) if n.kind == Kind.SHOUTOUT and n.enrolment_id == named.id)
    assert (shoutout.payload["nominated_by_id"], shoutout.payload["nominated_by_name"]) == ("UMIA", "Mia")


@pytest.mark.parametrize(("actor", "employee", "message"), [
    ("dana", "UDANA", "can't confirm your own badge"),
    ("erin", "UDANA", "Only Dana's manager or an L&D admin"),
    ("omar", "UDANA", "Only Dana's manager or an L&D admin"),
    ("mia", "UOWEN", "Only Owen's manager or an L&D admin"),
])
def test_only_the_manager_or_an_admin_may_award(org: Org, actor: str, employee: str, message: str) -> None:
    with pytest.raises(PermissionDenied, match=message):
        org.run(award, actor=getattr(org, actor), employee_id=employee, credential_id="py-101")
    assert notices(org) == []


def test_awards_that_cannot_be_made(org: Org) -> None:
    with pytest.raises(PermissionDenied, match="directory"):
        org.run(award, actor=Actor("USTRANGER"), employee_id="UDANA", credential_id="py-101")
    with pytest.raises(NotFoundError, match="no credential"):
        give(org, credential_id="nope")
    with pytest.raises(ValidationFailed, match="retired"):
        give(org, credential_id="old-course")
    asked = org.run(enrol, actor=org.dana, credential_id="cloud-arch", policy=Policy(approval_cost_threshold=500))
    with pytest.raises(InvalidTransition, match="waiting for approval"):
        give(org, credential_id="cloud-arch")
    with Session(org.engine) as session:
        assert session.get(Enrolment, asked.id).state == State.REQUESTED  # type: ignore[union-attr]
    assert [n.kind for n in notices(org)] == [Kind.APPROVAL_REQUEST]


def test_an_opted_out_person_gets_a_private_congratulation_only(org: Org) -> None:
    assert org.run(set_shoutout_opt_out, actor=org.dana, opt_out=True).shoutout_opt_out
    done = give(org)
    [congrats] = notices(org)
    assert (congrats.kind, congrats.recipient_id, congrats.idempotency_key) == (
        Kind.CONGRATULATION, "UDANA", f"congratulation:{done.id}")
    give(org)
    assert len(notices(org)) == 1
    assert not org.run(set_shoutout_opt_out, actor=org.dana, opt_out=False).shoutout_opt_out


def test_team_channels_are_set_by_admins_and_validated(org: Org) -> None:
    with pytest.raises(PermissionDenied, match="Only an L&D admin"):
        org.run(set_team_channel, actor=org.mia, team="Platform", channel="#platform")
    with pytest.raises(ValidationFailed, match="isn't a Slack channel"):
        org.run(set_team_channel, actor=org.ada, team="Platform", channel="platform wins")
    with pytest.raises(NotFoundError, match="Data, Platform"):
        org.run(set_team_channel, actor=org.ada, team="Platfrom", channel="#platform")
    assert normalise_channel(" <#C0PLATFORM|platform> ") == "C0PLATFORM" and normalise_channel("G0PRIVATE1")
    org.run(set_team_channel, actor=org.ada, team="Platform", channel="<#C0PLATFORM|platform>")
    give(org)
    assert notices(org)[0].recipient_id == "C0PLATFORM"
    org.run(set_team_channel, actor=org.ada, team="Platform", channel=None)
    org.run(award, actor=org.ada, employee_id="UOWEN", credential_id="py-101", now=T0,
            policy=ShoutoutPolicy(channel="#wins", hold_minutes=0))
    owen = [n for n in notices(org) if n.payload["employee_id"] == "UOWEN"]
    assert [(n.kind, n.recipient_id, n.next_attempt_at) for n in owen] == [(Kind.SHOUTOUT, "#wins", None)]  # no hold


def test_a_manager_holds_and_releases_a_pending_shoutout(org: Org) -> None:
    give(org)
    shoutout = notices(org)[0]
    assert shoutout.id is not None
    for outsider, message in ((org.erin, "not yours to hold"), (org.dana, "not yours to hold"),
                              (org.omar, "not yours to hold")):
        with pytest.raises(PermissionDenied, match=message):
            org.run(hold_shoutout, actor=outsider, notice_id=shoutout.id)
    assert org.run(hold_shoutout, actor=org.mia, notice_id=shoutout.id).status == NoticeStatus.HELD
    assert org.run(hold_shoutout, actor=org.ada, notice_id=shoutout.id).status == NoticeStatus.HELD  # twice: fine
    later = T0 + timedelta(minutes=3)
    released = org.run(release_shoutout, actor=org.mia, notice_id=shoutout.id, now=later)
    assert (released.status, released.next_attempt_at) == ("pending", later)
    with pytest.raises(NotFoundError, match="no shoutout number"):
        org.run(hold_shoutout, actor=org.mia, notice_id=notices(org)[1].id)  # the preview isn't a shoutout
    with Session(org.engine) as session:  # the deliverer posts it
        session.exec(update(Notice).where(col(Notice.id) == shoutout.id).values(status=NoticeStatus.SENT.value))
        session.commit()
    with pytest.raises(InvalidTransition, match="already posted"):
        org.run(hold_shoutout, actor=org.mia, notice_id=shoutout.id)
    with pytest.raises(InvalidTransition, match="already posted"):
        org.run(release_shoutout, actor=org.mia, notice_id=shoutout.id)


def test_two_simultaneous_awards_make_one_badge_and_one_shoutout(org: Org) -> None:
    barrier = threading.Barrier(4)

    def click(actor: Any) -> int | None:
        with Session(org.engine, expire_on_commit=False) as session:
            barrier.wait()
            done = award(session=session, actor=actor, employee_id="UDANA", credential_id="ml-intro", now=T0)
            session.commit()
            return done.id

    with ThreadPoolExecutor(4) as pool:
        ids = set(pool.map(click, [org.mia, org.ada, org.mia, org.ada]))
    assert len(ids) == 1
    with Session(org.engine) as session:
        assert len(session.exec(select(Enrolment).where(Enrolment.state == State.EARNED)).all()) == 1
    assert sorted(n.kind for n in notices(org)) == [Kind.SHOUTOUT, Kind.SHOUTOUT_PREVIEW]


def test_a_verified_badge_import_queues_a_verified_shoutout_once(org: Org) -> None:
    set_email(org.engine, "UDANA", "dana@example.com")
    document = credential(email="dana@example.com", name="Python for Everybody", achievement_id="urn:uuid:x",
                          issuer_name="Test University")
    document["credentialSubject"]["achievement"]["image"] = {"id": "https://badges.example.com/py.png",
                                                             "type": "Image"}
    source = json.dumps(sign_di(document))
    org.run(import_badge, actor=org.dana, source=source, fetcher=Fetcher(offline=True))
    shoutout = next(n for n in notices(org) if n.kind == Kind.SHOUTOUT)
    assert shoutout.payload["verified"] is True and shoutout.payload["image_url"] == "https://badges.example.com/py.png"
    org.run(import_badge, actor=org.dana, source=source, fetcher=Fetcher(offline=True))
    assert len(notices(org)) == 2  # the shoutout and Mia's preview, once
    give(org)  # and the manager confirming it afterwards changes nothing
    assert len(notices(org)) == 2
