"""Skill-name normalisation, so "Python programming", "python (computer programming)" and "Python" meet."""

from __future__ import annotations

import re
from collections.abc import Iterable

# Spelling variants and abbreviations that name the same skill; keys and values are already normalised.
SYNONYMS: dict[str, str] = {
    "python programming": "python",
    "python language": "python",
    "py": "python",
    "js": "javascript",
    "java script": "javascript",
    "ts": "typescript",
    "ml": "machine learning",
    "ai": "artificial intelligence",
    "dl": "deep learning",
    "nlp": "natural language processing",
    "k8s": "kubernetes",
    "postgres": "postgresql",
    "structured query language": "sql",
    "sql programming": "sql",
    "aws": "amazon web services",
    "gcp": "google cloud platform",
    "google cloud": "google cloud platform",
    "ux": "user experience design",
    "ux design": "user experience design",
    "ui design": "user interface design",
    "pm": "project management",
    "data analytics": "data analysis",
    "statistical analysis": "statistics",
    "public speaking": "speaking",
    "written communication": "writing",
    "people management": "management of personnel resources",
    "budgeting": "management of financial resources",
    "infosec": "information security",
    "cyber security": "cybersecurity",
}

_PARENTHETICAL = re.compile(r"\s*\([^)]*\)")
# Keep + and # so that C++ and C# stay distinct from C.
_PUNCTUATION = re.compile(r"[^\w\s+#]")
_SPACES = re.compile(r"\s+")


def normalise_skill(name: str) -> str:
    """The matching key for a skill name: lower case, no qualifiers or punctuation, synonyms folded."""
    key = _PARENTHETICAL.sub("", name.strip().lower())
    key = key.replace("&", " and ").replace("-", " ").replace("/", " ")
    key = _PUNCTUATION.sub("", key)
    key = _SPACES.sub(" ", key).strip()
    if not key:
        key = _SPACES.sub(" ", name.strip().lower())
    return SYNONYMS.get(key, key)


def normalise_role(name: str) -> str:
    """The matching key for a role title: case and spacing folded."""
    return _SPACES.sub(" ", name.strip().lower())


def skill_keys(names: Iterable[str]) -> set[str]:
    """The set of normalised keys for some skill names, blanks dropped."""
    return {normalise_skill(n) for n in names if n and n.strip()}
