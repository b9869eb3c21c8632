"""The forms over real HTTP: decline with a reason, nominate, the credential search, the shortcut, add a badge."""

from __future__ import annotations

import json
from typing import Any

import pytest
from sqlmodel import Session, select

from bot.slack import modals
from bot.slack.app import web_client
from bot.slack.blocks import to_blocks
from bot.slack.notices import render
from skills.access import Actor
from skills.enrolment import enrol
from skills.models import Badge, Employee, State
from skills.policy import Policy
from tests.bot.slack.conftest import SlackWorld
from tests.bot.slack.ui_world import (
    dm_to,
    open_home,
    opened,
    press_in_view,
    run,
    submit,
    text_of,
)
from tests.skills.badges.badge_helpers import credential, sign_di

DANA = Actor("UDANA")




def nominate_values(person: str, credential_id: str | None, reason: str, due: str | None = None) -> dict[str, Any]:
    option = {"text": {"type": "plain_text", "text": credential_id}, "value": credential_id} if credential_id else None
    return {"person": {"person": {"type": "users_select", "selected_user": person}},
            "credential": {modals.CREDENTIAL_ACTION: {"type": "external_select", "selected_option": option}},
            "reason": {"reason": {"type": "plain_text_input", "value": reason}},
            "due": {"due": {"type": "datepicker", "selected_date": due}}}


def reason(text: str) -> dict[str, Any]:
    return {"reason": {"reason": {"type": "plain_text_input", "value": text}}}


# ------------------------------------------------------------------------------------------------ decline


def test_mia_declines_a_request_with_a_reason(world: SlackWorld) -> None:
    request = run(world, enrol, actor=DANA, credential_id="k8s-dev", policy=Policy())
    press_in_view(world, "UMIA", open_home(world, "UMIA"), "Decline")
    form = opened(world)
    assert form["callback_id"] == "badger_decline" and json.loads(form["private_metadata"]) == {
        "enrolment_id": request}
    assert "Dana Dev's request for *Kubernetes for Developers*" in text_of(form)
    assert submit(world, "UMIA", form, reason("Budget is frozen until Q3.")) is None
    assert "Declined Dana Dev's request" in dm_to(world, "UMIA")[-1]
    row = world.enrolments()[0]
    assert row.state == State.DECLINED and row.decision_reason == "Budget is frozen until Q3."
    assert any(n.kind == "request_declined" and n.recipient_id == "UDANA" for n in world.notices())


def test_declining_from_the_approval_dm_settles_its_buttons(world: SlackWorld) -> None:
    run(world, enrol, actor=DANA, credential_id="k8s-dev", policy=Policy())
    [notice] = world.notices()
    client = web_client(world.services.settings)
    client.chat_postMessage(channel="UMIA", text="approval", blocks=to_blocks(render(notice)))
    [dm] = world.slack.messages["DMIA"]
    world.press("UMIA", dm, "Decline", channel="DMIA")
    form = opened(world)
    assert json.loads(form["private_metadata"])["channel"] == "DMIA"
    submit(world, "UMIA", form, reason("Not this quarter."))
    update = world.slack.wait_for("chat.update")[-1].args
    assert (update["channel"], update["ts"]) == ("DMIA", dm["ts"]) and "Not this quarter." in update["text"]
    assert all(b["type"] != "actions" for b in update["blocks"])
    assert world.enrolments()[0].state == State.DECLINED


def test_forged_origin_metadata_does_not_touch_other_messages(serial_world: SlackWorld) -> None:
    world = serial_world
    request = run(world, enrol, actor=DANA, credential_id="k8s-dev", policy=Policy())
    forged = modals.decline_modal(enrolment_id=request, title="x", origin={"channel": "C0GENERAL", "ts": "1.1"})
    submit(world, "UMIA", forged, reason("Not this quarter."))
    world.settle()  # the decline, the DM, the Home and the (refused) settling of the origin are all done
    assert world.enrolments()[0].state == State.DECLINED and "Declined" in dm_to(world, "UMIA")[-1]
    assert world.slack.of("chat.update") == []


