"""Modal views as plain dicts: nominate, update progress, decline with a reason, add a badge.

Each carries a callback_id (its submission listener) and private_metadata (JSON). Metadata is untrusted when it
comes back: it only says which record the form was about; who is acting is always the signed request's user.
"""

from __future__ import annotations

import json
from typing import Any

from bot.slack.blocks import escape, mrkdwn, plain, trim

NOMINATE = "badger_nominate"
PROGRESS = "badger_progress"
DECLINE = "badger_decline"
BADGE = "badger_badge"
CREDENTIAL_ACTION = "nominate_credential"  # the external select's action_id: options come from listeners/options.py
MIN_QUERY = 2
MAX_TITLE = 24  # Slack's limit for a modal's title
MAX_REASON = 1000

View = dict[str, Any]


def _modal(callback_id: str, title: str, submit: str, blocks: list[dict[str, Any]], meta: dict[str, Any]) -> View:
    return {"type": "modal", "callback_id": callback_id, "title": plain(title, MAX_TITLE),
            "submit": plain(submit, MAX_TITLE), "close": plain("Cancel", MAX_TITLE), "blocks": blocks,
            "private_metadata": json.dumps(meta, separators=(",", ":"))}


def _input(block_id: str, label: str, element: dict[str, Any], *, optional: bool = False,
           hint: str | None = None, action_id: str | None = None) -> dict[str, Any]:
    block: dict[str, Any] = {"type": "input", "block_id": block_id, "label": plain(label),
                             "element": {"action_id": action_id or block_id, **element}, "optional": optional}
    if hint:
        block["hint"] = plain(hint, 150)
    return block


def metadata(view: dict[str, Any]) -> dict[str, Any]:
    """A submitted view's private_metadata as a dict ({} when missing or malformed)."""
    try:
        data = json.loads(str(view.get("private_metadata") or "{}"))
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


def nominate_modal(*, employee_id: str | None = None, credential_id: str | None = None,
                   credential_label: str | None = None) -> View:
    """Nominate someone: a person picker, a catalogue search, a reason and an optional due date."""
    person: dict[str, Any] = {"type": "users_select", "placeholder": plain("Choose a person")}
    if employee_id:
        person["initial_user"] = employee_id
    credential: dict[str, Any] = {"type": "external_select", "min_query_length": MIN_QUERY,
                                  "placeholder": plain("Search the catalogue")}
    if credential_id:
        credential["initial_option"] = {"text": plain(credential_label or credential_id), "value": credential_id}
    blocks = [
        _input("person", "Who", person),
        _input("credential", "Credential", credential, action_id=CREDENTIAL_ACTION,
               hint="Type at least two letters: a skill, a title or a provider."),
        _input("reason", "Why them, why now?", {"type": "plain_text_input", "multiline": True,
                                                 "max_length": MAX_REASON}),
        _input("due", "Finish by", {"type": "datepicker"}, optional=True),
        {"type": "context", "elements": [mrkdwn("They get a DM with your reason and can accept or decline.")]},
    ]
    return _modal(NOMINATE, "Nominate", "Nominate", blocks, {"employee_id": employee_id,
                                                               "credential_id": credential_id})


def progress_modal(*, enrolment_id: int, title: str, percent: int) -> View:
    """Update progress on one enrolment: a percentage, an optional note, or mark it complete."""
    blocks = [
        {"type": "section", "text": mrkdwn(f"*{escape(trim(title, 500))}*")},
        _input("percent", "Progress (%)", {"type": "number_input", "is_decimal_input": False, "min_value": "0",
                                           "max_value": "100", "initial_value": str(max(0, min(100, percent)))}),
        _input("note", "Note", {"type": "plain_text_input", "max_length": 500,
                                "placeholder": plain("e.g. finished module 3")}, optional=True),
        _input("complete", "Finished?", {"type": "checkboxes", "options": [
            {"text": plain("Mark it complete"), "value": "complete"}]}, optional=True),
    ]
    return _modal(PROGRESS, "Update progress", "Save", blocks, {"enrolment_id": enrolment_id})


def decline_modal(*, enrolment_id: int, title: str, employee: str | None = None,
                  origin: dict[str, str] | None = None) -> View:
    """Decline a request (`employee`: "Dana's"; `origin`: the DM's channel and ts, to settle its buttons)."""
    whose = escape(employee) if employee else "the"
    blocks = [
        {"type": "section", "text": mrkdwn(f"Decline {whose} request for *{escape(trim(title, 500))}*?")},
        _input("reason", "Reason (they will see it)", {"type": "plain_text_input", "multiline": True,
                                                         "min_length": 1, "max_length": MAX_REASON}),
    ]
    return _modal(DECLINE, "Decline request", "Decline", blocks, {"enrolment_id": enrolment_id, **(origin or {})})


def badge_modal() -> View:
    """Add a badge: the link to a hosted badge, or its JSON (or VC-JWT) pasted; images go by DM."""
    blocks = [
        {"type": "section", "text": mrkdwn("Badger verifies the badge before it counts: only a verified badge is "
                                           "added to your profile, with its skills.")},
        _input("url", "Badge link", {"type": "url_text_input", "placeholder": plain("https://…")}, optional=True,
               hint="The link to the badge's assertion or credential, from Credly, Accredible or your university."),
        _input("json", "…or paste the badge", {"type": "plain_text_input", "multiline": True}, optional=True,
               hint="The badge's JSON or VC-JWT (up to 3,000 characters; send longer ones as a file)."),
        {"type": "context", "elements": [mrkdwn("Got the badge as a PNG or SVG image (or a .json file)? Send it "
                                                "to me in a direct message and I'll check it.")]},
    ]
    return _modal(BADGE, "Add a badge", "Verify and add", blocks, {})
