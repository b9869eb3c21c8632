"""Read catalogue files (YAML, JSON, JSON Lines, CSV) into validated records, naming every problem."""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from knowledge.schema import CANONICAL_FIELDS, CredentialRecord, FieldError, validate_record

MAX_FILE_BYTES = 200 * 1024 * 1024
SUFFIXES = {".yaml": "yaml", ".yml": "yaml", ".json": "json", ".jsonl": "jsonl", ".ndjson": "jsonl", ".csv": "csv"}


@dataclass(frozen=True)
class RawRecord:
    """A record as read from a file, before validation, with where it came from."""

    source: Path
    location: str
    data: dict[str, Any]


@dataclass(frozen=True)
class LoadIssue:
    """One problem found in the input: which file, which record, which field, and why."""

    source: str
    location: str
    reason: str
    record_id: str | None = None
    field: str | None = None

    def __str__(self) -> str:
        where = f"{self.source}"
        if self.location:
            where += f" {self.location}"
        if self.record_id:
            where += f" (id {self.record_id!r})"
        what = f"field '{self.field}' {self.reason}" if self.field else self.reason
        return f"{where}: {what}"


@dataclass
class ParsedCatalogue:
    """The valid records of a set of files and the issues found in the rest."""

    records: list[tuple[RawRecord, CredentialRecord]] = field(default_factory=list)
    issues: list[LoadIssue] = field(default_factory=list)
    sources: list[Path] = field(default_factory=list)


class FileError(Exception):
    """A whole file could not be read."""


@dataclass(frozen=True)
class FieldMap:
    """`--map FIELD=COLUMN` renames and `--default FIELD=VALUE` fills, for foreign files."""

    columns: Mapping[str, str] = field(default_factory=dict)
    defaults: Mapping[str, str] = field(default_factory=dict)

    @classmethod
    def parse(cls, maps: list[str] | None, defaults: list[str] | None = None) -> FieldMap:
        """Parse FIELD=COLUMN (and FIELD=VALUE) pairs, raising ValueError on malformed ones."""
        return cls(columns=_pairs(maps or [], "--map"), defaults=_pairs(defaults or [], "--default"))

    def apply(self, row: dict[str, Any]) -> dict[str, Any]:
        """Rename mapped columns to canonical fields, then fill defaults for missing fields."""
        if not self.columns and not self.defaults:
            return row
        # A mapped column is consumed, unless it is a canonical field in its own right (--map id=url keeps url).
        out = {key: value for key, value in row.items()
               if key not in self.columns.values() or key in CANONICAL_FIELDS}
        for target, column in self.columns.items():
            if "+" in column:
                parts = [str(row.get(part.strip()) or "") for part in column.split("+")]
                out[target] = _slug("-".join(p for p in parts if p))
            else:
                out[target] = row.get(column)
        for target, value in self.defaults.items():
            if out.get(target) in (None, ""):
                out[target] = value
        return out

    def missing_columns(self, columns: list[str]) -> list[str]:
        """Columns named by --map that the file does not have."""
        wanted = [part.strip() for column in self.columns.values() for part in column.split("+")]
        return [column for column in wanted if column not in columns]


def _pairs(items: list[str], option: str) -> dict[str, str]:
    pairs: dict[str, str] = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep or not key.strip() or not value.strip():
            raise ValueError(f"{option} expects FIELD=VALUE, got {item!r}")
        pairs[key.strip()] = value.strip()
    return pairs


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def detect_format(path: Path) -> str:
    """The file's format from its suffix, or FileError listing the supported ones."""
    kind = SUFFIXES.get(path.suffix.lower())
    if kind is None:
        raise FileError(f"unsupported file type {path.suffix or '(none)'!r}; use .yaml, .yml, .json, .jsonl or .csv")
    return kind


def read_text(path: Path) -> str:
    """Read a whole file as UTF-8, with errors that say where the bad bytes are."""
    if not path.exists():
        raise FileError("file not found")
    if path.is_dir():
        raise FileError("is a directory, not a file")
    size = path.stat().st_size
    if size == 0:
        raise FileError("file is empty")
    if size > MAX_FILE_BYTES:
        raise FileError(f"file is {size / 1e6:.0f} MB; the limit is {MAX_FILE_BYTES / 1e6:.0f} MB")
    data = path.read_bytes()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        bad = data[exc.start]
        raise FileError(f"is not UTF-8: byte 0x{bad:02x} at line {line}; re-save the file as UTF-8") from None
    if not text.strip():
        raise FileError("file is empty")
    return text


