"""Console sign-in: signed one-time links, sessions stored in the database, and a login rate limit."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import secrets
import threading
import time
from collections import deque
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, delete

from core.clock import aware
from core.settings import Settings
from skills.access import Actor, acting_employee
from skills.console.access import console_scope
from skills.console.models import AdminAction, ConsoleLinkUse, ConsoleSession
from skills.errors import PermissionDenied, ValidationFailed

LINK_REFUSED = "This sign-in link is not valid: it may have expired or been used already. Ask for a new one."


def signing_key(settings: Settings) -> bytes:
    """BADGER_CONSOLE_SECRET, or a random key kept in the data dir (created once, readable by its owner only)."""
    if settings.badger_console_secret is not None:
        return settings.badger_console_secret.get_secret_value().encode()
    path = Path(settings.badger_data_dir) / "console.key"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass  # another process made it first
        else:
            with os.fdopen(fd, "w") as handle:
                handle.write(secrets.token_hex(32))
    return path.read_text().strip().encode()


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _sign(key: bytes, payload: str) -> str:
    return _b64(hmac.new(key, payload.encode(), hashlib.sha256).digest())


def make_link_token(*, session: Session, settings: Settings, user_id: str, now: datetime | None = None) -> str:
    """A signed, single-use sign-in token for someone allowed in the console."""
    console_scope(session, Actor(user_id))  # no link for someone who would only get 403s
    expires = aware(now) + timedelta(minutes=settings.badger_console_link_minutes)
    body = _b64(json.dumps({"u": user_id, "j": secrets.token_hex(16), "e": int(expires.timestamp())}).encode())
    return f"{body}.{_sign(signing_key(settings), body)}"


def redeem_link_token(*, session: Session, settings: Settings, token: str, now: datetime | None = None) -> str:
    """The user id a valid, unexpired, unused token names; marks it used. Every failure reads the same."""
    body, _, signature = token.strip().partition(".")
    if not body or not hmac.compare_digest(signature, _sign(signing_key(settings), body)):
        raise PermissionDenied(LINK_REFUSED)
    try:
        claims = json.loads(_unb64(body))
        user_id, link_id, expires_ts = str(claims["u"]), str(claims["j"]), int(claims["e"])
    except (ValueError, KeyError, TypeError) as exc:
        raise PermissionDenied(LINK_REFUSED) from exc
    moment = aware(now)
    if moment.timestamp() >= expires_ts:
        raise PermissionDenied(LINK_REFUSED)
    # The primary key makes the link single-use across replicas: a second insert fails (the caller rolls back).
    session.exec(delete(ConsoleLinkUse).where(col(ConsoleLinkUse.expires_at) < moment))  # expired: harmless
    session.add(ConsoleLinkUse(link_id=link_id, user_id=user_id, used_at=moment,
                               expires_at=datetime.fromtimestamp(expires_ts, moment.tzinfo)))
    try:
        session.flush()
    except IntegrityError as exc:
        raise PermissionDenied(LINK_REFUSED) from exc
    return user_id


@dataclass(frozen=True)
class SignedIn:
    """A fresh session: the cookie value (shown once) and its CSRF token."""

    token: str
    csrf_token: str
    user_id: str


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def start_session(*, session: Session, settings: Settings, user_id: str, how: str,
                  now: datetime | None = None) -> SignedIn:
    """Open a console session for someone allowed in (checked again here) and audit the sign-in."""
    console_scope(session, Actor(user_id))
    moment = aware(now)
    token, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
    session.add(ConsoleSession(token_hash=_hash(token), user_id=user_id, csrf_token=csrf, created_at=moment,
                               expires_at=moment + timedelta(hours=settings.badger_console_session_hours)))
    session.add(AdminAction(actor_id=user_id, action="console.sign_in", subject=user_id, detail=how, at=moment))
    session.exec(delete(ConsoleSession).where(col(ConsoleSession.expires_at) < moment))
    session.flush()
    return SignedIn(token=token, csrf_token=csrf, user_id=user_id)


def current_session(session: Session, token: str | None, now: datetime | None = None) -> ConsoleSession | None:
    """The live session for a cookie value, or None."""
    if not token:
        return None
    row = session.get(ConsoleSession, _hash(token))
    if row is None or aware(row.expires_at) <= aware(now):
        return None
    acting_employee(session, Actor(row.user_id))
    return row


def end_session(session: Session, token: str | None) -> None:
    """Sign out: the session row goes, so every replica forgets it."""
    if token:
        session.exec(delete(ConsoleSession).where(col(ConsoleSession.token_hash) == _hash(token)))


class RateLimit:
    """At most `limit` attempts per key in a sliding minute (per process; sign-in links are single-use anyway)."""

    def __init__(self, limit: int, window_seconds: float = 60.0) -> None:
        self.limit, self.window = limit, window_seconds
        self._seen: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def check(self, key: str) -> None:
        """Count an attempt; refuse it when the key has used up its minute."""
        now = time.monotonic()
        with self._lock:
            seen = self._seen.setdefault(key, deque())
            while seen and seen[0] <= now - self.window:
                seen.popleft()
            if len(seen) >= self.limit:
                raise ValidationFailed("Too many sign-in attempts; wait a minute and try again.")
            seen.append(now)
            if len(self._seen) > 10_000:  # forget idle clients
                self._seen = {k: v for k, v in self._seen.items() if v}
