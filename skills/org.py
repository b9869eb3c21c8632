"""Loading the org chart (CSV or YAML) and role skill profiles (YAML), all or nothing."""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from importlib.resources import files
from pathlib import Path
from typing import Any

import yaml
from sqlmodel import Session, col, delete, select

from core.clock import zone
from knowledge.language import locale_language
from skills.errors import ValidationFailed
from skills.models import Employee, RoleSkill, utcnow
from skills.normalise import normalise_role, normalise_skill

REQUIRED_COLUMNS = ("user_id", "name", "email", "role", "team", "manager_id")
OPTIONAL_COLUMNS = ("timezone", "is_admin", "shoutout_opt_out", "language")
_SLACK_ID = re.compile(r"^[UW][A-Z0-9]{2,39}$")
_TRUE = {"true", "yes", "y", "1"}
_FALSE = {"false", "no", "n", "0", ""}


def demo_file(name: str) -> Path:
    """A file shipped in skills/demo (org.csv, roles.yaml)."""
    return Path(str(files("skills") / "demo" / name))


@dataclass(frozen=True)
class OrgLoad:
    """What an org load changed."""

    created: int
    updated: int


def _read_rows(path: Path) -> list[tuple[str, dict[str, Any]]]:
    """(location, record) pairs; CSV rows are numbered as lines, with the header on line 1."""
    if not path.is_file():
        raise ValidationFailed(f"{path}: no such file.")
    suffix = path.suffix.lower()
    if suffix == ".csv":
        with path.open(newline="", encoding="utf-8-sig") as handle:
            reader = csv.DictReader(handle)
            header = [h.strip() for h in reader.fieldnames or []]
            missing = [c for c in REQUIRED_COLUMNS if c not in header]
            unknown = [c for c in header if c not in REQUIRED_COLUMNS + OPTIONAL_COLUMNS]
            if missing or unknown:
                raise ValidationFailed(
                    f"{path.name}:row 1: the header must be {','.join(REQUIRED_COLUMNS)}"
                    + (f" (missing: {', '.join(missing)})" if missing else "")
                    + (f" (unknown: {', '.join(unknown)})" if unknown else "")
                )
            return [
                (f"row {i}", {k.strip(): v for k, v in r.items() if k}) for i, r in enumerate(reader, start=2)
            ]
    if suffix in (".yaml", ".yml"):
        try:
            data = yaml.safe_load(path.read_text(encoding="utf-8"))
        except yaml.YAMLError as exc:
            raise ValidationFailed(f"{path.name}: not valid YAML ({exc.__class__.__name__}).") from exc
        if isinstance(data, dict):
            data = data.get("people", data.get("employees"))
        if not isinstance(data, list) or not all(isinstance(r, dict) for r in data):
            raise ValidationFailed(
                f"{path.name}: expected a list of people (or a mapping with a `people` list)."
            )
        return [(f"entry {i}", r) for i, r in enumerate(data, start=1)]
    raise ValidationFailed(f"{path.name}: an org file is .csv, .yaml or .yml.")


def _text(record: dict[str, Any], key: str) -> str:
    value = record.get(key)
    return "" if value is None else str(value).strip()


def _parse_person(where: str, record: dict[str, Any], problems: list[str]) -> Employee:
    unknown = sorted(set(record) - set(REQUIRED_COLUMNS + OPTIONAL_COLUMNS))
    if unknown:
        problems.append(f"{where}: {unknown[0]}: unknown field (expected {', '.join(REQUIRED_COLUMNS)})")
    user_id, name, email = _text(record, "user_id"), _text(record, "name"), _text(record, "email")
    if not _SLACK_ID.match(user_id):
        problems.append(f"{where}: user_id: {user_id!r} is not a Slack user id (like U012ABCDEF)")
    if not name:
        problems.append(f"{where}: name: required")
    if email and not re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", email):
        problems.append(f"{where}: email: {email!r} is not an email address")
    timezone = _text(record, "timezone") or "UTC"
    if zone(timezone) is None:
        problems.append(f"{where}: timezone: {timezone!r} is not an IANA time zone (like Europe/London)")
    language = locale_language(_text(record, "language")) if _text(record, "language") else None
    if _text(record, "language") and language is None:
        problems.append(f"{where}: language: {_text(record, 'language')!r} is not a language (like en or Spanish)")
    flags = {}
    for flag in ("is_admin", "shoutout_opt_out"):
        raw = _text(record, flag).lower()
        if raw not in _TRUE | _FALSE:
            problems.append(f"{where}: {flag}: {raw!r} is not true or false")
        flags[flag] = raw in _TRUE
    return Employee(
        user_id=user_id,
        name=name,
        email=email or None,
        role=_text(record, "role") or None,
        team=_text(record, "team") or None,
        manager_id=_text(record, "manager_id") or None,
        timezone=timezone,
        is_admin=flags["is_admin"],
        shoutout_opt_out=flags["shoutout_opt_out"],
        language=language,
    )


