"""Skills as OB 3.0 alignments: ESCO concept URIs (taxonomy.json) and O*NET skill descriptors."""

from __future__ import annotations

import json
from collections.abc import Iterable
from functools import cache
from pathlib import Path
from typing import Any

from skills.normalise import normalise_skill

ONET_URL = "https://www.onetonline.org/find/descriptor/result/"
# O*NET 29 content model: the 35 skills' element ids (normalised name -> id).
ONET_SKILLS = {
    "reading comprehension": "2.A.1.a", "active listening": "2.A.1.b", "writing": "2.A.1.c", "speaking": "2.A.1.d",
    "mathematics": "2.A.1.e", "science": "2.A.1.f", "critical thinking": "2.A.2.a", "active learning": "2.A.2.b",
    "learning strategies": "2.A.2.c", "monitoring": "2.A.2.d", "social perceptiveness": "2.B.1.a",
    "coordination": "2.B.1.b", "persuasion": "2.B.1.c", "negotiation": "2.B.1.d", "instructing": "2.B.1.e",
    "service orientation": "2.B.1.f", "complex problem solving": "2.B.2.i", "operations analysis": "2.B.3.a",
    "technology design": "2.B.3.b", "equipment selection": "2.B.3.c", "installation": "2.B.3.d",
    "programming": "2.B.3.e", "operations monitoring": "2.B.3.g", "operation and control": "2.B.3.h",
    "equipment maintenance": "2.B.3.j", "troubleshooting": "2.B.3.k", "repairing": "2.B.3.l",
    "quality control analysis": "2.B.3.m", "judgment and decision making": "2.B.4.e", "systems analysis": "2.B.4.g",
    "systems evaluation": "2.B.4.h", "time management": "2.B.5.a", "management of financial resources": "2.B.5.b",
    "management of material resources": "2.B.5.c", "management of personnel resources": "2.B.5.d",
}


@cache
def _esco() -> dict[str, str]:
    data: dict[str, dict[str, str]] = json.loads((Path(__file__).parent / "taxonomy.json").read_text("utf-8"))
    return data["esco"]


def alignments(skills: Iterable[str]) -> list[dict[str, Any]]:
    """One Alignment per skill the taxonomies know (O*NET first, then ESCO); unknown skills are left out."""
    found: list[dict[str, Any]] = []
    for skill in skills:
        key = normalise_skill(skill)
        if key in ONET_SKILLS:
            found.append({"type": ["Alignment"], "targetName": skill, "targetUrl": ONET_URL + ONET_SKILLS[key],
                          "targetCode": ONET_SKILLS[key], "targetFramework": "O*NET", "targetType": "ext:ONetSkill"})
        elif key in _esco():
            found.append({"type": ["Alignment"], "targetName": skill, "targetUrl": _esco()[key],
                          "targetFramework": "ESCO", "targetType": "ext:ESCOSkill"})
    return found
