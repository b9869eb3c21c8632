"""Build the scale-benchmark catalogue: every public course list in ../shared plus generated variants.

The real records come from ``../shared/data/catalogues/``: the two canonical Coursera JSON Lines
files as they are, and ``udemy_courses.csv`` converted to the canonical layout. Duplicate ids keep
their first occurrence. Generated variants then fill the catalogue up to exactly N records
("<title> — Part 2", a cohort run, a later edition; another level, cost and duration; the
description's sentences reordered), cycling over the real records in a seeded order, so the
output is the same on every run and the mix of passage lengths follows the real data.

    python -m bench.make_scale_catalogue OUT.jsonl [--records 10000] [--seed 7]
"""

from __future__ import annotations

import argparse
import csv
import json
import random
import re
import sys
from pathlib import Path
from typing import Any

from knowledge.schema import FieldError, validate_record

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
CATALOGUES = SHARED / "data" / "catalogues"
DEFAULT_RECORDS = 10_000
DEFAULT_SEED = 7
# Exit code for "cannot run here" (no ../shared); bench/run.py reports it as skipped, not failed.
SKIP_EXIT = 3

_UDEMY_LEVELS = {"all levels": None, "beginner level": "beginner", "intermediate level": "intermediate",
                 "expert level": "advanced"}
_SENTENCE = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9\"'(])")
_LEVELS = ("beginner", "intermediate", "advanced", None)
_COSTS = (0.0, 0.0, 19.99, 49.0, 99.0, 199.0, None)
_HOURS = (1.5, 4.0, 8.0, 12.0, 20.0, 40.0, None)
_COHORTS = ("Spring", "Summer", "Autumn", "Winter")


class SharedDataMissing(SystemExit):
    """../shared (or one of its course lists) is not next to the project root."""

    def __init__(self, missing: Path) -> None:
        super().__init__(SKIP_EXIT)
        self.message = (f"the scale benchmark needs the public course lists in {CATALOGUES} "
                        f"(../shared next to the project root); {missing} is missing")


def _require(path: Path) -> Path:
    if not path.exists():
        raise SharedDataMissing(path)
    return path


def _float(text: str) -> float | None:
    try:
        return float(text.strip().replace(",", ""))
    except ValueError:
        return None


def _udemy_record(row: dict[str, str]) -> dict[str, Any]:
    price = (row.get("price") or "").strip()
    is_paid = (row.get("is_paid") or "").strip().lower()
    cost = 0.0 if price.lower() == "free" or is_paid == "false" else _float(price)
    record: dict[str, Any] = {
        "id": f"udemy-{row['course_id'].strip()}",
        "title": " ".join((row.get("course_title") or "").split()),
        "provider": "Udemy",
        "url": (row.get("url") or "").strip() or None,
        "cost": cost,
        "currency": "USD",
        "duration_hours": _float(row.get("content_duration") or ""),
        "level": _UDEMY_LEVELS.get((row.get("level") or "").strip().lower()),
        "tags": [row["subject"].strip()] if (row.get("subject") or "").strip() else [],
        "format": "online",
        "credential_type": "course",
    }
    return {key: value for key, value in record.items() if value not in (None, "", [])}


def real_records() -> list[dict[str, Any]]:
    """Every valid record of the public course lists, canonical, first occurrence of each id."""
    raw: list[dict[str, Any]] = []
    for name in ("coursera_partner_descriptions.jsonl", "coursera_partner_skills.jsonl"):
        text = _require(CATALOGUES / name).read_text(encoding="utf-8")
        raw.extend(json.loads(line) for line in text.splitlines() if line.strip())
    with _require(CATALOGUES / "udemy_courses.csv").open(encoding="utf-8", newline="") as handle:
        raw.extend(_udemy_record(row) for row in csv.DictReader(handle))
    seen: set[str] = set()
    out: list[dict[str, Any]] = []
    for item in raw:
        try:
            record = validate_record(item)
        except FieldError as exc:
            print(f"make_scale_catalogue: skipped {item.get('id')!r}: {exc.field} {exc.reason}", file=sys.stderr)
            continue
        if record.id in seen:
            continue
        seen.add(record.id)
        out.append(item)
    return out