def test_declining_without_a_reason_is_shown_in_the_form(serial_world: SlackWorld) -> None:
    world = serial_world
    run(world, enrol, actor=DANA, credential_id="k8s-dev", policy=Policy())
    press_in_view(world, "UMIA", open_home(world, "UMIA"), "Decline")
    answer = submit(world, "UMIA", opened(world), reason("   "))
    assert answer["response_action"] == "errors" and "reason" in answer["errors"]
    world.settle()
    assert world.enrolments()[0].state == State.REQUESTED


def test_only_the_manager_may_decline_even_with_a_crafted_form(world: SlackWorld) -> None:
    request = run(world, enrol, actor=DANA, credential_id="k8s-dev", policy=Policy())
    forged = modals.decline_modal(enrolment_id=request, title="anything")
    submit(world, "UOMAR", forged, reason("no"))  # Omar manages someone else
    assert "Only Dana Dev's manager or an L&amp;D admin can decline" in dm_to(world, "UOMAR")[-1]
    assert world.enrolments()[0].state == State.REQUESTED
    assert [n.kind for n in world.notices()] == ["approval_request"]


def test_the_decline_button_refuses_someone_who_may_not_see_the_request(world: SlackWorld) -> None:
    request = run(world, enrol, actor=DANA, credential_id="k8s-dev", policy=Policy())
    button = {"type": "button", "action_id": f"badger:decline:{request}", "text": {"type": "plain_text", "text": "D"},
              "value": json.dumps({"kind": "decline", "args": {"enrolment_id": request}})}
    world.interact({"type": "block_actions", "user": {"id": "UERIN"}, "container": {"type": "view"},
                    "actions": [{**button, "block_id": "b"}]})
    assert "Only Dana Dev, their manager or an L&amp;D admin" in dm_to(world, "UERIN")[-1]
    assert world.slack.of("views.open") == []


# ----------------------------------------------------------------------------------------------- nominate


def test_mia_nominates_dana(world: SlackWorld) -> None:
    form = modals.nominate_modal()
    assert submit(world, "UMIA", form, nominate_values("UDANA", "py-data", "For the analytics project.")) is None
    assert "Nominated Dana Dev for *Python for Data Analysis*" in dm_to(world, "UMIA")[-1]
    row = world.enrolments()[0]
    assert (row.employee_id, row.state, row.nominated_by) == ("UDANA", State.NOMINATED, "UMIA")
    assert row.nomination_reason == "For the analytics project."
    assert [(n.kind, n.recipient_id) for n in world.notices()] == [("nomination", "UDANA")]


def test_someone_who_is_not_the_manager_cannot_nominate(world: SlackWorld) -> None:
    submit(world, "UOMAR", modals.nominate_modal(), nominate_values("UDANA", "py-data", "Because."))
    assert "Only Dana Dev's manager or an L&amp;D admin can nominate them" in dm_to(world, "UOMAR")[-1]
    assert world.enrolments() == [] and world.notices() == []


@pytest.mark.parametrize(("values", "block"), [
    (nominate_values("UMIA", "py-data", "Me!"), "person"),
    (nominate_values("UDANA", None, "Why not"), "credential"),
    (nominate_values("UDANA", "py-data", "  "), "reason"),
    (nominate_values("UDANA", "py-data", "ok", due="2001-01-01"), "due"),
])
def test_bad_nominations_are_shown_in_the_form(serial_world: SlackWorld, values: dict[str, Any], block: str) -> None:
    world = serial_world
    answer = submit(world, "UMIA", modals.nominate_modal(), values)
    assert answer["response_action"] == "errors" and block in answer["errors"]
    world.settle()
    assert world.enrolments() == []


