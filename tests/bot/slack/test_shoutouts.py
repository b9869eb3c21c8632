"""Shoutouts and digests end to end: skills write notices, the real deliverer posts them to the fake Slack once."""

from __future__ import annotations

import io
import json
import random
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from PIL import Image as PILImage
from slack_sdk import WebClient
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from bot.slack.outbox import Deliverer
from skills.access import Actor
from skills.badges.fetch import Fetcher
from skills.badges.importing import import_badge
from skills.models import Notice, utcnow
from skills.nominations import accept_nomination, nominate
from skills.notices import Kind, add_notice
from skills.recognition import award, set_shoutout_opt_out
from tests.bot.slack.conftest import SlackWorld
from tests.bot.slack.ui_world import run
from tests.fakes.slack_server import FakeSlack
from tests.skills.badges.badge_helpers import credential, sign_di
from tests.skills.factories import Org, set_email

ROOT = Path(__file__).resolve().parents[3]
T0 = utcnow().replace(microsecond=0)
AFTER_HOLD = T0 + timedelta(minutes=10, seconds=1)
CHANNEL = "C0LEARNING"


@pytest.fixture
def team(slack: FakeSlack) -> FakeSlack:
    """The fake Slack with the default shoutout channel, #learning."""
    slack.add_channel("learning", CHANNEL)
    return slack


def deliverer(slack: FakeSlack, engine: Engine, **knobs: Any) -> Deliverer:
    """The real deliverer against the fake Slack."""
    return Deliverer(WebClient(token="xoxb-test", base_url=slack.api_url), engine, rng=random.Random(3), **knobs)


def notices(engine: Engine) -> list[Notice]:
    """Every outbox row, oldest first."""
    with Session(engine) as session:
        return list(session.exec(select(Notice).order_by(col(Notice.id))))


def text_of(message: dict[str, Any]) -> str:
    """A posted message's blocks as JSON text."""
    return json.dumps(message["blocks"], ensure_ascii=False)


def give(org: Org, user: str = "UDANA", credential_id: str = "py-101") -> int:
    """Mia confirms the credential at T0; the enrolment id."""
    done = org.run(award, actor=org.mia, employee_id=user, credential_id=credential_id, now=T0)
    assert done.id is not None
    return done.id


def test_an_award_posts_one_card_in_the_team_channel_after_the_hold_with_a_reaction(org: Org, team: FakeSlack) -> None:
    named = org.run(nominate, actor=org.mia, employee_id="UDANA", credential_id="py-101", reason="Team goal")
    org.run(accept_nomination, actor=org.dana, enrolment_id=named.id)
    give(org)
    outbox = deliverer(team, org.engine)
    outbox.deliver_once(now=T0)
    [preview] = team.messages["DMIA"][1:]  # after Dana's "accepted" note, Mia's preview with Hold
    assert "Hold" in text_of(preview) and CHANNEL not in team.messages
    assert outbox.deliver_once(now=T0 + timedelta(minutes=9)).claimed == 0  # still in the hold window
    assert outbox.deliver_once(now=AFTER_HOLD).sent == 1
    give(org)  # a retried award
    assert outbox.deliver_once(now=AFTER_HOLD + timedelta(minutes=20)).claimed == 0
    [card] = team.messages[CHANNEL]
    shown = text_of(card)
    assert "🎉 <@UDANA|Dana> earned *Python for Everybody* (Test University)!" in shown
    assert "Python Programming, Data Structures" in shown and "Thanks to <@UMIA|Mia>" in shown
    assert "verified" not in shown and not [b for b in card["blocks"] if b["type"] in ("actions", "image")]
    [reaction] = team.of("reactions.add")
    assert (reaction.args["name"], reaction.args["channel"], reaction.args["timestamp"]) == (
        "tada", CHANNEL, card["ts"])
    shoutout = next(n for n in notices(org.engine) if n.kind == Kind.SHOUTOUT)
    assert (shoutout.status, shoutout.channel_id, shoutout.message_ts) == ("sent", CHANNEL, card["ts"])
    assert card["metadata"]["event_payload"]["idempotency_key"] == f"shoutout:{named.id}"