class _LineLoader(yaml.SafeLoader):
    """A YAML loader that remembers the line where each mapping starts."""


def _construct_mapping(loader: _LineLoader, node: yaml.MappingNode) -> dict[str, Any]:
    mapping = {str(key): value for key, value in loader.construct_mapping(node, deep=True).items()}
    mapping["__line__"] = node.start_mark.line + 1
    return mapping


_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def _items(kind: str, text: str, fmap: FieldMap) -> Iterator[tuple[str, Any]]:
    if kind == "jsonl":
        for number, line in enumerate(text.splitlines(), start=1):
            if not line.strip():
                continue
            try:
                yield f"line {number}", fmap.apply(_mapping(json.loads(line)))
            except json.JSONDecodeError as exc:
                yield f"line {number}", FileError(f"is not valid JSON ({exc.msg} at column {exc.colno})")
        return
    if kind == "csv":
        yield from _csv_items(text, fmap)
        return
    if kind == "json":
        try:
            document = json.loads(text)
        except json.JSONDecodeError as exc:
            raise FileError(f"is not valid JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}") from None
    else:
        try:
            document = yaml.load(text, Loader=_LineLoader)  # noqa: S506 - a SafeLoader subclass
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            where = f" at line {mark.line + 1}" if mark is not None else ""
            raise FileError(f"is not valid YAML{where}: {getattr(exc, 'problem', exc)}") from None
    if isinstance(document, dict) and "credentials" in document:
        document = document["credentials"]
    if not isinstance(document, list):
        raise FileError("must hold a list of records (or a mapping with a 'credentials' list)")
    if not document:
        raise FileError("holds no records")
    for index, item in enumerate(document, start=1):
        location = f"record {index}"
        if isinstance(item, dict) and "__line__" in item:
            location = f"line {item.pop('__line__')}"
        yield location, fmap.apply(_mapping(item)) if isinstance(item, dict) else item


def _mapping(value: Any) -> Any:
    """Drop the line markers the YAML loader adds to every mapping, nested ones included."""
    if isinstance(value, dict):
        return {key: _mapping(item) for key, item in value.items() if key != "__line__"}
    if isinstance(value, list):
        return [_mapping(item) for item in value]
    return value


def _csv_items(text: str, fmap: FieldMap) -> Iterator[tuple[str, Any]]:
    reader = csv.DictReader(io.StringIO(text, newline=""))
    header = reader.fieldnames or []
    if not header:
        raise FileError("has no header row")
    missing = fmap.missing_columns(list(header))
    if missing:
        named = ", ".join(repr(m) for m in missing)
        raise FileError(f"has no column {named} named by --map; columns: {', '.join(header)}")
    start = reader.line_num + 1
    try:
        for row in reader:
            if None in row:
                count = len(header) + len(row[None])
                yield f"line {start}", FileError(f"has {count} values but the header has {len(header)}")
            else:
                yield f"line {start}", fmap.apply({str(k): v for k, v in row.items()})
            start = reader.line_num + 1
    except csv.Error as exc:
        raise FileError(f"is not valid CSV near line {reader.line_num}: {exc}") from None


def parse_files(paths: list[Path], fmap: FieldMap | None = None) -> ParsedCatalogue:
    """Read and validate every record of every file; duplicate ids across files are issues too."""
    fmap = fmap or FieldMap()
    parsed = ParsedCatalogue()
    seen: dict[str, str] = {}
    for path in paths:
        parsed.sources.append(path)
        name = str(path)
        try:
            kind = detect_format(path)
            items = list(_items(kind, read_text(path), fmap))
        except FileError as exc:
            parsed.issues.append(LoadIssue(source=name, location="", reason=str(exc)))
            continue
        if not items:
            parsed.issues.append(LoadIssue(source=name, location="", reason="holds no records"))
        for location, item in items:
            raw_id = item.get("id") if isinstance(item, dict) else None
            record_id = str(raw_id) if isinstance(raw_id, str | int) and str(raw_id).strip() else None
            if isinstance(item, FileError):
                parsed.issues.append(LoadIssue(source=name, location=location, reason=str(item)))
                continue
            try:
                record = validate_record(item)
            except FieldError as exc:
                parsed.issues.append(LoadIssue(name, location, exc.reason, record_id, exc.field))
                continue
            here = f"{name} {location}"
            if record.id in seen:
                parsed.issues.append(
                    LoadIssue(name, location, f"duplicate id; first seen at {seen[record.id]}", record.id, "id")
                )
                continue
            seen[record.id] = here
            parsed.records.append((RawRecord(path, location, item), record))
    return parsed
