"""Resolve what the user points at: "the second one", "the AWS one", a credential id, a colleague's name."""

from __future__ import annotations

import re
from collections.abc import Sequence

from sqlmodel import Session, col, select

from core.errors import NotFoundError
from knowledge.schema import Described
from skills.errors import ValidationFailed
from skills.models import Employee

_ORDINALS = {"first": 1, "1st": 1, "second": 2, "2nd": 2, "third": 3, "3rd": 3, "fourth": 4, "4th": 4,
             "fifth": 5, "5th": 5, "sixth": 6, "seventh": 7, "eighth": 8, "ninth": 9, "tenth": 10}
_POINTERS = {"", "it", "that", "this", "that one", "this one", "the one"}
_NOISE = {"the", "one", "ones", "course", "class", "credential", "badge", "program", "programme", "a", "an", "my",
          "in", "on", "for", "about", "please", "thing", "certificate", "specialization", "specialisation"}


def position(ref: str, count: int) -> int | None:
    """The 0-based position a reference names in a list of `count` ("2", "#2", "the second one", "the last one")."""
    text = ref.lower().strip(" ?.!")
    if m := re.fullmatch(r"(?:the\s+)?(?:number\s+|no\.?\s*|#)?(\d{1,2})(?:st|nd|rd|th)?(?:\s+one)?", text):
        index = int(m.group(1)) - 1
        return index if 0 <= index < count else None
    words = text.replace("the ", "").split()
    if words and words[0] == "last" and count:
        return count - 1
    if words and words[0] in _ORDINALS:
        index = _ORDINALS[words[0]] - 1
        return index if index < count else None
    return None


def is_pointer(ref: str) -> bool:
    """True for "it", "that one" and an empty reference."""
    return ref.lower().strip(" ?.!") in _POINTERS


def _words(text: str) -> set[str]:
    return set(re.findall(r"[a-z0-9+#]+", text.lower()))


def _acronyms(text: str) -> set[str]:
    words = [w for w in re.findall(r"[A-Za-z]+", text) if w.lower() not in {"of", "the", "and", "for", "in", "to"}]
    return {"".join(w[0] for w in words).lower()} if len(words) >= 2 else set()


def match(ref: str, items: Sequence[Described], extra: dict[str, str] | None = None) -> list[Described]:
    """The items whose title, provider, id (or extra text) contain every distinctive word of the reference."""
    wanted = _words(ref) - _NOISE
    if not wanted:
        return []
    found = []
    for item in items:
        hay = _words(" ".join([item.title, item.provider, item.id.replace("-", " "), (extra or {}).get(item.id, "")]))
        hay |= _acronyms(item.provider) | _acronyms(item.title)
        if wanted <= hay:
            found.append(item)
    return found


def find_people(session: Session, name: str) -> list[Employee]:
    """Employees a name or Slack id points at: exact id, full name, or a unique first name."""
    cleaned = name.strip().lstrip("@").strip("<>@ ")
    by_id = session.get(Employee, cleaned)
    if by_id is not None:
        return [by_id]
    lowered = cleaned.lower()
    if not lowered:
        return []
    everyone = session.exec(select(Employee).order_by(col(Employee.name))).all()
    exact = [e for e in everyone if e.name.lower() == lowered]
    if exact:
        return exact
    return [e for e in everyone if e.name.lower().split()[0] == lowered.split()[0]]


def one_person(session: Session, who: str) -> Employee:
    """The one employee a Slack id or name points at; a clear error when none or several match."""
    people = find_people(session, who)
    if not people:
        raise NotFoundError(f"No one called {who!r} is in Badger's directory (try a Slack id like U0DEMOLEO1).")
    if len(people) > 1:
        names = ", ".join(f"{p.name} ({p.user_id})" for p in people[:5])
        raise ValidationFailed(f"{who!r} could be {names}; use the Slack id.")
    return people[0]