def test_the_credential_search_suggests_matching_credentials(world: SlackWorld) -> None:
    def search(value: str) -> list[dict[str, Any]]:
        response = world.interact({"type": "block_suggestion", "user": {"id": "UMIA"}, "value": value,
                                   "action_id": modals.CREDENTIAL_ACTION, "block_id": "credential",
                                   "view": {"id": "VMODAL", "callback_id": modals.NOMINATE}})
        assert response.status_code == 200
        options: list[dict[str, Any]] = response.json()["options"]
        return options

    found = search("kubernetes")
    assert found[0] == {"text": {"type": "plain_text", "text": "Kubernetes for Developers — Cloud Native Foundation",
                                 "emoji": True}, "value": "k8s-dev"}
    assert len(found) <= 100 and all(len(o["text"]["text"]) <= 75 for o in found)
    assert search("k") == []


def test_the_message_shortcut_prefills_the_author(world: SlackWorld) -> None:
    world.interact({"type": "message_action", "callback_id": "nominate_for_credential", "user": {"id": "UMIA"},
                    "channel": {"id": "C0TEAM"}, "message": {"type": "message", "user": "UDANA", "ts": "1.1",
                                                             "text": "I'd love to learn Kubernetes"},
                    "response_url": world.slack.response_url("shortcut")})
    form = opened(world)
    person = next(b for b in form["blocks"] if b.get("block_id") == "person")
    assert form["callback_id"] == "badger_nominate" and person["element"]["initial_user"] == "UDANA"


def test_the_global_shortcut_opens_an_empty_form(world: SlackWorld) -> None:
    world.interact({"type": "shortcut", "callback_id": "nominate_for_credential", "user": {"id": "UMIA"}})
    person = next(b for b in opened(world)["blocks"] if b.get("block_id") == "person")
    assert "initial_user" not in person["element"]


# ------------------------------------------------------------------------------------------------- badge


def with_email(world: SlackWorld, user: str, email: str) -> None:
    with Session(world.kb.engine) as session:
        employee = session.get(Employee, user)
        assert employee is not None
        employee.email = email
        session.add(employee)
        session.commit()


def dana_badge() -> str:
    return json.dumps(sign_di(credential(email="dana@example.com", name="Python Basics",
                                         issuer_name="Northfield University")))


def test_a_pasted_badge_is_verified_and_recorded(world: SlackWorld) -> None:
    with_email(world, "UDANA", "dana@example.com")
    pasted = {"json": {"json": {"type": "plain_text_input", "value": dana_badge()}}}
    assert submit(world, "UDANA", modals.badge_modal(), pasted) is None
    reply = dm_to(world, "UDANA")[-1]
    assert "Verified" in reply and "Python Basics" in reply and "Northfield University" in reply
    with Session(world.kb.engine) as session:
        [badge] = session.exec(select(Badge)).all()
        assert badge.employee_id == "UDANA" and badge.credential_id == "py-basics"
    assert "✅ verified" in text_of(world.slack.wait_for("views.publish")[-1].args["view"])


@pytest.mark.parametrize(("values", "block"), [
    ({}, "url"),
    ({"url": {"url": {"type": "url_text_input", "value": "ftp://example.org/b"}}}, "url"),
    ({"json": {"json": {"type": "plain_text_input", "value": "hello there"}}}, "json"),
])
def test_an_empty_or_bad_badge_form_is_shown_in_the_form(world: SlackWorld, values: dict[str, Any],
                                                         block: str) -> None:
    answer = submit(world, "UDANA", modals.badge_modal(), values)
    assert answer["response_action"] == "errors" and block in answer["errors"]


def test_someone_elses_badge_is_refused_with_the_reason(world: SlackWorld) -> None:
    with_email(world, "UERIN", "erin@example.com")
    submit(world, "UERIN", modals.badge_modal(), {"json": {"json": {"value": dana_badge()}}})
    assert "can't be added to your profile" in dm_to(world, "UERIN")[-1]
    assert world.notices() == [] and world.enrolments() == []
    with Session(world.kb.engine) as session:
        assert session.exec(select(Badge)).all() == []