def test_a_verified_badge_import_is_marked_verified_with_its_image(org: Org, team: FakeSlack) -> None:
    set_email(org.engine, "UDANA", "dana@example.com")
    document = credential(email="dana@example.com", achievement_id="urn:uuid:x")
    document["credentialSubject"]["achievement"]["image"] = {"id": "https://badges.example.com/py.png",
                                                             "type": "Image"}
    source = json.dumps(sign_di(document))
    for _ in range(2):  # re-importing adds nothing
        org.run(import_badge, actor=org.dana, source=source, fetcher=Fetcher(offline=True))
    later = utcnow() + timedelta(minutes=11)  # an import happens now: past its hold window
    assert deliverer(team, org.engine).deliver_once(now=later).sent == 2  # the preview and the shoutout
    [card] = team.messages[CHANNEL]
    assert "✅ verified" in card["blocks"][0]["text"]["text"]
    assert {"type": "image", "image_url": "https://badges.example.com/py.png",
            "alt_text": "Badge: Python for Everybody"} in card["blocks"]


def test_opting_out_means_a_private_congratulation_and_nothing_in_the_channel(org: Org, team: FakeSlack) -> None:
    org.run(set_shoutout_opt_out, actor=org.dana, opt_out=True)
    give(org)
    give(org)
    assert deliverer(team, org.engine).deliver_once(now=AFTER_HOLD).sent == 1
    [congrats] = team.messages["DDANA"]
    assert "Congratulations on earning *Python for Everybody*" in congrats["text"]
    assert CHANNEL not in team.messages and "DMIA" not in team.messages and team.of("reactions.add") == []


AWARD_THEN_DIE_POSTING = """
import sys
from datetime import datetime, timedelta
from slack_sdk import WebClient
from bot.slack.outbox import Deliverer
from core.db import make_engine, session_scope
from skills.access import Actor
from skills.recognition import award
engine, now = make_engine(sys.argv[1]), datetime.fromisoformat(sys.argv[3])
with session_scope(engine) as session:
    award(session=session, actor=Actor("UMIA"), employee_id="UDANA", credential_id="py-101", now=now)
outbox = Deliverer(WebClient(token="xoxb-test", base_url=sys.argv[2]), engine)
outbox.deliver_once(now=now)  # the manager's preview
print("previewed", flush=True)
sys.stdin.readline()
outbox.deliver_once(now=now + timedelta(minutes=11))  # the shoutout: Slack posts it, the process dies first
"""


