"""App Home: a person asks for a copy or the erasure of their data; the admin gets the card."""

from __future__ import annotations

from sqlmodel import Session, select

from skills.records.models import RightsRequest
from tests.bot.slack.conftest import SlackWorld
from tests.bot.slack.ui_world import dm_to, open_home, press_in_view, text_of


def test_erase_my_data_from_home_asks_the_admins(world: SlackWorld) -> None:
    view = open_home(world, "UDANA")
    assert "Copy of my data" in text_of(view) and "This cannot be undone" in text_of(view)
    press_in_view(world, "UDANA", view, "Erase my data")
    assert any("asked the L&D admins to erase everything" in t for t in dm_to(world, "UDANA"))
    with Session(world.kb.engine) as session:
        [request] = session.exec(select(RightsRequest)).all()
        assert (request.action, request.subject_id, request.status) == ("erase", "UDANA", "requested")
