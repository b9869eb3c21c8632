"""Badge imports by DM: a shared file (JSON, baked PNG or SVG), a badge link, or pasted badge JSON."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import httpx
from slack_bolt import App
from slack_sdk import WebClient

from bot.slack.blocks import escape
from bot.slack.listeners.home import publish_home
from bot.slack.replies import Place, apologise, tell_private
from bot.slack.services import Services
from core.db import session_scope
from core.errors import BadgerError
from knowledge.models import Credential
from skills.badges.fetch import Fetcher
from skills.badges.importing import BadgeImport, BadgeNotVerified, import_badge
from skills.badges.verify import MAX_INPUT_BYTES
from skills.recognition import ShoutoutPolicy

BADGE_FILE_TYPES = {"json", "png", "svg", "text", "jwt"}
BADGE_SUFFIXES = (".json", ".jsonld", ".png", ".svg", ".jwt", ".txt")
MAX_CHECKS = 5
_LINK = re.compile(r"<(https?://[^|>\s]+)(?:\|[^>]*)?>")
_URL = re.compile(r"https?://\S+")
_BADGE_WORD = re.compile(r"\bbadges?\b", re.I)
_FENCE = re.compile(r"^```[a-z]*\s*|```$|^`|`$")
_JSON_MARKERS = ('"@context"', '"credentialSubject"', '"recipient"', '"badge"')


class FileRefused(BadgerError):
    """A shared file could not be read (wrong host, too big, missing scope); the message is safe to show."""


@dataclass(frozen=True)
class BadgeSource:
    """What a DM offers as a badge: a Slack file to download, or text (a URL, JSON or a VC-JWT)."""

    text: str = ""
    file: dict[str, Any] | None = None


def register(app: App, services: Services) -> None:
    """Nothing to register: the DM listener calls `handle_dm` first for every direct message."""


def handle_dm(event: dict[str, Any], client: WebClient, services: Services) -> bool:
    """Import the badge a DM carries and reply in the DM; False (and no side effects) when it carries none."""
    user = str(event.get("user") or "")
    source = badge_source(event) if user and not event.get("bot_id") else None
    if source is None:
        return False
    place = Place(user=user, channel=str(event.get("channel") or ""), thread=str(event.get("thread_ts") or ""))
    try:
        data: bytes | str = download(source.file, client, services) if source.file else source.text
    except BadgerError as exc:
        tell_private(client, place, f"❌ {escape(str(exc))}")
        return True
    if import_and_report(client, services, place, data):
        publish_home(client, services, user)  # the Home tab shows the new badge and fewer gaps
    return True


def badge_source(event: dict[str, Any]) -> BadgeSource | None:
    """The badge in a DM, if it offers one: a badge-like file, a lone link, a link with "badge", or badge JSON."""
    files = event.get("files") or []
    if event.get("subtype") == "file_share" or files:
        found = next((f for f in files if isinstance(f, dict) and _badge_file(f)), None)
        return BadgeSource(file=found) if found else None
    text = _unwrap(str(event.get("text") or "")).strip()
    body = _FENCE.sub("", text).strip()
    if body.startswith("{") and any(marker in body for marker in _JSON_MARKERS):
        return BadgeSource(text=body)
    urls = _URL.findall(text)
    if urls and (not _URL.sub("", text).strip(" .,!") or _BADGE_WORD.search(text)):
        return BadgeSource(text=urls[0].rstrip(".,)!"))
    return None


def download(file: dict[str, Any], client: WebClient, services: Services) -> bytes:
    """A shared file's bytes, fetched with the bot token only from Slack's own hosts, size-capped."""
    url = str(file.get("url_private_download") or file.get("url_private") or "")
    api = urlsplit(services.settings.slack_api_url)
    parts = urlsplit(url)
    hosts = {api.hostname, f"files.{api.hostname}", "files.slack.com"}
    if parts.hostname not in hosts or not (parts.scheme == "https" or parts.scheme == api.scheme):
        raise FileRefused("I can only read files shared in this Slack workspace.")
    if int(file.get("size") or 0) > MAX_INPUT_BYTES:
        raise FileRefused(f"That file is too big for a badge (over {MAX_INPUT_BYTES // 1_000_000} MB).")
    headers = {"Authorization": f"Bearer {client.token}"}
    try:
        with httpx.stream("GET", url, headers=headers, timeout=10, follow_redirects=False) as response:
            if response.status_code != 200 or "text/html" in response.headers.get("content-type", ""):
                raise FileRefused("I couldn't download that file from Slack (Badger needs the files:read scope).")
            body = bytearray()
            for chunk in response.iter_bytes():
                body.extend(chunk)
                if len(body) > MAX_INPUT_BYTES:
                    raise FileRefused("That file is too big for a badge.")
    except httpx.HTTPError:
        raise FileRefused("I couldn't download that file from Slack; please try again.") from None
    return bytes(body)


def import_and_report(client: WebClient, services: Services, place: Place, source: bytes | str) -> bool:
    """Verify and record the badge for the acting user, then tell them what happened; True when recorded."""
    try:
        with session_scope(services.engine) as session:
            done = import_badge(session=session, actor=place.actor, source=source, fetcher=Fetcher(),
                                shoutouts=ShoutoutPolicy.from_settings(services.settings))
            title = _catalogue_title(session.get(Credential, done.badge.credential_id)
                                     if done.badge.credential_id else None)
            text = verified_text(done, title)
    except BadgeNotVerified as exc:
        tell_private(client, place, refused_text(exc))
        return False
    except BadgerError as exc:  # not for this person, not a badge, unreachable issuer: safe to show
        tell_private(client, place, f"❌ {escape(str(exc))}")
        return False
    except Exception as exc:  # noqa: BLE001 (logged with its traceback; the user gets a reference)
        apologise(client, place, exc)
        return False
    tell_private(client, place, text)
    return True


def verified_text(done: BadgeImport, catalogue: str | None) -> str:
    """What a verified import says: achievement, issuer, linked credential, skills added."""
    badge = done.badge
    if not done.created:
        return f"✅ You've already added *{escape(badge.achievement)}* — nothing changed."
    lines = [f"✅ *Verified*: *{escape(badge.achievement)}* from {escape(badge.issuer or 'an unknown issuer')} "
             f"({escape(badge.format)})."]
    lines.append(f"Linked to the catalogue: {catalogue}." if catalogue else "It isn't in our catalogue; "
                 "I recorded it as it is.")
    if badge.skills:
        lines.append("Skills added to your profile: " + escape(", ".join(badge.skills)) + ".")
    return "\n".join(lines)


def refused_text(exc: BadgeNotVerified) -> str:
    """Why a badge was refused: the failed checks, a short list."""
    failed = [c for c in exc.verification.checks if not c.ok][:MAX_CHECKS]
    lines = [f"• *{escape(c.name)}*: {escape(c.detail)}" for c in failed]
    return "❌ I couldn't verify this badge, so it wasn't added:\n" + "\n".join(lines)


def _catalogue_title(credential: Credential | None) -> str | None:
    return f"*{escape(credential.title)}* ({escape(credential.provider)})" if credential else None


def _badge_file(file: dict[str, Any]) -> bool:
    name = str(file.get("name") or "").lower()
    return str(file.get("filetype") or "").lower() in BADGE_FILE_TYPES or name.endswith(BADGE_SUFFIXES)


def _unwrap(text: str) -> str:
    text = _LINK.sub(r"\1", text)
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