def _reworded(description: str, rng: random.Random) -> str:
    sentences = [s for s in _SENTENCE.split(description.strip()) if s]
    if len(sentences) < 2:
        return description
    shuffled = sentences[:]
    rng.shuffle(shuffled)
    if shuffled == sentences:
        shuffled = sentences[1:] + sentences[:1]
    return " ".join(shuffled)


def _variant(base: dict[str, Any], number: int, rng: random.Random) -> dict[str, Any]:
    kind = rng.choice(("part", "cohort", "edition"))
    title = str(base["title"])
    if kind == "part":
        title = f"{title} — Part {number + 1}"
    elif kind == "cohort":
        title = f"{title} — {rng.choice(_COHORTS)} {2024 + number % 3} cohort"
    else:
        title = f"{title} ({2024 + number % 3} edition)"
    variant: dict[str, Any] = {"id": f"{base['id']}--{kind}-{number + 1}"}
    variant.update((key, value) for key, value in base.items() if key != "id")
    variant["title"] = title
    level = base.get("level")
    variant["level"] = rng.choice([lvl for lvl in _LEVELS if lvl != level])
    variant["cost"] = rng.choice(_COSTS)
    variant["duration_hours"] = rng.choice(_HOURS)
    if kind == "edition" and rng.random() < 0.3:
        variant["provider"] = f"{base['provider']} Executive Education"
    if base.get("description"):
        variant["description"] = _reworded(str(base["description"]), rng)
    for name in ("skills", "tags"):
        items = list(base.get(name) or [])
        if len(items) > 2:
            rng.shuffle(items)
            items = items[: len(items) - 1]
        if items:
            variant[name] = items
    if base.get("url"):
        separator = "&" if "?" in str(base["url"]) else "?"
        variant["url"] = f"{base['url']}{separator}variant={number + 1}"
    return {key: value for key, value in variant.items() if value is not None}


def build(records: int = DEFAULT_RECORDS, seed: int = DEFAULT_SEED) -> tuple[list[dict[str, Any]], int]:
    """Exactly `records` canonical records, the real ones first, then seeded variants; and how many are real."""
    real = real_records()
    if records <= len(real):
        return real[:records], records
    rng = random.Random(seed)
    order = list(range(len(real)))
    rng.shuffle(order)
    out = list(real)
    ids = {str(item["id"]) for item in real}
    made: dict[int, int] = {}
    step = 0
    while len(out) < records:
        position = order[step % len(order)]
        step += 1
        number = made.get(position, 0) + 1
        made[position] = number
        variant = _variant(real[position], number, rng)
        while variant["id"] in ids:  # a real id that happens to look like a variant's
            variant["id"] += "-x"
        validate_record(variant)  # never write a record the loader would refuse
        ids.add(variant["id"])
        out.append(variant)
    return out, len(real)


def write(path: Path, records: int = DEFAULT_RECORDS, seed: int = DEFAULT_SEED) -> int:
    """Write the catalogue as JSON Lines; returns how many real (not generated) records it holds."""
    items, real = build(records, seed)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8") as handle:
        for item in items:
            handle.write(json.dumps(item, ensure_ascii=False) + "\n")
    return real


def main(argv: list[str] | None = None) -> None:
    """Command line: write the catalogue to OUT."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path, help="where to write the JSON Lines catalogue")
    parser.add_argument("--records", type=int, default=DEFAULT_RECORDS, help="how many records (default 10,000)")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help="seed of the generated variants")
    args = parser.parse_args(argv)
    try:
        real = write(args.out, args.records, args.seed)
    except SharedDataMissing as exc:
        print(f"make_scale_catalogue: {exc.message}", file=sys.stderr)
        raise
    print(f"wrote {args.records:,} records to {args.out} ({real:,} real, {args.records - real:,} generated)")


if __name__ == "__main__":
    main()
