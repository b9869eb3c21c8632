"""`credentialSchema`: JSON Schema validation against the schemas shipped in skills/badges/schemas/, never fetched."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from functools import cache
from pathlib import Path
from typing import Any

from jsonschema import Draft201909Validator
from jsonschema.exceptions import ValidationError, best_match
from referencing import Registry, Resource

from skills.badges.result import CheckFailed

SCHEMA_DIR = Path(__file__).parent / "schemas"
# 1EdTech's type (OB 3.0, VCCS 1.0) and the VC 2.0 JSON Schema type; both name a plain JSON Schema by URL.
VALIDATED_TYPES = ("1EdTechJsonSchemaValidator2019", "JsonSchema")
MAX_REPORTED = 3
_VERSION_SUFFIX = re.compile(r"-\d+(?:\.\d+)*(?=\.json$)")  # ..._schema-3.0.3.json -> ..._schema.json
_REQUIRED = re.compile(r"^'(.+)' is a required property$")
_KINDS = {"object": "an object", "array": "a list", "string": "a string", "number": "a number",
          "integer": "an integer", "boolean": "true or false", "null": "null"}


@cache
def schema_index() -> dict[str, str]:
    """The official schema URL -> shipped file map."""
    index: dict[str, str] = json.loads((SCHEMA_DIR / "INDEX.json").read_text(encoding="utf-8"))
    return index


def _load(name: str) -> dict[str, Any]:
    document: dict[str, Any] = json.loads((SCHEMA_DIR / name).read_text(encoding="utf-8"))
    return document


@cache
def _registry() -> Registry[Any]:
    documents = [_load(file.name) for file in sorted(SCHEMA_DIR.glob("ob_*.json"))]
    return Registry().with_resources((d["$id"], Resource.from_contents(d)) for d in documents)


@cache
def _validator(name: str) -> Any:
    return Draft201909Validator(_load(name), registry=_registry())


def shipped_schema(url: str) -> str | None:
    """The shipped file for an official schema URL (with or without a version suffix), or None."""
    base = url.split("#", 1)[0].strip()
    index = schema_index()
    return index.get(base) or index.get(_VERSION_SUFFIX.sub("", base))


def json_path(parts: Iterable[str | int]) -> str:
    """A JSON path such as `credentialSubject.achievement.criteria` or `endorsement[0]`."""
    text = ""
    for part in parts:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


def _leaf(error: ValidationError) -> ValidationError:
    while error.context:
        error = best_match(error.context)
    return error


def _reason(error: ValidationError) -> str:
    rule, value = error.validator, error.validator_value
    if rule == "type":
        kinds = value if isinstance(value, list) else [value]
        return "must be " + " or ".join(_KINDS.get(str(k), str(k)) for k in kinds)
    if rule == "const":
        return f"must be {json.dumps(value)}"
    if rule == "enum":
        return "must be one of " + ", ".join(json.dumps(v) for v in value)
    if rule == "contains" and isinstance(value, dict):
        wanted = [value["const"]] if "const" in value else value.get("enum", [])
        return "must include " + " or ".join(json.dumps(v) for v in wanted)
    if rule == "minItems":
        return f"must have at least {value} items"
    if rule == "pattern":
        described = error.schema.get("description") if isinstance(error.schema, dict) else None
        return f"must be {str(described).rstrip('.')}" if described else "is not in the expected form"
    return str(error.message)[:200]


def describe_error(error: ValidationError) -> str:
    """`path: reason` for one schema violation."""
    error = _leaf(error)
    path = list(error.absolute_path)
    missing = _REQUIRED.match(error.message) if error.validator == "required" else None
    if missing:
        return f"{json_path([*path, missing.group(1)])}: required property missing"
    return f"{json_path(path) or '(the credential)'}: {_reason(error)}"


def schema_problems(credential: dict[str, Any], file_name: str) -> list[str]:
    """Every violation of a shipped schema, as `path: reason` lines sorted by path."""
    found = {describe_error(e) for e in _validator(file_name).iter_errors(credential)}
    return sorted(found)


def _declared(credential: dict[str, Any]) -> list[Any]:
    value = credential.get("credentialSchema")
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def check_credential_schema(credential: dict[str, Any]) -> str:
    """Validate against each declared schema Badger ships; CheckFailed("credential_schema") names path and reason."""
    declared = _declared(credential)
    if not declared:
        return "none declared"
    validated: list[str] = []
    skipped: list[str] = []
    for entry in declared:
        if not isinstance(entry, dict) or not all(isinstance(entry.get(k), str) for k in ("id", "type")):
            raise CheckFailed("credential_schema", "each credentialSchema entry needs an id and a type")
        schema_id, schema_type = entry["id"], entry["type"]
        if schema_type not in VALIDATED_TYPES:
            skipped.append(f"{schema_id} is a {schema_type} schema, which Badger does not validate")
            continue
        file_name = shipped_schema(schema_id)
        if file_name is None:
            skipped.append(f"{schema_id} is not shipped (schemas are never fetched)")
            continue
        problems = schema_problems(credential, file_name)
        if problems:
            more = f" (and {len(problems) - MAX_REPORTED} more)" if len(problems) > MAX_REPORTED else ""
            raise CheckFailed("credential_schema", "; ".join(problems[:MAX_REPORTED]) + more
                              + f" (against {schema_id.rsplit('/', 1)[-1]})")
        validated.append(schema_id)
    parts = ["validated against " + ", ".join(dict.fromkeys(validated))] if validated else []
    parts += [f"not checked: {reason}" for reason in skipped]
    return "; ".join(parts)
