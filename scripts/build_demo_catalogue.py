"""Build the shipped demo catalogue, knowledge/demo/catalogue.yaml, from the public Coursera lists.

Sources (read from ../shared/data/catalogues when present, or --data-dir):

- coursera_partner_descriptions.jsonl: the base records (ids, titles, providers, descriptions).
- coursera_partner_skills.jsonl: skills, added where a course of the same title exists
  (case, whitespace, curly quotes and a trailing "Specialization" / "Professional Certificate"
  are ignored when matching); also fills a provider recorded as "-".
- coursera_partner_descriptions.csv (optional): the raw scrape; its syllabus text stands in for
  descriptions that are missing or truncated.

Cleaning rules:

- "-" placeholders are dropped; records with no title or no usable text at all are skipped.
- duration_hours: "Approx. N hours" -> N; months and weeks at Coursera's suggested pace of
  5 hours a week (1 month = 5 * 52 / 12 = 21.7 h, rounded to 1 decimal). The original wording
  is kept in the extra field duration_text.
- credential_type is singular ("specializations" -> "specialization").
- Anything not taken verbatim from the partner's listing is labelled in an extra field:
  description_source ("syllabus" or "summary") and provider_source
  ("coursera_partner_skills" or "manual").

The output is committed, so a clone without ../shared still has a demo catalogue; rerun this
script only to regenerate it. Nothing is downloaded.
"""

from __future__ import annotations

import argparse
import csv
import json
import re
import sys
from collections import defaultdict
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_DATA_DIR = ROOT.parent / "shared" / "data" / "catalogues"
DEFAULT_OUTPUT = ROOT / "knowledge" / "demo" / "catalogue.yaml"

HOURS_PER_WEEK = 5.0
HOURS_PER_MONTH = HOURS_PER_WEEK * 52 / 12
MIN_DESCRIPTION_CHARS = 80
MAX_SYLLABUS_CHARS = 700

# Providers the listing records as "-" and the skills list does not cover: the partner named on
# the course's public Coursera page. Each use is marked provider_source: manual.
MANUAL_PROVIDERS = {
    "data-scientists-tools": "Johns Hopkins University",
    "advanced-statistics-data-science": "Johns Hopkins University",
    "precalculus-data-modelling": "Johns Hopkins University",
    "virtual-reality": "University of London",
}

CREDENTIAL_TYPES = {
    "course": "course",
    "specializations": "specialization",
    "professional certificates": "professional certificate",
    "guided project": "guided project",
}

FIELD_ORDER = [
    "id",
    "title",
    "provider",
    "description",
    "skills",
    "tags",
    "level",
    "duration_hours",
    "cost",
    "currency",
    "format",
    "url",
    "language",
    "credential_type",
]

_SUFFIX = re.compile(r"\s+(specialization|professional certificate)$", re.IGNORECASE)
_ZERO_WIDTH = re.compile(r"[\u200b-\u200f\ufeff]")
_HOURS = re.compile(r"(\d+(?:\.\d+)?)\s*hours?", re.IGNORECASE)
_PERIOD = re.compile(r"(\d+(?:\.\d+)?)\s*(month|week)s?", re.IGNORECASE)
_SYLLABUS_NOISE = {"show all syllabus", "show all"}
_SENTENCE_ENDS = '.!?\u3002"\u201d'


def clean(text: str | None) -> str:
    """Collapse whitespace, drop zero-width characters and the "-" placeholder."""
    if text is None:
        return ""
    text = " ".join(_ZERO_WIDTH.sub("", text).split())
    return "" if text == "-" else text


def title_key(title: str) -> str:
    """A matching key: case, whitespace, curly quotes and credential suffixes ignored."""
    text = clean(title).replace("\u2019", "'").replace("\u2018", "'").lower()
    return _SUFFIX.sub("", text)


def provider_key(provider: str) -> str:
    """A loose provider key ("IBM Skills Network" ~ "IBM", "(ISC)²" ~ "ISC2")."""
    text = provider.lower().replace("skills network", "").replace("\u00b2", "2")
    return re.sub(r"[^a-z0-9]", "", text)


