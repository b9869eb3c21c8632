"""App Home over real HTTP: what Dana, Mia and a stranger see, the Home buttons, and the progress form."""

from __future__ import annotations

import json
from datetime import date, timedelta

import pytest
from sqlmodel import Session

from bot.slack.home import fit
from skills.access import Actor
from skills.enrolment import enrol
from skills.models import Employee, Enrolment, State
from skills.policy import Policy
from skills.progress import update_progress
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

DANA, MIA, ERIN = Actor("UDANA"), Actor("UMIA"), Actor("UERIN")




def test_dana_sees_her_enrolment_progress_due_date_and_gaps(world: SlackWorld) -> None:
    due = date.today() + timedelta(days=14)
    enrolment = run(world, enrol, actor=DANA, credential_id="py-basics", due_date=due, policy=Policy())
    run(world, update_progress, actor=DANA, enrolment_id=enrolment, percent=40)
    view = open_home(world, "UDANA")
    text = text_of(view)
    assert view["type"] == "home" and "My learning" in text and "My team" not in text
    assert "Python Basics" in text and "40%" in text and f"due {due.isoformat()}" in text
    assert "Update progress" in text and "Add a badge" in text
    assert "Skill gaps" in text and "Kubernetes" in text and "Kubernetes for Developers" in text
    assert len(view["blocks"]) <= 100


def test_mia_sees_her_team_and_a_pending_approval(world: SlackWorld) -> None:
    request = run(world, enrol, actor=DANA, credential_id="k8s-dev", policy=Policy())  # costs 1200: needs approval
    view = open_home(world, "UMIA")
    text = text_of(view)
    assert "My team" in text and "Dana Dev" in text and "Erin Eng" in text
    assert "Waiting for your approval" in text and "<@UDANA> asks for *Kubernetes for Developers*" in text
    ids = [e["action_id"] for b in view["blocks"] if b["type"] == "actions" for e in b["elements"]]
    assert f"badger:approve:{request}" in ids and f"badger:decline:{request}" in ids and "home:nominate" in ids
    assert "Team skill gaps" in text


def test_a_stranger_gets_a_friendly_explanation(world: SlackWorld) -> None:
    text = text_of(open_home(world, "UNOBODY"))
    assert "not in Badger's directory" in text and "My learning" not in text


def test_a_big_team_stays_within_the_home_block_limit(world: SlackWorld) -> None:
    with Session(world.kb.engine) as session:
        for n in range(40):
            session.add(Employee(user_id=f"UBIG{n:02d}", name=f"Big {n:02d}", manager_id="UMIA",
                                 role="Software Engineer"))
        session.commit()
    for n in range(40):
        run(world, enrol, actor=Actor(f"UBIG{n:02d}"), credential_id="k8s-dev", policy=Policy())
    view = open_home(world, "UMIA")
    assert len(view["blocks"]) <= 100 and "more…" in text_of(view)


def test_fit_cuts_and_says_how_many_were_left_out() -> None:
    blocks = [{"type": "divider"}] * 130
    cut = fit(blocks)
    assert len(cut) == 100 and cut[-1]["elements"][0]["text"] == "and 31 more…"


def test_updating_progress_from_home(world: SlackWorld) -> None:
    enrolment = run(world, enrol, actor=DANA, credential_id="py-basics", policy=Policy())
    run(world, update_progress, actor=DANA, enrolment_id=enrolment, percent=40)
    press_in_view(world, "UDANA", open_home(world, "UDANA"), "Update progress")
    form = opened(world)
    assert form["callback_id"] == "badger_progress" and "Python Basics" in text_of(form)
    percent = next(b for b in form["blocks"] if b.get("block_id") == "percent")
    assert percent["element"]["initial_value"] == "40"
    publishes = len(world.slack.of("views.publish"))
    assert submit(world, "UDANA", form, {"percent": {"percent": {"type": "number_input", "value": "75"}}}) is None
    assert "now 75%" in dm_to(world, "UDANA")[-1]
    assert world.enrolments()[0].percent == 75 and world.enrolments()[0].state == State.IN_PROGRESS
    world.slack.wait_for("views.publish", publishes + 1)  # the Home shows the new progress


@pytest.mark.parametrize("value", ["120", "-5", "", "4.5", "²"])
def test_a_bad_percentage_is_shown_in_the_form_and_changes_nothing(serial_world: SlackWorld, value: str) -> None:
    world = serial_world
    enrolment = run(world, enrol, actor=DANA, credential_id="py-basics", policy=Policy())
    run(world, update_progress, actor=DANA, enrolment_id=enrolment, percent=40)
    press_in_view(world, "UDANA", open_home(world, "UDANA"), "Update progress")
    answer = submit(world, "UDANA", opened(world), {"percent": {"percent": {"type": "number_input", "value": value}}})
    assert answer["response_action"] == "errors" and "0 to 100" in answer["errors"]["percent"]
    world.settle()
    assert world.enrolments()[0].percent == 40 and world.slack.posted() == []


def test_marking_complete_from_the_form(world: SlackWorld) -> None:
    enrolment = run(world, enrol, actor=DANA, credential_id="py-basics", policy=Policy())
    press_in_view(world, "UDANA", open_home(world, "UDANA"), "Update progress")
    done = {"type": "checkboxes", "selected_options": [{"value": "complete"}]}
    submit(world, "UDANA", opened(world), {"percent": {"percent": {"value": "10"}}, "complete": {"complete": done}})
    assert "marked complete" in dm_to(world, "UDANA")[-1]
    with Session(world.kb.engine) as session:
        row = session.get(Enrolment, enrolment)
        assert row is not None and row.state == State.COMPLETED and row.percent == 100


def test_someone_elses_enrolment_cannot_be_updated_with_a_crafted_form(world: SlackWorld) -> None:
    enrolment = run(world, enrol, actor=DANA, credential_id="py-basics", policy=Policy())
    forged = {"type": "modal", "callback_id": "badger_progress", "private_metadata": json.dumps(
        {"enrolment_id": enrolment})}
    submit(world, "UERIN", forged, {"percent": {"percent": {"value": "90"}}})
    assert "Only Dana Dev or an L&amp;D admin" in dm_to(world, "UERIN")[-1]
    assert world.enrolments()[0].percent == 0


@pytest.mark.parametrize(("label", "callback"), [("🏅 Add a badge", "badger_badge")])
def test_home_buttons_open_their_forms(world: SlackWorld, label: str, callback: str) -> None:
    press_in_view(world, "UDANA", open_home(world, "UDANA"), label)
    assert opened(world)["callback_id"] == callback


def test_nominate_someone_opens_the_nominate_form(world: SlackWorld) -> None:
    press_in_view(world, "UMIA", open_home(world, "UMIA"), "Nominate someone")
    form = opened(world)
    assert form["callback_id"] == "badger_nominate"
    kinds = {b.get("block_id"): b["element"]["type"] for b in form["blocks"] if b["type"] == "input"}
    assert kinds["person"] == "users_select" and kinds["credential"] == "external_select"


def test_an_admin_without_reports_can_still_nominate_from_home(world: SlackWorld) -> None:
    text = text_of(open_home(world, "UADA"))
    assert "My team" in text and "no direct reports" in text and "Nominate someone" in text