def _check_chain(
    people: dict[str, tuple[str, Employee]], known: dict[str, str | None], problems: list[str]
) -> None:
    """Unknown managers and cycles; `known` maps every user id (file over database) to its manager."""
    for user_id, (where, person) in people.items():
        if person.manager_id is None:
            continue
        if person.manager_id == user_id:
            problems.append(f"{where}: manager_id: {user_id} cannot be their own manager")
        elif person.manager_id not in known:
            problems.append(f"{where}: manager_id: {person.manager_id} is neither in this file nor in Badger")
    reported: set[frozenset[str]] = set()
    for user_id, (where, _) in people.items():
        path: list[str] = []
        node: str | None = user_id
        while node is not None and node in known and node not in path:
            path.append(node)
            node = known[node]
        if node is None or node not in path:
            continue
        cycle = path[path.index(node) :]
        if user_id in cycle and len(cycle) > 1 and frozenset(cycle) not in reported:
            reported.add(frozenset(cycle))
            problems.append(f"{where}: manager_id: management cycle {' -> '.join([*cycle, node])}")


def _insertion_order(people: dict[str, tuple[str, Employee]]) -> list[Employee]:
    """Managers before their reports, so foreign keys hold at every insert."""
    ordered: list[Employee] = []
    seen: set[str] = set()

    def visit(user_id: str) -> None:
        if user_id in seen or user_id not in people:
            return
        seen.add(user_id)
        manager = people[user_id][1].manager_id
        if manager is not None:
            visit(manager)
        ordered.append(people[user_id][1])

    for user_id in people:
        visit(user_id)
    return ordered


def load_org(session: Session, path: Path) -> OrgLoad:
    """Validate the whole org file, then create or update everyone in it; any problem changes nothing."""
    problems: list[str] = []
    people: dict[str, tuple[str, Employee]] = {}
    for where, record in _read_rows(path):
        person = _parse_person(f"{path.name}:{where}", record, problems)
        if person.user_id in people:
            first = people[person.user_id][0]
            problems.append(f"{path.name}:{where}: user_id: {person.user_id} already appears at {first}")
        elif person.user_id:
            people[person.user_id] = (f"{path.name}:{where}", person)
    existing = {e.user_id: e for e in session.exec(select(Employee))}
    known: dict[str, str | None] = {uid: e.manager_id for uid, e in existing.items()}
    known.update({uid: p.manager_id for uid, (_, p) in people.items()})
    _check_chain(people, known, problems)
    if problems:
        raise ValidationFailed(f"{path.name} was not loaded: {len(problems)} problem(s).", problems)
    created = updated = 0
    for person in _insertion_order(people):
        current = existing.get(person.user_id)
        if current is None:
            session.add(person)
            created += 1
        else:
            for field in (
                "name",
                "email",
                "role",
                "team",
                "manager_id",
                "timezone",
                "is_admin",
                "shoutout_opt_out",
                "language",
            ):
                setattr(current, field, getattr(person, field))
            current.updated_at = utcnow()
            session.add(current)
            updated += 1
        session.flush()
    return OrgLoad(created=created, updated=updated)


def load_role_profiles(session: Session, path: Path) -> int:
    """Replace the skill profiles of every role in the YAML file; returns how many roles were loaded."""
    if not path.is_file():
        raise ValidationFailed(f"{path}: no such file.")
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise ValidationFailed(f"{path.name}: not valid YAML ({exc.__class__.__name__}).") from exc
    roles = data.get("roles") if isinstance(data, dict) else data
    if not isinstance(roles, list):
        raise ValidationFailed(f"{path.name}: expected a `roles` list.")
    problems: list[str] = []
    rows: dict[str, list[RoleSkill]] = {}
    for i, entry in enumerate(roles, start=1):
        where = f"{path.name}:entry {i}"
        role = str(entry.get("role", "")).strip() if isinstance(entry, dict) else ""
        skills = entry.get("skills") if isinstance(entry, dict) else None
        if not role:
            problems.append(f"{where}: role: required")
            continue
        if normalise_role(role) in rows:
            problems.append(f"{where}: role: {role!r} appears twice")
            continue
        if not isinstance(skills, list) or not skills:
            problems.append(f"{where}: skills: a non-empty list is required")
            continue
        seen: dict[str, RoleSkill] = {}
        for position, skill in enumerate(skills):
            name = str(skill.get("name", "") if isinstance(skill, dict) else skill).strip()
            source = str(skill.get("source", "")) if isinstance(skill, dict) else ""
            if not name:
                problems.append(f"{where}: skills[{position}]: a skill needs a name")
                continue
            key = normalise_skill(name)
            seen.setdefault(
                key,
                RoleSkill(
                    role_key=normalise_role(role),
                    skill_key=key,
                    role=role,
                    skill=name,
                    source=source,
                    position=position,
                ),
            )
        rows[normalise_role(role)] = list(seen.values())
    if problems:
        raise ValidationFailed(f"{path.name} was not loaded: {len(problems)} problem(s).", problems)
    session.exec(delete(RoleSkill).where(col(RoleSkill.role_key).in_(list(rows))))
    for role_rows in rows.values():
        session.add_all(role_rows)
    session.flush()
    return len(rows)