def duration_hours(text: str) -> float | None:
    """Hours from Coursera's duration wording, or None when it gives no number."""
    if m := _HOURS.search(text):
        value = float(m.group(1))
        return int(value) if value.is_integer() else value
    if m := _PERIOD.search(text):
        per = HOURS_PER_MONTH if m.group(2).lower() == "month" else HOURS_PER_WEEK
        return round(float(m.group(1)) * per, 1)
    return None


def syllabus_text(raw: str) -> str:
    """The raw "~.~"-separated syllabus as prose, cut at an item boundary."""
    items = [clean(part) for part in raw.split("~.~")]
    items = [i for i in items if i and i.lower() not in _SYLLABUS_NOISE]
    out = ""
    for item in items:
        piece = item if item[-1] in ".!?:" else item + "."
        candidate = f"{out} {piece}".strip()
        if len(candidate) > MAX_SYLLABUS_CHARS:
            break
        out = candidate
    return out


def is_truncated(text: str) -> bool:
    """True when the scraped description stops mid-sentence."""
    return text[-1:] not in _SENTENCE_ENDS


def describe(
    description: str, syllabus: str, rec: dict[str, Any]
) -> tuple[str, str | None]:
    """The best description available, and its source when not the partner's own text.

    Cut-off partner text is kept with an ellipsis when it says something (80+ characters)
    and dropped when it is only a stub ("Gain the"); the syllabus is appended to short or
    cut-off text; a factual summary of the record's fields is the last resort.
    """
    truncated = bool(description) and is_truncated(description)
    if truncated and len(description) < MIN_DESCRIPTION_CHARS:
        description, truncated = "", False
    base = description + ("\u2026" if truncated else "")
    if base and not truncated and len(base) >= MIN_DESCRIPTION_CHARS:
        return base, None
    if syllabus:
        return (
            f"{base} Syllabus: {syllabus}" if base else f"Syllabus: {syllabus}"
        ), "syllabus"
    if base:
        return base, None
    return summary(rec), "summary"