def test_a_process_killed_between_commit_and_post_still_yields_exactly_one_shoutout(
    org: Org, team: FakeSlack, db_url: str
) -> None:
    process = subprocess.Popen([sys.executable, "-c", AWARD_THEN_DIE_POSTING, db_url, team.api_url, T0.isoformat()],
                               cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    assert process.stdin is not None and process.stdout is not None
    gate = None
    try:
        assert process.stdout.readline().strip() == "previewed"
        gate = team.stall("chat.postMessage")  # the shoutout lands in Slack; its answer never reaches the process
        process.stdin.write("go\n")
        process.stdin.flush()
        deadline = time.monotonic() + 60
        while CHANNEL not in team.messages and time.monotonic() < deadline and process.poll() is None:
            time.sleep(0.02)
        assert CHANNEL in team.messages, "the subprocess never posted the shoutout"
    finally:
        process.kill()  # SIGKILL: committed and posted, never recorded as sent
        process.wait()
        if gate is not None:
            gate.set()
    shoutout = next(n for n in notices(org.engine) if n.kind == Kind.SHOUTOUT)
    assert (shoutout.status, shoutout.channel_id, shoutout.message_ts) == ("sending", CHANNEL, None)
    outbox = deliverer(team, org.engine, lease_seconds=120)
    report = outbox.deliver_once(now=AFTER_HOLD + timedelta(minutes=5))  # past the dead process's lease
    assert (report.recovered, report.sent) == (1, 0)
    assert len(team.messages[CHANNEL]) == 1 and len(team.messages["DMIA"]) == 1  # one shoutout, one preview
    assert {n.status for n in notices(org.engine)} == {"sent"}
    assert [(c.args["name"], c.args["timestamp"]) for c in team.of("reactions.add")] == [
        ("tada", team.messages[CHANNEL][0]["ts"])]  # the reaction the dead process never added


def test_a_manager_holds_from_the_preview_button_and_nothing_is_posted(world: SlackWorld) -> None:
    slack, engine = world.slack, world.kb.engine
    slack.add_channel("learning", CHANNEL)
    run(world, award, actor=Actor("UMIA"), employee_id="UDANA", credential_id="py-basics", now=T0)
    outbox = deliverer(slack, engine)
    assert outbox.deliver_once(now=T0).sent == 1
    [preview] = slack.messages["DMIA"]
    assert "A shoutout goes to #learning at" in preview["text"]
    assert world.press("UERIN", preview, "Hold", channel="DERIN").status_code == 200  # not Erin's to hold
    assert world.press("UMIA", preview, "Hold", channel="DMIA").status_code == 200
    world.wait(lambda: any(n.status == "held" for n in world.notices()))
    reply = world.wait(lambda: [m for m in slack.messages.get("DMIA", []) if m["text"].startswith("Held")])[0]
    refused = world.wait(lambda: slack.messages.get("DERIN"))
    assert "not yours to hold" in refused[0]["text"]
    assert outbox.deliver_once(now=T0 + timedelta(hours=2)).claimed == 0  # held: never claimed
    assert CHANNEL not in slack.messages

    assert world.press("UMIA", reply, "Post it after all", channel="DMIA").status_code == 200
    world.wait(lambda: all(n.status != "held" for n in world.notices()))
    assert outbox.deliver_once(now=utcnow() + timedelta(seconds=1)).sent == 1
    [card] = slack.messages[CHANNEL]
    assert "<@UDANA|Dana Dev> earned *Python Basics*" in card["text"]


def test_posts_to_one_channel_are_paced_one_a_second_but_dms_are_not(org: Org, team: FakeSlack) -> None:
    for user in ("UDANA", "UERIN"):
        give(org, user)
    org.run(award, actor=org.omar, employee_id="UOWEN", credential_id="py-101", now=T0)
    outbox = deliverer(team, org.engine)
    assert outbox.deliver_once(now=T0).sent == 3  # three previews: two to Mia's DM in the same pass
    first = outbox.deliver_once(now=AFTER_HOLD)
    assert (first.sent, first.paced) == (1, 2)
    paced = [n for n in notices(org.engine) if n.kind == Kind.SHOUTOUT and n.status == "pending"]
    assert len(paced) == 2 and all(n.channel_id is None and n.attempts == 0 for n in paced)
    assert all(AFTER_HOLD < n.next_attempt_at <= AFTER_HOLD + timedelta(seconds=2) for n in paced)  # type: ignore
    assert outbox.deliver_once(now=AFTER_HOLD + timedelta(milliseconds=500)).claimed == 0
    second = outbox.deliver_once(now=AFTER_HOLD + timedelta(seconds=1.5))
    assert (second.sent, second.paced) == (1, 1)
    assert outbox.deliver_once(now=AFTER_HOLD + timedelta(seconds=3)).sent == 1
    assert len(team.messages[CHANNEL]) == 3 and len(team.of("chat.postMessage")) == 6


def test_a_failed_reaction_is_logged_and_never_re_posts_the_card(
    org: Org, team: FakeSlack, caplog: pytest.LogCaptureFixture
) -> None:
    team.fail("reactions.add", error="missing_scope")
    team.fail("reactions.add", error="already_reacted")  # fine: someone's 🎉 was first
    give(org)
    give(org, "UERIN")
    outbox = deliverer(team, org.engine, channel_interval=0)
    assert outbox.deliver_once(now=AFTER_HOLD).sent == 4  # two previews, two shoutouts (no pacing here)
    assert outbox.deliver_once(now=AFTER_HOLD + timedelta(hours=1)).claimed == 0
    assert len(team.messages[CHANNEL]) == 2 and len(team.of("reactions.add")) == 2
    warnings = [r for r in caplog.records if "reaction" in r.message]
    assert [r.levelname for r in warnings] == ["WARNING"] and "missing_scope" in warnings[0].message
    assert "Dana" not in caplog.text and "Python" not in caplog.text


DIGEST = {"manager_id": "UMIA", "manager_name": "Mia", "week": "2026-W48",
          "people": [{"user_id": "UDANA", "name": "Dana", "in_progress": 2, "earned_this_week": 1, "earned": 3,
                      "courses": [{"title": "Cloud Architecture", "percent": 40, "due_date": "2026-12-18"}]},
                     {"user_id": "UERIN", "name": "Erin", "in_progress": 0, "earned_this_week": 0, "earned": 0,
                      "courses": []}],
          "top_gaps": [{"skill": "Kubernetes", "count": 2}, {"skill": "Statistics", "count": 1}]}


def queue_digest(org: Org) -> None:
    """A weekly digest for Mia, as the digest job writes it."""
    org.run(add_notice, kind=Kind.DIGEST, recipient_id="UMIA", idempotency_key="digest:UMIA:2026-W48",
            payload=DIGEST)


def test_a_digest_is_a_message_with_its_chart_uploaded_in_the_thread(org: Org, slack: FakeSlack) -> None:
    queue_digest(org)
    outbox = deliverer(slack, org.engine)
    assert outbox.deliver_once().sent == 1
    [message] = slack.messages["DMIA"]
    assert message["text"] == ("Your team's learning in week 2026-W48: 2 credentials in progress, "
                               "1 badge earned this week.")
    shown = text_of(message)
    assert "*Dana*: 2 in progress, 1 earned this week (3 in all) — Cloud Architecture 40%, due 2026-12-18" in shown
    assert "Top skill gaps: Kubernetes (2), Statistics (1)" in shown
    [upload] = slack.files
    assert (upload["filename"], upload["channel"], upload["thread_ts"]) == ("team-digest.png", "DMIA", message["ts"])
    assert upload["title"] == "Team progress 2026-W48"
    with PILImage.open(io.BytesIO(upload["content"])) as image:
        assert image.format == "PNG" and image.width > 100 and image.height > 100
    assert outbox.deliver_once(now=utcnow() + timedelta(hours=1)).claimed == 0 and len(slack.files) == 1


@pytest.mark.parametrize("breakage", ["chart", "upload"])
def test_a_broken_chart_or_upload_still_delivers_the_digest_once(
    org: Org, slack: FakeSlack, caplog: pytest.LogCaptureFixture, breakage: str
) -> None:
    queue_digest(org)

    def broken(payload: dict[str, Any]) -> bytes:
        raise ValueError("no data")

    chart: Callable[[dict[str, Any]], bytes] = broken if breakage == "chart" else (lambda p: b"\x89PNG\r\n\x1a\n")
    if breakage == "upload":
        slack.fail("files.getUploadURLExternal", error="missing_scope")
    outbox = deliverer(slack, org.engine, chart=chart)
    assert outbox.deliver_once().sent == 1
    assert outbox.deliver_once(now=utcnow() + timedelta(hours=1)).claimed == 0
    assert len(slack.messages["DMIA"]) == 1 and slack.files == []
    assert [r.levelname for r in caplog.records if "digest chart" in r.message] == ["WARNING"]


def test_a_channel_the_bot_cannot_list_is_posted_to_by_name_and_looked_up_once(org: Org, slack: FakeSlack) -> None:
    give(org)
    give(org, "UERIN")
    assert deliverer(slack, org.engine, channel_interval=0).deliver_once(now=AFTER_HOLD).sent == 4
    assert len(slack.messages["#learning"]) == 2 and len(slack.of("conversations.list")) == 1
