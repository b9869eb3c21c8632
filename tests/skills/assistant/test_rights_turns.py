"""A person asks from Slack (or the terminal) for their data to be erased or copied; an admin confirms."""

from __future__ import annotations

from pathlib import Path

from sqlmodel import Session, select

from bot.slack.notices import render
from skills.access import Actor
from skills.assistant.memory import ConversationKey
from skills.assistant.messages import Message
from skills.models import Employee, Notice, utcnow
from skills.notices import Kind
from skills.records.models import RightsRequest
from skills.records.retention import Retention, purge
from tests.skills.assistant.conftest import World


def admin_card(world: World) -> Message:
    """The rights-request notice queued for Ada, rendered as Slack would show it."""
    with Session(world.kb.engine) as session:
        [notice] = session.exec(select(Notice).where(Notice.kind == Kind.RIGHTS_REQUEST)).all()
        assert notice.recipient_id == "UADA"
        return render(notice)


def press(world: World, actor: Actor, message: Message) -> Message:
    """Press the card's only button as `actor`."""
    [button] = message.buttons()
    return world.assistant.perform(actor=actor, key=ConversationKey(actor.user_id, "D9"), action=button.action)


def test_a_person_asks_to_be_erased_and_only_an_admin_confirms(world: World) -> None:
    asked = world.say(world.dana, "please delete all my data")
    assert asked.intent == "rights_request" and "asked the L&D admins to erase" in asked.text
    assert world.say(world.dana, "erase my data").text == asked.text  # asking twice is one request
    card = admin_card(world)
    assert card.text.startswith("Dana Dev") and "erase everything" in card.text
    for stranger in (world.dana, world.mia):  # the person and their manager cannot confirm it
        refused = press(world, stranger, card)
        assert refused.intent == "error" and refused.text == "Only an L&D admin may confirm data requests."
    done = press(world, world.ada, card)
    assert done.intent == "rights_confirmed" and done.text.startswith("Erased everything Badger held about UDANA")
    with Session(world.kb.engine) as session:
        assert session.get(Employee, "UDANA") is None
        [tombstone] = session.exec(select(RightsRequest)).all()
        assert (tombstone.subject_id, tombstone.decided_by) == (None, "UADA")
    again = press(world, world.ada, card)
    assert again.intent == "error" and "already been handled" in again.text


def test_an_export_request_is_confirmed_for_the_cli(world: World) -> None:
    asked = world.say(world.erin, "can you send me a copy of my data?")
    assert "send you a copy" in asked.text
    done = press(world, world.ada, admin_card(world))
    assert "badger people export UERIN" in done.text
    with Session(world.kb.engine) as session:
        assert session.get(Employee, "UERIN") is not None
        [request] = session.exec(select(RightsRequest)).all()
        assert (request.status, request.decided_by) == ("done", "UADA")


def test_the_nightly_job_scrubs_the_file_after_a_slack_erasure(world: World) -> None:
    world.say(world.dana, "forget me")
    press(world, world.ada, admin_card(world))
    report = purge(world.kb.engine, now=utcnow(), rules=Retention())
    assert report["scrubbed"] == 1
    database = Path(str(world.kb.engine.url.database))
    files = [database, database.with_name(database.name + "-wal")]
    assert not any(b"Dana Dev" in f.read_bytes() for f in files if f.exists())
    assert any(b"Erin Eng" in f.read_bytes() for f in files if f.exists())