def load_jsonl(path: Path) -> list[dict[str, Any]]:
    """Records from a JSON Lines file."""
    with path.open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def load_syllabi(path: Path) -> dict[str, str]:
    """Raw syllabus text by course URL (first row wins; the scrape has duplicates)."""
    if not path.exists():
        return {}
    out: dict[str, str] = {}
    with path.open(encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            url = row["url"].rstrip("/")
            if url not in out and clean(row.get("syllabus")):
                out[url] = row["syllabus"]
    return out


def index_skills(rows: list[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    """Skills-list rows by title key."""
    index: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in rows:
        index[title_key(row["title"])].append(row)
    return index


def match_skills_row(
    rec: dict[str, Any], index: dict[str, list[dict[str, Any]]]
) -> dict[str, Any] | None:
    """The skills-list row for the same course: same title, and same provider when known."""
    candidates = index.get(title_key(rec["title"]), [])
    provider = clean(rec.get("provider"))
    if provider:
        candidates = [
            c
            for c in candidates
            if provider_key(c["provider"]) == provider_key(provider)
        ]
    elif len({c["provider"] for c in candidates}) > 1:
        return None
    return candidates[0] if candidates else None


def summary(rec: dict[str, Any]) -> str:
    """A one-sentence factual description assembled from the record's own fields."""
    kind = rec.get("credential_type") or "course"
    article = "an" if kind[0] in "aeiou" else "a"
    name = _SUFFIX.sub("", rec["title"])
    text = f"{name} is {article} {kind} from {rec['provider']} on Coursera"
    topics = rec.get("skills") or rec.get("tags")
    if topics:
        text += " covering " + ", ".join(topics[:6])
    return text + "."


def build_record(
    src: dict[str, Any], index: dict[str, list[dict[str, Any]]], syllabi: dict[str, str]
) -> dict[str, Any] | None:
    """One canonical demo record, or None when the source has nothing usable."""
    title = clean(src.get("title"))
    description = clean(src.get("description"))
    syllabus = syllabus_text(syllabi.get(clean(src.get("url")).rstrip("/"), ""))
    if not title or not (description or syllabus):
        return None

    rec: dict[str, Any] = {
        "id": src["id"],
        "title": title,
        "provider": clean(src.get("provider")),
    }
    extra: dict[str, Any] = {}
    skills_row = match_skills_row({"title": title, "provider": rec["provider"]}, index)
    if not rec["provider"]:
        if skills_row:
            rec["provider"], extra["provider_source"] = (
                skills_row["provider"],
                "coursera_partner_skills",
            )
        elif src["id"] in MANUAL_PROVIDERS:
            rec["provider"], extra["provider_source"] = (
                MANUAL_PROVIDERS[src["id"]],
                "manual",
            )
        else:
            return None
    rec["description"] = ""
    rec["skills"] = [clean(s) for s in (skills_row or {}).get("skills", []) if clean(s)]
    rec["tags"] = [clean(t) for t in src.get("tags") or [] if clean(t)]
    if src.get("level") in ("beginner", "intermediate", "advanced"):
        rec["level"] = src["level"]
    duration_text = clean(src.get("duration_text"))
    hours = duration_hours(duration_text) if duration_text else None
    if hours is not None:
        rec["duration_hours"] = hours
    if isinstance(src.get("cost"), int | float):
        rec["cost"] = src["cost"]
    rec["currency"] = clean(src.get("currency")) or "USD"
    rec["format"] = clean(src.get("format")) or "online"
    for field in ("url", "language"):
        if value := clean(src.get(field)):
            rec[field] = value
    kind = clean(src.get("credential_type")).lower()
    if kind:
        rec["credential_type"] = CREDENTIAL_TYPES.get(kind, kind)

    description, source = describe(description, syllabus, rec)
    if source:
        extra["description_source"] = source
    rec["description"] = description

    ordered = {k: rec[k] for k in FIELD_ORDER if k in rec}
    if duration_text:
        ordered["duration_text"] = duration_text
    return ordered | extra


def build(data_dir: Path) -> tuple[list[dict[str, Any]], list[str]]:
    """All demo records, and the ids of the source records that were skipped."""
    base = load_jsonl(data_dir / "coursera_partner_descriptions.jsonl")
    index = index_skills(load_jsonl(data_dir / "coursera_partner_skills.jsonl"))
    syllabi = load_syllabi(data_dir / "coursera_partner_descriptions.csv")
    records, skipped = [], []
    for src in base:
        rec = build_record(src, index, syllabi)
        if rec is None:
            skipped.append(src["id"])
        else:
            records.append(rec)
    ids = [r["id"] for r in records]
    if len(ids) != len(set(ids)):
        raise ValueError("duplicate ids in the source list")
    return records, skipped


def write(records: list[dict[str, Any]], output: Path) -> None:
    """Write {credentials: [...]} as YAML with a provenance header."""
    header = (
        "# Badger demo catalogue: real Coursera partner credentials.\n"
        "# Generated by scripts/build_demo_catalogue.py from the public course lists in\n"
        "# ../shared/data/catalogues (coursera_partner_descriptions + coursera_partner_skills).\n"
        "# Do not edit by hand; rerun the script.\n"
    )
    body = yaml.safe_dump(
        {"credentials": records}, allow_unicode=True, sort_keys=False, width=100_000
    )
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(header + body, encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0] if __doc__ else None,
        epilog="Reads the public course lists; writes one YAML file. No network access.",
    )
    parser.add_argument(
        "--data-dir",
        type=Path,
        default=DEFAULT_DATA_DIR,
        help=f"folder with the Coursera lists (default: {DEFAULT_DATA_DIR})",
    )
    parser.add_argument(
        "--output",
        type=Path,
        default=DEFAULT_OUTPUT,
        help=f"YAML file to write (default: {DEFAULT_OUTPUT})",
    )
    args = parser.parse_args(argv)
    if not (args.data_dir / "coursera_partner_descriptions.jsonl").exists():
        sys.stderr.write(
            f"{args.data_dir} has no coursera_partner_descriptions.jsonl; the committed "
            f"{DEFAULT_OUTPUT.relative_to(ROOT)} is still usable.\n"
        )
        return 1
    records, skipped = build(args.data_dir)
    write(records, args.output)
    sys.stdout.write(
        f"wrote {len(records)} credentials to {args.output}; skipped {len(skipped)}: "
        f"{', '.join(skipped) or '-'}\n"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
