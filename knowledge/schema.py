"""The canonical credential record and its validation rules."""

from __future__ import annotations

import hashlib
import json
import math
import re
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Protocol

LEVELS = ("beginner", "intermediate", "advanced")
FORMATS = ("online", "in-person", "hybrid")
# Values that mean "no particular level" in real partner feeds; treated as absent.
NO_LEVEL = {"", "all", "all levels", "mixed", "any", "none", "-"}
# Placeholders that partner exports use for "no value".
MISSING = {"", "-", "n/a", "na", "none", "null"}
LIST_FIELDS = ("skills", "tags")
STRING_FIELDS = ("url", "language", "credential_type", "badge_image")
CANONICAL_FIELDS = (
    "id", "title", "provider", "description", "skills", "tags", "level", "duration_hours",
    "cost", "currency", "format", "url", "language", "credential_type", "badge_image",
)
MAX_LEN = {
    "id": 200, "title": 500, "provider": 200, "description": 20_000, "url": 2_000,
    "language": 50, "credential_type": 100, "badge_image": 2_000,
}
MAX_LIST_ITEMS = 100
MAX_ITEM_LEN = 200
MAX_EXTRA_LEN = 10_000
MAX_HOURS = 10_000.0
MAX_COST = 1_000_000.0
_CURRENCY = re.compile(r"^[A-Z]{3}$")
# Issuing (kept in `extra`): who issues the badge, and for how long an issued badge is valid.
SELF_ISSUED = "self"
ISSUING_FIELDS = ("issued_by", "valid_until", "valid_for_days")
MAX_VALID_DAYS = 36_500.0


class Described(Protocol):
    """Anything that names a catalogue credential: a search hit, an entry, a row."""

    @property
    def id(self) -> str: ...
    @property
    def title(self) -> str: ...
    @property
    def provider(self) -> str: ...


class FieldError(ValueError):
    """A field failed validation; the message says why."""

    def __init__(self, field_name: str, reason: str) -> None:
        super().__init__(reason)
        self.field = field_name
        self.reason = reason


@dataclass(frozen=True)
class CredentialRecord:
    """One validated catalogue record in canonical form."""

    id: str
    title: str
    provider: str
    description: str = ""
    skills: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    level: str | None = None
    duration_hours: float | None = None
    cost: float | None = None
    currency: str = "USD"
    format: str | None = None
    url: str | None = None
    language: str | None = None
    credential_type: str | None = None
    badge_image: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        """The record as plain JSON-able data (lists, not tuples)."""
        data = {name: getattr(self, name) for name in CANONICAL_FIELDS}
        data["skills"] = list(self.skills)
        data["tags"] = list(self.tags)
        data["extra"] = self.extra
        return data

    @property
    def content_hash(self) -> str:
        """Hash of every field: changes whenever anything about the record changes."""
        return _sha(json.dumps(self.as_dict(), sort_keys=True, ensure_ascii=False))

    @property
    def embed_text(self) -> str:
        """The passage the dense index embeds for this record."""
        return embed_text(self.title, self.provider, self.skills, self.tags, self.description)

    @property
    def embed_hash(self) -> str:
        """Hash of the embedded passage: only a change here needs a new embedding."""
        return _sha(self.embed_text)


def embed_text(title: str, provider: str, skills: Any, tags: Any, description: str) -> str:
    """Compose the passage that represents a credential in the dense index."""
    parts = [f"{title} ({provider})"]
    if skills:
        parts.append("Skills: " + ", ".join(skills))
    if tags:
        parts.append("Topics: " + ", ".join(tags))
    if description:
        parts.append(description)
    return ". ".join(parts)


def _sha(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _text(name: str, value: Any, *, required: bool = False) -> str | None:
    # Placeholders mean "no value" in optional fields; a required field only fails when truly empty,
    # so real partner exports with "-" as a provider still load (and show up in stats).
    blank = {""} if required else MISSING
    if value is None or (isinstance(value, str) and value.strip().lower() in blank):
        if required:
            raise FieldError(name, "is required and missing or empty")
        return None
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise FieldError(name, f"must be a string, got {type(value).__name__}")
    if isinstance(value, float) and name == "id":
        raise FieldError(name, "must be a string, got a decimal number")
    text = str(value).strip()
    limit = MAX_LEN.get(name, MAX_EXTRA_LEN)
    if len(text) > limit:
        raise FieldError(name, f"is {len(text):,} characters long; the limit is {limit:,}")
    return text


def _number(name: str, value: Any, *, maximum: float) -> float | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool):
        raise FieldError(name, "must be a number, got a boolean")
    if isinstance(value, str):
        cleaned = value.strip().replace(",", "").lstrip("$€£")
        if name == "cost" and cleaned.lower() == "free":
            return 0.0
        try:
            number = float(cleaned)
        except ValueError:
            raise FieldError(name, f"must be a number, got {value[:40]!r}") from None
    elif isinstance(value, int | float):
        number = float(value)
    else:
        raise FieldError(name, f"must be a number, got {type(value).__name__}")
    if math.isnan(number) or math.isinf(number):
        raise FieldError(name, "must be a finite number")
    if number < 0:
        raise FieldError(name, f"must not be negative (got {number:g})")
    if number > maximum:
        raise FieldError(name, f"is implausibly large ({number:g} > {maximum:g})")
    return number


