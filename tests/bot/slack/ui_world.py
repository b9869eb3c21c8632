"""Helpers for the Home, form, shortcut and badge tests: run skills directly, open Home, press, submit."""

from __future__ import annotations

import json
import time
from typing import Any

from core.db import session_scope
from skills.models import Enrolment
from tests.bot.slack.conftest import SlackWorld


def run(world: SlackWorld, skill: Any, **kwargs: Any) -> Any:
    """Call a skill in its own transaction (the records a user would have made earlier)."""
    with session_scope(world.kb.engine) as session:
        result = skill(session=session, **kwargs)
        return result.id if isinstance(result, Enrolment) else result


def open_home(world: SlackWorld, user: str) -> dict[str, Any]:
    """Open the Home tab as `user`; the view Badger published."""
    before = len(world.slack.of("views.publish"))
    assert world.event({"type": "app_home_opened", "user": user, "channel": "D" + user[1:], "tab": "home"}
                       ).status_code == 200
    call = world.slack.wait_for("views.publish", before + 1)[-1]
    assert call.args["user_id"] == user
    view: dict[str, Any] = call.args["view"]
    return view if isinstance(view, dict) else json.loads(view)


def press_in_view(world: SlackWorld, user: str, view: dict[str, Any], label: str) -> None:
    """Press a button (or a section's accessory button) on a published view."""
    for block in view["blocks"]:
        elements = block.get("elements", []) if block.get("type") == "actions" else [block.get("accessory") or {}]
        for element in elements:
            if element.get("type") == "button" and element["text"]["text"].startswith(label):
                response = world.interact({"type": "block_actions", "user": {"id": user},
                                           "container": {"type": "view", "view_id": "VHOME"},
                                           "view": {"id": "VHOME", "type": "home"},
                                           "actions": [{**element, "block_id": block.get("block_id", "b"),
                                                        "action_ts": f"{time.time():.6f}"}]})
                assert response.status_code == 200
                return
    raise AssertionError(f"no button {label!r} in the view")


def opened(world: SlackWorld, count: int = 1) -> dict[str, Any]:
    """The view of the latest views.open call (after waiting for the `count`th)."""
    view: dict[str, Any] = world.slack.wait_for("views.open", count)[-1].args["view"]
    return view


def submit(world: SlackWorld, user: str, view: dict[str, Any], values: dict[str, Any]) -> Any:
    """Submit a modal Badger opened, with `values` as {block_id: {action_id: value-object}}."""
    response = world.interact({"type": "view_submission", "user": {"id": user},
                               "view": {**view, "id": "VMODAL", "state": {"values": values}}})
    assert response.status_code == 200
    return response.json() if response.content else None


def dm_to(world: SlackWorld, user: str, count: int = 1) -> list[str]:
    """The texts Badger sent to the user's DM, once there are `count`."""
    def texts() -> list[str]:
        return [str(m["text"]) for m in world.slack.posted() if m["channel"] in (user, "D" + user[1:])]

    world.wait(lambda: len(texts()) >= count)
    return texts()


def text_of(view: dict[str, Any]) -> str:
    """The blocks as JSON text, for "is it shown" checks."""
    return json.dumps(view["blocks"], ensure_ascii=False)
