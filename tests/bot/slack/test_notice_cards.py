"""The reminder, celebration and digest cards: the words, the buttons, the image; in Slack and in the terminal."""

from __future__ import annotations

import io
from typing import Any

import pytest
from rich.console import Console

from bot.render_terminal import render as show
from bot.slack.blocks import escape, to_blocks
from bot.slack.notices import render
from skills.models import Notice
from skills.notices import Kind

BASE = {"enrolment_id": 7, "credential_id": "py-101", "credential_title": "Python", "provider": "Northfield",
        "due_date": "2026-12-01", "percent": 40, "employee_id": "UDANA", "employee_name": "Dana"}


def card(kind: str, payload: dict[str, Any]) -> Any:
    """The rendered message of a notice."""
    return render(Notice(id=1, kind=kind, recipient_id="UDANA", idempotency_key="k", payload=payload))


@pytest.mark.parametrize(("payload", "words", "buttons"), [
    ({"reason": "stalled", "days": 14}, "No progress on *Python* (Northfield) for 14 days; you're at 40%",
     ["status", "complete"]),
    ({"reason": "due_soon", "days": 3}, "is due on 2026-12-01 (in 3 days)", ["status", "complete"]),
    ({"reason": "overdue", "days": 1}, "was due on 2026-12-01 (1 day ago)", ["status", "complete"]),
    ({"reason": "nomination_unanswered", "days": 4}, "nominated for *Python* (Northfield) 4 days ago",
     ["accept_nomination", "decline_nomination", "status"]),
    ({"reason": "approval_pending", "days": 2}, "Dana has been waiting for 2 days for your decision",
     ["approve", "decline"]),
    ({"overdue": True}, "was due on 2026-12-01; you're at 40%", ["status", "complete"]),  # rows from before reasons
    ({"overdue": False}, "is due on 2026-12-01; you're at 40%", ["status", "complete"]),
])
def test_each_reminder_reason_has_its_words_and_buttons(payload: dict[str, Any], words: str,
                                                        buttons: list[str]) -> None:
    message = card(Kind.REMINDER, {**BASE, **payload})
    assert words in message.text
    assert [b.action.kind for b in message.buttons()] == buttons
    assert all(b.action.args in ({}, {"enrolment_id": 7}) for b in message.buttons())


def test_a_shoutout_mentions_people_but_escapes_everything_else() -> None:
    message = card(Kind.SHOUTOUT, {**BASE, "credential_title": "C++ <Advanced> & more", "skills": ["C++"],
                                   "verified": True, "image_url": "http://insecure.example.com/b.png",
                                   "nominated_by_id": "UMIA", "nominated_by_name": "Mia <boss>"})
    blocks = to_blocks(message)
    assert blocks[0]["text"]["text"] == ("🎉 <@UDANA|Dana> earned *C++ &lt;Advanced&gt; &amp; more* (Northfield)! "
                                         "✅ verified")
    assert blocks[0]["fields"] == [{"type": "mrkdwn", "text": "*Skills*\nC++"}]
    assert [b["type"] for b in blocks] == ["section", "context"]  # an http image is not shown
    assert "Thanks to <@UMIA|Mia boss> for the nomination." in blocks[1]["elements"][0]["text"]
    assert escape("<!channel> <@UDANA> <#C0LEARN|learning>") == "&lt;!channel&gt; <@UDANA> <#C0LEARN|learning>"


def test_the_terminal_shows_names_and_an_image_placeholder() -> None:
    message = card(Kind.CONGRATULATION, {**BASE, "skills": ["Python Programming"],
                                         "image_url": "https://badges.example.com/py.png"})
    console = Console(file=io.StringIO(), width=120, color_system=None)
    assert [b.label for b in show(message, console)] == ["My status"]
    printed = console.file.getvalue()  # type: ignore[attr-defined]
    assert "Congratulations on earning Python (Northfield)!" in printed
    assert "[image: Badge: Python]" in printed and "opted out of team shoutouts" in printed
    preview = card(Kind.SHOUTOUT_PREVIEW, {**BASE, "shoutout_notice_id": 5, "channel": "C0LEARN",
                                           "post_at_text": "10:40 (Europe/London)"})
    assert preview.text == ("Dana earned *Python* (Northfield). A shoutout goes to <#C0LEARN> at 10:40 "
                            "(Europe/London) unless you hold it.")
    console = Console(file=io.StringIO(), width=200, color_system=None)
    [hold] = show(preview, console)
    assert (hold.action.kind, hold.action.args) == ("hold_shoutout", {"notice_id": 5})
    assert "goes to #C0LEARN at 10:40" in console.file.getvalue()  # type: ignore[attr-defined]