def _string_list(name: str, value: Any) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        stripped = value.strip()
        if stripped.startswith("["):
            try:
                value = json.loads(stripped)
            except json.JSONDecodeError:
                raise FieldError(name, "looks like a JSON list but does not parse") from None
        else:
            value = stripped.split(";")
    if not isinstance(value, list | tuple):
        raise FieldError(name, f"must be a list of strings (or ';'-separated text), got {type(value).__name__}")
    items: list[str] = []
    for item in value:
        if not isinstance(item, str):
            raise FieldError(name, f"must contain only strings, found {type(item).__name__}")
        cleaned = " ".join(item.split())
        if len(cleaned) > MAX_ITEM_LEN:
            raise FieldError(name, f"has an item of {len(cleaned):,} characters; the limit is {MAX_ITEM_LEN}")
        if cleaned and cleaned.lower() not in {i.lower() for i in items}:
            items.append(cleaned)
    if len(items) > MAX_LIST_ITEMS:
        raise FieldError(name, f"has {len(items)} items; the limit is {MAX_LIST_ITEMS}")
    return tuple(items)


def normalise_level(value: Any) -> str | None:
    """Map a level to beginner/intermediate/advanced, None for 'all levels'; raise if unknown."""
    text = _text("level", value)
    if text is None:
        return None
    key = " ".join(text.lower().replace("-", " ").split())
    if key == "expert level":  # Udemy's top level; a bare "expert" stays unknown
        return "advanced"
    key = key.removesuffix(" level").strip()
    if key in NO_LEVEL:
        return None
    aliases = {"introductory": "beginner", "intro": "beginner", "basic": "beginner"}
    key = aliases.get(key, key)
    if key not in LEVELS:
        raise FieldError("level", f"unknown level {text!r} (expected beginner, intermediate or advanced)")
    return key


def _format(value: Any) -> str | None:
    text = _text("format", value)
    if text is None:
        return None
    key = text.lower().replace(" ", "-").replace("_", "-")
    key = {"inperson": "in-person", "classroom": "in-person", "blended": "hybrid", "remote": "online"}.get(key, key)
    if key not in FORMATS:
        raise FieldError("format", f"unknown format {text!r} (expected online, in-person or hybrid)")
    return key


def _issuing(raw: dict[str, Any]) -> dict[str, Any]:
    """`issued_by` ("self" or the partner, the default), `valid_until` (a date) or `valid_for_days`; kept in extra."""
    found: dict[str, Any] = {}
    issuer = _text("issued_by", raw.get("issued_by"))
    if issuer is not None:
        found["issued_by"] = SELF_ISSUED if issuer.lower() == SELF_ISSUED else issuer
    until = _text("valid_until", raw.get("valid_until"))
    if until is not None:
        try:
            found["valid_until"] = date.fromisoformat(until[:10]).isoformat()
        except ValueError:
            raise FieldError("valid_until", f"must be a date like 2027-12-31, got {until[:40]!r}") from None
    days = _number("valid_for_days", raw.get("valid_for_days"), maximum=MAX_VALID_DAYS)
    if days is not None:
        if days < 1 or days != int(days):
            raise FieldError("valid_for_days", f"must be a whole number of days (1 or more), got {days:g}")
        found["valid_for_days"] = int(days)
    if "valid_until" in found and "valid_for_days" in found:
        raise FieldError("valid_until", "give valid_until or valid_for_days, not both")
    if found.get("issued_by") != SELF_ISSUED and ("valid_until" in found or "valid_for_days" in found):
        raise FieldError("valid_until", "only a credential Badger issues (issued_by: self) carries a validity")
    return found


def issuer_of(provider: str, extra: dict[str, Any]) -> str:
    """Who issues a credential's badge: "self" (Badger, for the organisation) or the partner (the default)."""
    value = str(extra.get("issued_by") or "").strip()
    return SELF_ISSUED if value.lower() == SELF_ISSUED else (value or provider)


def _extra(raw: dict[str, Any]) -> dict[str, Any]:
    extra: dict[str, Any] = _issuing(raw)
    for key, value in raw.items():
        if key in CANONICAL_FIELDS or key in ISSUING_FIELDS or value is None or value == "":
            continue
        try:
            encoded = json.dumps(value, ensure_ascii=False, default=str)
        except (TypeError, ValueError):
            raise FieldError(str(key), "is not plain data") from None
        if len(encoded) > MAX_EXTRA_LEN:
            raise FieldError(str(key), f"is {len(encoded):,} characters long; the limit is {MAX_EXTRA_LEN:,}")
        extra[str(key)] = json.loads(encoded)
    return extra


def validate_record(raw: dict[str, Any]) -> CredentialRecord:
    """Turn one raw mapping into a CredentialRecord, or raise FieldError naming the field."""
    if not isinstance(raw, dict):
        raise FieldError("(record)", f"must be a mapping of fields, got {type(raw).__name__}")
    currency = (_text("currency", raw.get("currency")) or "USD").upper()
    if not _CURRENCY.match(currency):
        raise FieldError("currency", f"must be a three-letter ISO code such as USD, got {currency!r}")
    return CredentialRecord(
        id=_text("id", raw.get("id"), required=True) or "",
        title=_text("title", raw.get("title"), required=True) or "",
        provider=_text("provider", raw.get("provider"), required=True) or "",
        description=_text("description", raw.get("description")) or "",
        skills=_string_list("skills", raw.get("skills")),
        tags=_string_list("tags", raw.get("tags")),
        level=normalise_level(raw.get("level")),
        duration_hours=_number("duration_hours", raw.get("duration_hours"), maximum=MAX_HOURS),
        cost=_number("cost", raw.get("cost"), maximum=MAX_COST),
        currency=currency,
        format=_format(raw.get("format")),
        **{name: _text(name, raw.get(name)) for name in STRING_FIELDS},
        extra=_extra(raw),
    )
